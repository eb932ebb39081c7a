"""The receipt is the key (docs/receipt.md, docs/security.md): an appeal's status and answer
leave the server only for whoever shows its receipt code, for the terminal that took it, or
for the applicant signed in through BankID where the server knows the applicant.

The server keeps each code only as the salted PBKDF2-SHA256 hash the terminal computed
(``pbkdf2_sha256$<iterations>$<salt>$<base64>``) and checks codes with :mod:`hashlib` itself
(the test settings may swap Django's password hashers). Wrong codes are counted per number
and per terminal; past the limits every door refuses that number (or that terminal) for
``WINDOW``, and the technicians' fleet page lists it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
from datetime import timedelta

from django.utils import timezone

from .models import AccessFailure, AccessKey, Terminal

logger = logging.getLogger(__name__)

NUMBER_TRIES = 5          # wrong codes for one number, at all doors together, within WINDOW
TERMINAL_TRIES = 20       # wrong codes sent by one terminal, within WINDOW
WINDOW = timedelta(minutes=15)
HEADER = "X-Access-Code"
QUERY_KEY = "k"                     # the status link: /a/<number>?k=<code>

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_LENGTH = 10
_LOOKALIKE = str.maketrans({"O": "0", "I": "1", "L": "1",
                            "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "0",
                            "Р": "P", "С": "C", "Т": "T", "У": "Y", "Х": "X", "З": "3", "І": "1"})
_HASH = re.compile(r"^pbkdf2_sha256\$(\d{6,7})\$([A-Za-z0-9]{12,64})\$([A-Za-z0-9+/]{43}=)$")


class AccessRefused(Exception):
    """403 ``access_denied`` (no or wrong code) or 429 ``access_locked`` (too many wrong ones)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def normalize(text: str) -> str | None:
    compact = re.sub(r"[\s\-‐‑–—_.]", "", text or "").upper().translate(_LOOKALIKE)
    if len(compact) != _LENGTH or any(ch not in _ALPHABET for ch in compact):
        return None
    return compact


def valid_hash(encoded: str) -> bool:
    m = _HASH.match(encoded or "")
    return bool(m) and 100_000 <= int(m.group(1)) <= 2_000_000


def verify(code: str, encoded: str) -> bool:
    compact = normalize(code)
    if compact is None or not valid_hash(encoded):
        return False
    _, iters, salt, b64 = encoded.split("$")
    digest = hashlib.pbkdf2_hmac("sha256", compact.encode(), salt.encode(), int(iters))
    return hmac.compare_digest(base64.b64encode(digest).decode(), b64)


def owns(terminal: Terminal | None, number: str) -> bool:
    """A terminal's own appeals (the first three digits) stay readable by it for delivery."""
    return terminal is not None and number[:3] == terminal.code


def store_hash(terminal: Terminal, number: str, encoded: str) -> bool:
    """Keep the hash a terminal sent for one of its own appeals; the first one stays."""
    if not owns(terminal, number) or not valid_hash(encoded):
        return False
    key, created = AccessKey.objects.get_or_create(number=number, defaults={"code_hash": encoded, "terminal": terminal})
    if not created and key.code_hash != encoded:
        logger.warning("terminal %s sent another access hash for appeal %s; the first one stays", terminal.code, number)
    return created


def _locked(number: str, terminal: Terminal | None) -> bool:
    since = timezone.now() - WINDOW
    if AccessFailure.objects.filter(number=number, at__gte=since).count() >= NUMBER_TRIES:
        return True
    return terminal is not None and AccessFailure.objects.filter(terminal=terminal, at__gte=since).count() >= TERMINAL_TRIES


def check(number: str, code: str | None, *, door: str, terminal: Terminal | None = None) -> None:
    """Raise :class:`AccessRefused` unless ``code`` is this appeal's receipt code. A terminal
    asking for one of its own appeals passes without a code."""
    if door == "terminal" and owns(terminal, number):
        return
    if _locked(number, terminal):
        raise AccessRefused(429, "access_locked", "Too many wrong receipt codes; try again later or ask staff")
    if not code:
        raise AccessRefused(403, "access_denied", "The receipt's access code is required")
    key = AccessKey.objects.filter(number=number).first()
    if key is not None and verify(code, key.code_hash):
        AccessFailure.objects.filter(number=number, locked=False).delete()     # lockouts stay for the fleet page
        return
    now_locked = _would_lock(number, terminal)
    AccessFailure.objects.create(number=number, terminal=terminal if door == "terminal" else None, door=door,
                                 locked=now_locked)
    if now_locked:
        logger.warning("receipt code locked for appeal %s after wrong codes (door %s)", number, door)
        raise AccessRefused(429, "access_locked", "Too many wrong receipt codes; try again later or ask staff")
    raise AccessRefused(403, "access_denied", "Wrong number or receipt code")


def _would_lock(number: str, terminal: Terminal | None) -> bool:
    since = timezone.now() - WINDOW
    if AccessFailure.objects.filter(number=number, at__gte=since).count() + 1 >= NUMBER_TRIES:
        return True
    return (terminal is not None
            and AccessFailure.objects.filter(terminal=terminal, at__gte=since).count() + 1 >= TERMINAL_TRIES)


def fleet_entries(terminal: Terminal, since_hours: int = 24) -> list[dict[str, object]]:
    """Lockouts the technician should see on this terminal's row: wrong codes sent by it, and
    wrong codes for its appeals at the web doors. Numbers only, never a code."""
    since = timezone.now() - timedelta(hours=since_hours)
    rows = (AccessFailure.objects.filter(at__gte=since, locked=True, terminal=terminal)
            | AccessFailure.objects.filter(at__gte=since, locked=True, terminal=None, number__startswith=terminal.code))
    return [{"number": r.number, "door": r.door, "at": r.at} for r in rows.order_by("-at")[:10]]
