"""What the kiosk says for a text it shows: one layer between the screen's words and the speech
engine (speech-dispatcher + espeak-ng on the terminal), so that the engine reads our own data right.

- apostrophes of every form (ʼ ' ’ ‘ ` ´ ʹ ′) inside a word become the one espeak-ng reads as the
  Ukrainian apostrophe (the modifier letter ʼ was read as "ejective");
- phone numbers (+380671234567, 067 123 45 67) and appeal numbers (001-000001-3) are said in
  digit groups, not as one huge number;
- a passport's series and number letter by letter and digit by digit;
- a receipt's access code (K7M2Q-9XH4T) and the sign-in code typed on the phone (BDFH-KMNP,
  RFC 8628 user code) character by character, Latin letters by their Ukrainian names in Ukrainian;
- abbreviations (РНОКПП, ЦНАП, СЕД) are said in words;
- dates (28.12.2026, 2026-12-28) and times (10:15) are said in words, and so are durations
  (4 хв 07 с, 4 min 07 s: how long a sign-in code lasts);
- a lone preposition «з» (as in «Крок 1 з 11») is said «із» (espeak-ng spells a lone letter: "зе").

Pure functions, no Qt: the UI's speaker and ``kioskctl speech-transcript`` both use :func:`spoken`.
"""

from __future__ import annotations

import re

APOSTROPHES = "ʼ’‘`´ʹ′'"
_APOS = re.compile(rf"(?<=\w)[{APOSTROPHES}](?=\w)")

ABBREVIATIONS: dict[str, dict[str, str]] = {
    "uk": {
        "РНОКПП": "реєстраційний номер облікової картки платника податків",
        "ЦНАП": "центр надання адміністративних послуг",
        "СЕД": "система електронного документообігу",
        "SMS": "есемес",
        "СМС": "есемес",
        "PIN": "пін-код",
        "Tab": "таб",          # key names on the welcome screen (espeak-ng would switch to English)
        "Enter": "ентер",
        "ID": "ай-ді",
        "e-mail": "електронна пошта",
        "QR": "к'ю-ар",
        "BankID": "банк ай-ді",
    },
    "en": {
        "РНОКПП": "taxpayer registration number",
        "RNOKPP": "taxpayer registration number",
        "ЦНАП": "administrative services centre",
        "СЕД": "electronic document management system",
        "EDMS": "electronic document management system",
    },
}

# +380 67 123 45 67, 0671234567, 067 123 45 67, (067) 123-45-67
_PHONE = re.compile(r"(?<![\w-])(\+?38)?[\s-]?\(?(0\d{2})\)?[\s-]?(\d{3})[\s-]?(\d{2})[\s-]?(\d{2})(?![\w-])")
# the terminal's appeal numbers: 001-000001-3 (check digit may be X)
_APPEAL = re.compile(r"(?<![\w-])(\d{3})-(\d{6})-([\dXx])(?![\w-])")
# a passport's series and number (МК123456): letter by letter, digit by digit
_PASSPORT = re.compile(r"(?<!\w)([А-ЯІЇЄҐ]{2})(\d{6})(?!\w)")
_DATE_DMY = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4})(?!\d|\.\d)")
_DATE_ISO = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")
_DURATION = {"uk": re.compile(r"(?<!\d)(\d+) хв (\d+) с(?!\w)"), "en": re.compile(r"(?<!\d)(\d+) min (\d+) s(?!\w)")}
_TIME = re.compile(r"(?<![\d:])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])")
# a receipt's access code (K7M2Q-9XH4T, Crockford base32): character by character
_ACCESS_CODE = re.compile(r"(?<![\w-])([0-9A-Z]{5})-([0-9A-Z]{5})(?![\w-])")
# the user code of "sign in with BankID on your phone" (RFC 8628 §6.1: consonants only, XXXX-XXXX)
_USER_CODE = re.compile(r"(?<![\w-])([BCDFGHJKLMNPQRSTVWXZ]{4})-([BCDFGHJKLMNPQRSTVWXZ]{4})(?![\w-])")
# Latin capitals by their Ukrainian names, so that a code is read without switching to an English voice
_LATIN_UK = {"A": "ей", "B": "бі", "C": "сі", "D": "ді", "E": "і", "F": "еф", "G": "джі", "H": "ейч", "I": "ай",
             "J": "джей", "K": "кей", "L": "ел", "M": "ем", "N": "ен", "O": "оу", "P": "пі", "Q": "к'ю", "R": "ар",
             "S": "ес", "T": "ті", "U": "ю", "V": "ві", "W": "дабл-ю", "X": "ікс", "Y": "уай", "Z": "зед"}
_LONE_Z = re.compile(r"(?<![\w'])([зЗ])(?![\w'])")

_UNITS_ORD = ["", "першого", "другого", "третього", "четвертого", "п'ятого", "шостого", "сьомого", "восьмого",
              "дев'ятого"]
_TEENS_ORD = ["десятого", "одинадцятого", "дванадцятого", "тринадцятого", "чотирнадцятого", "п'ятнадцятого",
              "шістнадцятого", "сімнадцятого", "вісімнадцятого", "дев'ятнадцятого"]
