"""The receipt's access code: the resident's key to the appeal's status and answer
(docs/receipt.md).

* Ten characters of Crockford's base32 alphabet (no I, L, O, U): 50 random bits from
  :mod:`secrets`, printed in two groups (``K7M2Q-9XH4T``). Typing is forgiving: case, spaces and
  hyphens are ignored, ``O`` reads as ``0``, ``I``/``L`` as ``1``, and Cyrillic letters that look
  like Latin ones (``А В Е К М Н О Р С Т У Х З І``) as those.
* Kept only as a salted PBKDF2-SHA256 hash, in Django's password format
  ``pbkdf2_sha256$<iterations>$<salt>$<base64 hash>``, so the city server verifies it with
  ``django.contrib.auth.hashers.check_password`` without ever seeing the code.
* The code itself is personal-data-grade: never logged, never in an event, SMS or file name.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"      # Crockford base32
LENGTH = 10                                        # 50 bits
GROUP = 5
ITERATIONS = 200_000                               # the server refuses fewer than MIN_ITERATIONS
MIN_ITERATIONS = 100_000
QUERY_KEY = "k"                                    # the status link: .../a/<number>?k=<code>

_LOOKALIKE = str.maketrans({"O": "0", "I": "1", "L": "1",
                            "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "0",
                            "Р": "P", "С": "C", "Т": "T", "У": "Y", "Х": "X", "З": "3", "І": "1"})
_HASH = re.compile(r"^pbkdf2_sha256\$(\d{6,7})\$([A-Za-z0-9]{12,64})\$([A-Za-z0-9+/]{43}=)$")


class AccessDenied(PermissionError):
    """No code, or the wrong code, for this appeal: nothing about it is shown."""

    def __init__(self, number: Any, why: str, tries_left: int | None = None) -> None:
        super().__init__(f"appeal {number.display}: {why}")
        self.number, self.why, self.tries_left = number, why, tries_left


class AccessLocked(AccessDenied):
    """Too many wrong codes, for this number or at this terminal; the technician sees an event."""


class CodeError(ValueError):
    """Text that cannot be an access code (wrong length or characters)."""


def new_code() -> str:
    """A fresh random code in its compact form (no hyphen)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize(text: str) -> str:
    """The compact form of what a resident typed or a reader scanned; raises CodeError."""
    compact = re.sub(r"[\s\-‐‑–—_.]", "", text or "").upper().translate(_LOOKALIKE)
    if len(compact) != LENGTH or any(ch not in ALPHABET for ch in compact):
        raise CodeError(f"a receipt code has {LENGTH} characters (letters and digits)")
    return compact


def display(code: str) -> str:
    """``K7M2Q-9XH4T``: what the receipt prints and the resident reads."""
    c = normalize(code)
    return "-".join(c[i:i + GROUP] for i in range(0, LENGTH, GROUP))


def hash_code(code: str, *, salt: str | None = None, iterations: int = ITERATIONS) -> str:
    """Salted PBKDF2-SHA256 in Django's password format."""
    salt = salt or secrets.token_hex(11)
    digest = hashlib.pbkdf2_hmac("sha256", normalize(code).encode(), salt.encode(), iterations)
    return f"pbkdf2_sha256${iterations}${salt}${base64.b64encode(digest).decode()}"


def valid_hash(encoded: str) -> bool:
    """Whether ``encoded`` has the shape this module produces (and enough iterations)."""
    m = _HASH.match(encoded or "")
    return bool(m) and MIN_ITERATIONS <= int(m.group(1)) <= 2_000_000


def verify(code: str, encoded: str | None) -> bool:
    if not encoded or not valid_hash(encoded):
        return False
    try:
        compact = normalize(code)
    except CodeError:
        return False
    _, iters, salt, b64 = encoded.split("$")
    digest = hashlib.pbkdf2_hmac("sha256", compact.encode(), salt.encode(), int(iters))
    return hmac.compare_digest(base64.b64encode(digest).decode(), b64)


def status_link(template: str, number_compact: str, code: str) -> str:
    """The receipt's status link, carrying the number and the code. ``template`` is the
    ``terminal.status_url`` setting: ``{number}`` and optionally ``{code}``; without ``{code}``
    the code goes in the query as ``?k=``."""
    compact = normalize(code)
    if "{code}" in template:
        return template.format(number=number_compact, code=compact)
    url = template.format(number=number_compact)
    return f"{url}{'&' if '?' in url else '?'}{QUERY_KEY}={compact}"


def from_scan(text: str) -> tuple[str, str | None]:
    """What a barcode reader gave for a receipt: the QR's status link (number and code) or the
    Code128 (number only). Returns (number text, code or None)."""
    text = (text or "").strip()
    if "://" not in text:
        return text, None
    parts = urlsplit(text)
    code = (parse_qs(parts.query).get(QUERY_KEY) or [None])[0]
    segments = [s for s in parts.path.split("/") if s]
    number = next((s for s in reversed(segments) if re.fullmatch(r"\d{9}[\dXx]", s)), "")
    if code is None and segments and number and segments[-1] != number:
        code = segments[-1]                          # a template of the form .../{number}/{code}
    return number, code


def from_typed(text: str) -> tuple[str, str | None]:
    """What a resident typed into the kiosk's one lookup field: the number, then the code
    (``017-000123-4 K7M2Q-9XH4T``, any spacing), or a scanned status link. Returns (number
    text, code or None)."""
    if "://" in (text or ""):
        return from_scan(text)
    compact = re.sub(r"[\s\-‐‑–—_.]", "", text or "")
    if len(compact) <= 10:
        return text, None
    return compact[:10], compact[10:]
