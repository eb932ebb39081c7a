"""Appeal numbers (docs/numbering.md).

    017-000123-4
    │   │      └── check character, ISO 7064 Mod 11-2 over the nine digits (0-9 or X)
    │   └───────── sequence of this terminal, 000001..999999, from the terminal's own store
    └───────────── terminal code, 001..999, issued once by the city and never reused

* Unique across the city without coordination: the terminal code separates terminals; each
  terminal's sequence lives in its own durable store.
* Unique across restarts and clock changes: the sequence is a counter committed to SQLite before
  the number is used; no clock is involved.
* Readable aloud: ten characters in three groups, digits only except a possible final X.
* The check character catches every single-character error and every swap of neighbours
  (ISO 7064 Mod 11-2 is a pure system with distinct non-zero weights).

The compact form (``0170001234``) is what Code128 carries and what names the drop-folder files;
the display form has hyphens. :func:`parse` accepts either, with spaces, and lower-case x.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum.iso7064 import mod_11_2

TERMINAL_MIN, TERMINAL_MAX = 1, 999
SEQ_MIN, SEQ_MAX = 1, 999_999

_COMPACT = re.compile(r"^(\d{3})(\d{6})([\dX])$")
_SHEET_PAYLOAD = re.compile(r"^(\d{9}[\dX])-(\d{2})$")


def terminal_code_problem(value: object) -> str | None:
    """Why a configured ``terminal.code`` is not one (None when it is): the settings check of the
    kiosk and of the sync agent."""
    if not (isinstance(value, int) and TERMINAL_MIN <= value <= TERMINAL_MAX):
        return f"must be a whole number from {TERMINAL_MIN} to {TERMINAL_MAX}, issued by the city"
    return None


class NumberError(ValueError):
    """Text that is not a valid appeal number; the message says why, Ukrainian first."""

    def __init__(self, uk: str, en: str) -> None:
        super().__init__(f"{uk} / {en}")
        self.uk = uk
        self.en = en


@dataclass(frozen=True, order=True)
class AppealNumber:
    terminal: int
    seq: int

    def __post_init__(self) -> None:
        if not (TERMINAL_MIN <= self.terminal <= TERMINAL_MAX):
            raise NumberError("код термінала має бути від 001 до 999", "terminal code must be 001..999")
        if not (SEQ_MIN <= self.seq <= SEQ_MAX):
            raise NumberError("порядковий номер поза межами 1..999999", "sequence out of range 1..999999")

    @property
    def digits(self) -> str:
        return f"{self.terminal:03d}{self.seq:06d}"

    @property
    def check(self) -> str:
        return mod_11_2.calc_check_digit(self.digits)

    @property
    def compact(self) -> str:
        return self.digits + self.check

    @property
    def display(self) -> str:
        return f"{self.terminal:03d}-{self.seq:06d}-{self.check}"

    def spoken(self, lang: str = "uk") -> str:
        """For text-to-speech: groups read digit by digit."""
        x = "ікс" if lang == "uk" else "X"
        parts = [" ".join(self.digits[:3]), " ".join(self.digits[3:]), x if self.check == "X" else self.check]
        return ", ".join(parts)

    def sheet_payload(self, sheet: int) -> str:
        """The Code128 payload of a sheet label: ``0170001234-01``."""
        if not 1 <= sheet <= 99:
            raise ValueError("sheet must be 1..99")
        return f"{self.compact}-{sheet:02d}"

    def __str__(self) -> str:
        return self.display


def parse(text: str) -> AppealNumber:
    """Parse a typed, scanned or spoken-back number; raises NumberError saying what is wrong."""
    if not isinstance(text, str):
        raise NumberError("номер має бути текстом", "the number must be text")
    cleaned = re.sub(r"[\s\-‐–—.№]", "", text).upper().replace("Х", "X")  # Cyrillic Х typed for X
    if not re.fullmatch(r"\d{9}[\dX]", cleaned):
        raise NumberError(
            "номер має 10 знаків: 9 цифр і контрольний знак (цифра або X), напр. 017-000123-4",
            "a number has 10 characters: 9 digits and a check character (digit or X), e.g. 017-000123-4",
        )
    m = _COMPACT.match(cleaned)
    assert m is not None
    if not mod_11_2.is_valid(cleaned):
        raise NumberError(
            "контрольний знак не збігається: перевірте, чи правильно введено номер",
            "the check character does not match: please check the number",
        )
    terminal, seq = int(m.group(1)), int(m.group(2))
    return AppealNumber(terminal, seq)


def parse_sheet_payload(payload: str) -> tuple[AppealNumber, int]:
    """``0170001234-01`` -> (number, 1)."""
    m = _SHEET_PAYLOAD.match(payload.strip())
    if not m:
        raise NumberError("це не мітка аркуша звернення", "not an appeal sheet label")
    return parse(m.group(1)), int(m.group(2))
