"""One person, one voice: the identity key shared by paper and online entries (docs/server.md "Identity key").

Every instrument that counts people (petition signatures, budget votes, survey participation) stores, per
entry, two keyed hashes (HMAC-SHA256 under the server's secret key) and never the data they come from:

- ``identity_key``: of the normalised RNOKPP (the 10-digit taxpayer number) when the person has one, else
  the same value as ``name_key``;
- ``name_key``: of the normalised surname, name and patronymic with the date of birth.

BankID gives ``rnokpp`` (or ``inn``), ``family_name``/``given_name``/``middle_name`` and ``birthdate``; the paper
form gives the full name as written, the date of birth and, when the person wrote it, the RNOKPP. The
database holds a unique constraint on (item, identity_key) AND on (item, name_key), so a paper entry
without the RNOKPP still meets the online entry of the same person, whichever came first, and two
requests at the same moment are judged by the database, not by a check before the insert.

Residence: the BankID ``address`` claim (a string, or an object with ``city``) or the registration a
paper signer declares gives the locality; only the locality's normalised name is kept, never the address.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.utils.crypto import salted_hmac
from stdnum.exceptions import ValidationError
from stdnum.ua import rntrc

from server_stub.core import refusal

LOCALITY_PREFIX = re.compile(r"^(м\.|місто|смт\.?|селище|с-ще|с\.|село)\s*", re.I)


class IdentityError(ValueError):
    """Not enough to identify the person (no RNOKPP and no date of birth), or an RNOKPP that is not one."""


@dataclass(frozen=True)
class Identity:
    identity_key: str
    name_key: str


def _hmac(value: str) -> str:
    return salted_hmac("city-server.identity", value, algorithm="sha256").hexdigest()


def normal_name(full_name: str) -> str:
    """'  Шевченко  Тарас Григорович ' -> 'шевченко тарас григорович' (NFKC, apostrophes unified)."""
    text = unicodedata.normalize("NFKC", full_name)
    for apostrophe in ("’", "ʼ", "`", "‘"):
        text = text.replace(apostrophe, "'")
    return " ".join(text.lower().split())


def normal_rnokpp(value: str | None) -> str | None:
    """Ten digits with a valid check digit (python-stdnum), or None when empty; IdentityError if not an RNOKPP."""
    if not re.sub(r"[\s-]", "", value or ""):
        return None
    try:
        return str(rntrc.validate(value))
    except ValidationError as err:
        raise IdentityError("РНОКПП неправильний (10 цифр, контрольна цифра) / "
                            "the RNOKPP is not valid (10 digits with a check digit)") from err


def identity(full_name: str, birthdate: date | None, rnokpp: str | None) -> Identity:
    number = normal_rnokpp(rnokpp)
    name = normal_name(full_name)
    if birthdate is None and number is None:
        raise IdentityError("потрібна дата народження або РНОКПП / a date of birth or the RNOKPP is needed")
    name_key = _hmac(f"name:{name}|{birthdate.isoformat() if birthdate else ''}")
    return Identity(_hmac(f"rnokpp:{number}") if number else name_key, name_key)


def from_claims(claims: dict[str, Any]) -> Identity:
    full = " ".join(str(claims.get(k) or "") for k in ("family_name", "given_name", "middle_name"))
    born = claims.get("birthdate")
    return identity(full, date.fromisoformat(born) if born else None, claims.get("rnokpp") or claims.get("inn"))


def locality(address: Any) -> str:
    """The normalised locality of an address: 'м. Дніпро, вул. Яворницького, 1' -> 'дніпро' (the part after a
    locality prefix, else the first part; '' for none)."""
    if isinstance(address, dict):
        address = address.get("city") or address.get("locality") or ""
    parts = [p.strip() for p in str(address or "").split(",") if p.strip()]
    for part in parts:
        if LOCALITY_PREFIX.match(part):
            return normal_name(LOCALITY_PREFIX.sub("", part))
    return normal_name(parts[0]) if parts else ""  # "Дніпро, вул. …": the first part


def community() -> set[str]:
    """The localities of the city's territorial community (setting COMMUNITY_LOCALITIES)."""
    return {normal_name(n) for n in settings.COMMUNITY_LOCALITIES if n.strip()}


def eligible(instrument: str, place: str) -> bool:
    """Whether a person living in ``place`` (a normalised locality) may take part in ``instrument``."""
    if instrument not in settings.RESIDENTS_ONLY:
        return True
    return bool(place) and place in community()


NOT_RESIDENT = ("Брати участь можуть лише мешканці територіальної громади (за адресою реєстрації) / "
                "Only residents of the city's territorial community (by registered address) may take part")


def first_voice(paper: bool, place: str, day: date | None) -> str:
    """Where the counted voice came from, Ukrainian then English (the refusal of a duplicate says it)."""
    when_uk = f", {day.strftime('%d.%m.%Y')}" if day else ""
    when_en = f" on {day.isoformat()}" if day else ""
    if paper:
        return (f"Голос цієї особи вже враховано: на папері, {place}{when_uk} / "
                f"This person's voice is already counted: on paper at {place}{when_en}")
    return (f"Голос цієї особи вже враховано: онлайн через BankID{when_uk} / "
            f"This person's voice is already counted: online through BankID{when_en}")


NOT_IDENTIFIED = ("BankID не передав ні РНОКПП, ні дату народження: голос неможливо зарахувати один раз / "
                  "BankID gave neither the RNOKPP nor the date of birth: the voice cannot be counted once")


class Refused(refusal.Refused):
    """This person may not take part (403): ``code`` is "not_identified" or "not_resident"; ``message`` in uk / en."""

    def __init__(self, code: str, message: str):
        super().__init__(403, code, message)


def of_resident(resident: Any, instrument: str) -> Identity:
    """A signed-in resident's keys (computed from the BankID claims at sign-in), if the rules let them in."""
    if not resident.identity_key:
        raise Refused("not_identified", NOT_IDENTIFIED)
    if not eligible(instrument, resident.locality):
        raise Refused("not_resident", NOT_RESIDENT)
    return Identity(resident.identity_key, resident.name_key)


def of_paper(row: dict[str, Any], instrument: str) -> Identity:
    """A paper form's keys: ``full_name``, ``birthdate`` and/or ``rnokpp``, and the declared ``registration``."""
    try:
        who = identity(str(row["full_name"]), row.get("birthdate"), row.get("rnokpp"))
    except IdentityError as err:
        raise Refused("not_identified", str(err)) from err
    if not eligible(instrument, locality(row.get("registration", ""))):
        raise Refused("not_resident", NOT_RESIDENT)
    return who
