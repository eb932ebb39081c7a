"""The applicant and the appeal's particulars, validated as the Law of Ukraine "On citizens'
appeals" (art. 5) asks: surname, name, patronymic, place of residence, the kind of appeal; plus
what the terminal needs: identity (РНОКПП or passport), a phone for SMS, an e-mail, consent; and,
when the resident signed in with BankID on their phone, who verified the identity and whether the
resident corrected the registered address (``verified``: :class:`Verification`).

:func:`validate` takes anything (a dict from JSON, from the UI) and returns a normalised
:class:`Applicant`, or raises :class:`ApplicantInvalid` listing every field error in Ukrainian and
English. No other exception escapes it, whatever the input's shape (a property test checks it).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.ua import rntrc

# The version of the consent text the terminal shows (docs/consent.md); bump it when the text changes.
CONSENT_TEXT_VERSION = "2026-12-05.2"

KINDS = {
    "заява": "application",
    "пропозиція": "proposal",
    "скарга": "complaint",
    "application": "application",
    "proposal": "proposal",
    "complaint": "complaint",
}
KIND_UK = {"application": "заява (клопотання)", "proposal": "пропозиція (зауваження)", "complaint": "скарга"}
# Classifier of appeals, part I section 3 (Cabinet resolution No 858): kind codes.
KIND_CODE = {"proposal": "3.1", "application": "3.2", "complaint": "3.3"}

UK_LETTERS = "АБВГҐДЕЄЖЗИІЇЙКЛМНОПРСТУФХЦЧШЩЬЮЯабвгґдеєжзиіїйклмнопрстуфхцчшщьюя"
APOSTROPHES = "'ʼ’"          # the three forms residents type; stored as U+02BC (the Ukrainian apostrophe)
_NAME = re.compile(rf"^[{UK_LETTERS}]+(?:[{UK_LETTERS}ʼ]*[{UK_LETTERS}])?(?:-[{UK_LETTERS}][{UK_LETTERS}ʼ]*[{UK_LETTERS}])*$")
# Old booklet passport: two Cyrillic capitals and six digits. Latin look-alikes are accepted and mapped.
_LATIN_TO_CYR = str.maketrans("ABCEHIKMOPTXY", "АВСЕНІКМОРТХУ")
_BOOKLET = re.compile(rf"^[{UK_LETTERS[:33]}]{{2}}\d{{6}}$")
_ID_CARD = re.compile(r"^\d{9}$")
LIMITS = {"surname": 60, "name": 60, "patronymic": 60, "address": 300}
# A foreign resident in English writes the name in Latin letters (the law on appeals allows another
# language acceptable to both sides): letters with their accents, apostrophe, hyphen and space,
# passed on as written ("script": "latin" in the record).
LATIN_LETTERS = "A-Za-zÀ-ÖØ-öø-ɏḀ-ỿ"
_LATIN_NAME = re.compile(rf"^[{LATIN_LETTERS}]+(?:['ʼ’ -][{LATIN_LETTERS}]+)*$")
# The field in words, for the English messages (the Ukrainian ones name it in their text).
FIELD_EN = {"surname": "Surname", "name": "First name", "patronymic": "Patronymic", "address": "Address",
            "rnokpp": "Taxpayer number", "passport": "Passport", "phone": "Phone", "email": "E-mail",
            "consent": "Consent", "kind": "Kind of appeal", "collective": "Collective appeal"}


@dataclass(frozen=True)
class FieldError:
    field: str
    uk: str
    en: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "uk": self.uk, "en": self.en}


class ApplicantInvalid(ValueError):
    """Every field error of one applicant record."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.en}" for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class Identity:
    type: str              # "rnokpp" | "passport_booklet" | "id_card"
    value: str

    def masked(self) -> str:
        """What a screen, a log or a receipt may show: all but the last two characters hidden."""
        return "•" * (len(self.value) - 2) + self.value[-2:]


@dataclass(frozen=True)
class Consent:
    given: bool
    text_version: str
    given_at: str          # ISO 8601 with offset


VERIFIERS = ("bankid",)     # who may have verified an identity (the metadata's identity_verified_by)


@dataclass(frozen=True)
class Verification:
    """The name and identity came verified (kiosk_app.core.device_flow), not typed."""

    by: str                 # "bankid"
    at: str                 # when the verifier verified them (ISO 8601, UTC)
    address_corrected: bool  # the resident changed the registered address the verifier gave