_TENS = ["", "", "двадцять", "тридцять", "сорок", "п'ятдесят", "шістдесят", "сімдесят", "вісімдесят", "дев'яносто"]
_TENS_ORD = ["", "", "двадцятого", "тридцятого", "сорокового", "п'ятдесятого", "шістдесятого", "сімдесятого",
             "вісімдесятого", "дев'яностого"]
_MONTHS_UK = ["січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня", "вересня", "жовтня",
              "листопада", "грудня"]
_MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December"]
_UNITS_EN = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def ordinal_genitive_uk(n: int) -> str:
    """1..99 as a Ukrainian ordinal in the genitive («двадцять восьмого»)."""
    if not 0 < n < 100:
        raise ValueError(n)
    if n < 10:
        return _UNITS_ORD[n]
    if n < 20:
        return _TEENS_ORD[n - 10]
    tens, units = divmod(n, 10)
    return _TENS_ORD[tens] if units == 0 else f"{_TENS[tens]} {_UNITS_ORD[units]}"


def year_genitive_uk(y: int) -> str:
    """2000..2099 in words, genitive («дві тисячі двадцять шостого»); other years stay digits."""
    if y == 2000:
        return "двохтисячного"
    if 2000 < y < 2100:
        return f"дві тисячі {ordinal_genitive_uk(y - 2000)}"
    return str(y)


def date_words(day: int, month: int, year: int, lang: str) -> str | None:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    if lang == "uk":
        return f"{ordinal_genitive_uk(day)} {_MONTHS_UK[month - 1]} {year_genitive_uk(year)} року"
    return f"{day} {_MONTHS_EN[month - 1]} {year}"


def _plural_uk(n: int, one: str, few: str, many: str) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def time_words(h: int, m: int, lang: str) -> str:
    if lang == "uk":
        hours = f"{h} {_plural_uk(h, 'година', 'години', 'годин')}"
        return hours if m == 0 else f"{hours} {m} {_plural_uk(m, 'хвилина', 'хвилини', 'хвилин')}"
    return f"{h} o'clock" if m == 0 else f"{h} {m:02d}".replace(" 0", " oh ")


def duration_words(minutes: int, seconds: int, lang: str) -> str:
    if lang == "uk":
        return (f"{minutes} {_plural_uk(minutes, 'хвилина', 'хвилини', 'хвилин')} "
                f"{seconds} {_plural_uk(seconds, 'секунда', 'секунди', 'секунд')}")
    return f"{minutes} minute{'' if minutes == 1 else 's'} {seconds} second{'' if seconds == 1 else 's'}"


def digits(s: str, lang: str) -> str:
    """Digit by digit («0 6 7»); an X (a check digit) as its letter."""
    return " ".join(("ікс" if lang == "uk" else "ex") if c in "Xx" else c for c in s)


def _characters(s: str, lang: str) -> str:
    """A code character by character; in Ukrainian, Latin letters by their Ukrainian names."""
    return " ".join(_LATIN_UK.get(c, c) if lang == "uk" else c for c in s)


def groups(parts: list[str], lang: str) -> str:
    """Digit groups with a pause between them; a group that starts with 0 is said digit by digit."""
    return ", ".join(digits(p, lang) if p.startswith("0") else p for p in parts)


def _phone(m: re.Match[str], lang: str) -> str:
    country, area, a, b, c = m.groups()
    plus = ("плюс " if lang == "uk" else "plus ") if country and country.startswith("+") else ""
    head = f"{plus}{digits(country.lstrip('+'), lang)}, " if country else ""
    return head + groups([area, a, b, c], lang)


def spoken(text: str, lang: str) -> str:
    """The words the speech engine is given for ``text`` shown in ``lang`` ("uk" or "en")."""
    out = _APOS.sub("'", text)
    out = _APPEAL.sub(lambda m: ", ".join(digits(g, lang) for g in m.groups()), out)
    out = _PASSPORT.sub(lambda m: f"{' '.join(m[1])}, {digits(m[2], lang)}", out)
    out = _PHONE.sub(lambda m: _phone(m, lang), out)
    out = _DATE_DMY.sub(lambda m: date_words(int(m[1]), int(m[2]), int(m[3]), lang) or m[0], out)
    out = _DATE_ISO.sub(lambda m: date_words(int(m[3]), int(m[2]), int(m[1]), lang) or m[0], out)
    if lang in _DURATION:
        out = _DURATION[lang].sub(lambda m: duration_words(int(m[1]), int(m[2]), lang), out)
    out = _TIME.sub(lambda m: time_words(int(m[1]), int(m[2]), lang), out)
    out = _ACCESS_CODE.sub(lambda m: ", ".join(_characters(g, lang) for g in m.groups()), out)
    out = _USER_CODE.sub(lambda m: ", ".join(_characters(g, lang) for g in m.groups()), out)
    for short, words in ABBREVIATIONS.get(lang, {}).items():
        out = re.sub(rf"(?<!\w){re.escape(short)}(?!\w)", words, out)
    if lang == "uk":
        out = _LONE_Z.sub(lambda m: "із" if m[1] == "з" else "Із", out)
    return out
