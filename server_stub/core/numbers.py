"""Appeal numbers: 3-digit terminal code + 6-digit sequence + ISO 7064 Mod 11-2 check character.

Compact ``0170001234``, display ``017-000123-4``.
"""

from __future__ import annotations

import re

from stdnum.iso7064 import mod_11_2

_CLEAN = re.compile(r"[\s\-]")
_COMPACT = re.compile(r"^\d{9}[\dX]$")


class InvalidNumber(ValueError):
    """The text is not a valid appeal number (format or check character)."""


def compact(text: str) -> str:
    return _CLEAN.sub("", text or "").upper()


def validate(text: str) -> str:
    """Return the compact number or raise :class:`InvalidNumber`."""
    value = compact(text)
    if not _COMPACT.match(value):
        raise InvalidNumber(f"not an appeal number: {text!r}")
    if mod_11_2.calc_check_digit(value[:9]) != value[9]:
        raise InvalidNumber(f"wrong check character in {text!r}")
    return value


def is_valid(text: str) -> bool:
    try:
        validate(text)
    except InvalidNumber:
        return False
    return True


def make(terminal_code: str, sequence: int) -> str:
    body = f"{int(terminal_code):03d}{sequence:06d}"
    if len(body) != 9:
        raise InvalidNumber(f"terminal {terminal_code!r} / sequence {sequence} out of range")
    return body + mod_11_2.calc_check_digit(body)


def display(number: str) -> str:
    value = validate(number)
    return f"{value[:3]}-{value[3:9]}-{value[9]}"


def terminal_code(number: str) -> str:
    return validate(number)[:3]