@dataclass(frozen=True)
class Applicant:
    surname: str
    name: str
    patronymic: str
    address: str
    kind: str               # application | proposal | complaint
    collective: bool
    identity: Identity
    consent: Consent
    phone: str | None = None      # E.164, +380...
    email: str | None = None
    sex: str | None = field(default=None)   # "male" | "female", derived from РНОКПП when given
    verified: Verification | None = None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.name, self.patronymic) if p)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _clean_text(value: Any) -> str:
    return unicodedata.normalize("NFC", " ".join(str(value).split()))


def _name(errors: list[FieldError], data: dict[str, Any], key: str, *, required: bool) -> str:
    uk_label = {"surname": "Прізвище", "name": "Ім'я", "patronymic": "По батькові"}[key]
    en_label = FIELD_EN[key]
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.append(FieldError(key, f"{uk_label}: обов'язкове поле", f"{en_label}: required"))
        return ""
    if not isinstance(value, str):
        errors.append(FieldError(key, f"{uk_label}: має бути текстом", f"{en_label}: must be text"))
        return ""
    text = _clean_text(value)
    text = re.sub(r"\s*-\s*", "-", text)
    if data.get("script") == "latin" and _LATIN_NAME.match(text) and len(text) <= LIMITS[key]:
        return text                                              # as written
    for a in APOSTROPHES:
        text = text.replace(a, "ʼ")
    if len(text) > LIMITS[key]:
        errors.append(FieldError(key, f"{uk_label}: не довше {LIMITS[key]} знаків", f"{en_label}: at most {LIMITS[key]} characters"))
        return ""
    if not _NAME.match(text):
        errors.append(
            FieldError(
                key,
                f"{uk_label}: лише українські літери, апостроф і дефіс (напр. Ковальчук-Мʼясоїд)",
                f"{en_label}: letters (Latin or Ukrainian), apostrophe, hyphen and space only"
                if data.get("script") == "latin" else
                f"{en_label}: Ukrainian letters, apostrophe and hyphen only (e.g. Kovalchuk-Miasoid in Cyrillic)",
            )
        )
        return ""
    # Capitalise each hyphenated part as names are written: "мʼясоїд-коваль" -> "Мʼясоїд-Коваль".
    return "-".join(part[:1].upper() + part[1:].lower() for part in text.split("-"))


def _identity(errors: list[FieldError], data: dict[str, Any]) -> tuple[Identity | None, str | None]:
    rn, pp = data.get("rnokpp"), data.get("passport")
    if rn not in (None, ""):
        if not isinstance(rn, (str, int)) or isinstance(rn, bool):
            errors.append(FieldError("rnokpp", "РНОКПП: 10 цифр", "Taxpayer number: 10 digits"))
            return None, None
        try:
            value = rntrc.validate(str(rn))
        except StdnumError:
            errors.append(
                FieldError(
                    "rnokpp",
                    "РНОКПП: 10 цифр з правильною контрольною цифрою; перевірте номер",
                    "Taxpayer number: 10 digits with a valid check digit; please check the number",
                )
            )
            return None, None
        sex = "male" if int(value[8]) % 2 else "female"
        return Identity("rnokpp", value), sex
    if pp not in (None, ""):
        if not isinstance(pp, str):
            errors.append(FieldError("passport", "Паспорт: має бути текстом", "Passport: must be text"))
            return None, None
        text = re.sub(r"[\s\-№]", "", pp).upper().translate(_LATIN_TO_CYR)
        if _BOOKLET.match(text):
            return Identity("passport_booklet", text), None
        if _ID_CARD.match(text):
            return Identity("id_card", text), None
        errors.append(
            FieldError(
                "passport",
                "Паспорт: дві літери і шість цифр (МК123456) або 9 цифр ID-картки",
                "Passport: two Cyrillic letters and six digits (МК123456) or the 9 digits of an ID card",
            )
        )
        return None, None
    errors.append(
        FieldError(
            "rnokpp",
            "Потрібен РНОКПП або, якщо ви відмовилися від нього, паспорт",
            "A taxpayer number (РНОКПП) is required, or a passport if you have refused one",
        )
    )
    return None, None


def _optional_text(errors: list[FieldError], value: Any, field: str, label_uk: str) -> str | None:
    """An optional field's text; None when it is absent, or (with an error) when it is not text."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        errors.append(FieldError(field, f"{label_uk}: має бути текстом", f"{FIELD_EN.get(field, field)}: must be text"))
        return None
    return value


def _phone(errors: list[FieldError], value: Any) -> str | None:
    value = _optional_text(errors, value, "phone", "Телефон")
    if value is None:
        return None
    try:
        num = phonenumbers.parse(value, "UA")
    except phonenumbers.NumberParseException:
        num = None
    if num is None or not phonenumbers.is_valid_number(num) or num.country_code != 380:
        errors.append(
            FieldError("phone", "Телефон: український номер, напр. 067 123 45 67", "Phone: a Ukrainian number, e.g. +380 67 123 45 67")
        )
        return None
    if phonenumbers.number_type(num) not in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        errors.append(
            FieldError("phone", "Телефон: SMS надходять лише на мобільний номер", "Phone: SMS can only go to a mobile number")
        )
        return None
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


def _email(errors: list[FieldError], value: Any) -> str | None:
    value = _optional_text(errors, value, "email", "Е-пошта")
    if value is None:
        return None
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except (EmailNotValidError, UnicodeError, ValueError):
        errors.append(FieldError("email", "Е-пошта: адреса на кшталт name@example.ua", "E-mail: an address like name@example.ua"))
        return None


def _consent(errors: list[FieldError], value: Any, now: dt.datetime) -> Consent | None:
    if value is True:
        return Consent(True, CONSENT_TEXT_VERSION, now.isoformat(timespec="seconds"))
    if isinstance(value, dict) and value.get("given") is True:
        version, at = value.get("text_version", CONSENT_TEXT_VERSION), value.get("given_at")
        if not isinstance(version, str) or not version.strip():
            errors.append(FieldError("consent", "Згода: не вказано версію тексту", "Consent: the text version is missing"))
            return None
        if at is None:
            at = now.isoformat(timespec="seconds")
        try:
            parsed = dt.datetime.fromisoformat(str(at))
        except ValueError:
            errors.append(FieldError("consent", "Згода: дата у форматі ISO 8601", "Consent: the date must be ISO 8601"))
            return None
        return Consent(True, version.strip(), parsed.isoformat(timespec="seconds"))
    errors.append(
        FieldError(
            "consent",
            "Потрібна згода на обробку персональних даних",
            "Consent to the processing of personal data is required",
        )
    )
    return None


def _verified(errors: list[FieldError], value: Any) -> Verification | None:
    if value in (None, False):
        return None
    if (not isinstance(value, dict) or value.get("by") not in VERIFIERS or not isinstance(value.get("at"), str)
            or not isinstance(value.get("address_corrected", False), bool)):
        errors.append(FieldError("verified", "Підтвердження особи: невідоме джерело",
                                 "verified: an unknown verifier or a malformed record"))
        return None
    return Verification(value["by"], value["at"], value.get("address_corrected", False))


def validate(data: Any, *, now: dt.datetime | None = None) -> Applicant:
    """Normalise one applicant record or raise :class:`ApplicantInvalid` with every field error."""
    now = now or dt.datetime.now(dt.UTC).astimezone()
    if not isinstance(data, dict):
        raise ApplicantInvalid([FieldError("*", "Очікується обʼєкт з полями заявника", "expected an object with the applicant's fields")])
    errors: list[FieldError] = []
    surname = _name(errors, data, "surname", required=True)
    name = _name(errors, data, "name", required=True)
    patronymic = _name(errors, data, "patronymic", required=False)

    address = data.get("address")
    if not isinstance(address, str) or len(_clean_text(address)) < 5:
        errors.append(
            FieldError("address", "Місце проживання: населений пункт, вулиця, будинок", "Address: settlement, street, house")
        )
        address_text = ""
    else:
        address_text = _clean_text(address)
        if len(address_text) > LIMITS["address"]:
            errors.append(FieldError("address", "Місце проживання: не довше 300 знаків", "Address: at most 300 characters"))

    kind_raw = data.get("kind")
    kind = KINDS.get(kind_raw.strip().lower()) if isinstance(kind_raw, str) else None
    if kind is None:
        errors.append(
            FieldError("kind", "Вид звернення: заява, пропозиція або скарга", "Kind of appeal: application, proposal or complaint")
        )

    collective = data.get("collective", False)
    if not isinstance(collective, bool):
        errors.append(FieldError("collective", "Колективне: так або ні", "Collective appeal: true or false"))
        collective = False

    identity, sex = _identity(errors, data)
    phone = _phone(errors, data.get("phone"))
    email = _email(errors, data.get("email"))
    consent = _consent(errors, data.get("consent"), now)
    verified = _verified(errors, data.get("verified"))

    if errors:
        raise ApplicantInvalid(errors)
    assert identity is not None and consent is not None and kind is not None
    return Applicant(surname, name, patronymic, address_text, kind, collective, identity, consent, phone, email, sex,
                     verified)
