"""The metadata record handed to the EDMS beside each PDF (docs/edms-drop-folder.md), built and
checked against the published JSON Schema before it is written."""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import jsonschema

from .applicant import KIND_CODE, KIND_UK, Applicant
from .numbering import AppealNumber

SCHEMA_VERSION = "1.0"


class MetadataInvalid(ValueError):
    pass


@functools.cache
def schema() -> dict[str, Any]:
    text = resources.files("kiosk_app.core").joinpath("schemas/appeal-metadata.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


@dataclass(frozen=True)
class TerminalInfo:
    code: int
    address: str
    name: str = ""
    channel_code: str = "1.2"
    type_code: str = "6.2"


@dataclass(frozen=True)
class PdfFacts:
    name: str
    sha256: str
    bytes: int
    pages: int
    pdfa: str | None = None
    ocr: bool = False


@dataclass
class SheetFacts:
    sheet: int
    label: str
    pages: list[dict[str, Any]] = field(default_factory=list)   # {"side", "kept", "reason"?, "ink_coverage"?}


def deadline_for(received: dt.datetime, days: int) -> dt.date:
    return (received + dt.timedelta(days=days)).date()


def build(
    *,
    number: AppealNumber,
    applicant: Applicant,
    terminal: TerminalInfo,
    received_at: dt.datetime,
    deadline_days: int,
    pdf: PdfFacts,
    sheets: list[SheetFacts],
    sms: bool,
    parent: AppealNumber | None = None,
) -> dict[str, Any]:
    """The record of a new appeal, or (``parent`` given) of additional documents to ``parent``,
    which have their own ``number``."""
    document_id = number.compact
    sex_code = {"male": "4.1", "female": "4.2"}.get(applicant.sex or "")
    record: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "document_id": document_id,
        "document_type": "appeal" if parent is None else "addition",
        "parent_document_id": None if parent is None else parent.compact,
        "appeal_number": {"compact": number.compact, "display": number.display},
        "received_at": received_at.isoformat(timespec="seconds"),
        "deadline_days": deadline_days,
        "deadline": deadline_for(received_at, deadline_days).isoformat(),
        "terminal": {"code": f"{terminal.code:03d}", "name": terminal.name, "address": terminal.address},
        "registration_card": {
            "kind": applicant.kind,
            "kind_uk": KIND_UK[applicant.kind],
            "collective": applicant.collective,
            "classifier": {
                "channel": terminal.channel_code,
                "receipt_mark": "2.1",
                "kind": KIND_CODE[applicant.kind],
                "sex": sex_code,
                "subject": "5.2" if applicant.collective else "5.1",
                "type": terminal.type_code,
            },
        },
        "applicant": {
            "surname": applicant.surname,
            "name": applicant.name,
            "patronymic": applicant.patronymic,
            "address": applicant.address,
            "phone": applicant.phone,
            "email": applicant.email,
            "identity": {"type": applicant.identity.type, "value": applicant.identity.value},
            "sex": applicant.sex,
        },
        **verification(applicant),
        "consent": {
            "given": True,
            "text_version": applicant.consent.text_version,
            "given_at": applicant.consent.given_at,
        },
        "notification": {"sms": sms and applicant.phone is not None, "reprint_at_any_terminal": True},
        "files": [
            {
                "name": f"{document_id}.pdf",
                "media_type": "application/pdf",
                "sha256": pdf.sha256,
                "bytes": pdf.bytes,
                "pages": pdf.pages,
                "sheets": len(sheets),
                "pdfa": pdf.pdfa,
                "ocr": pdf.ocr,
            }
        ],
        "sheets": [{"sheet": s.sheet, "label": s.label, "pages": s.pages} for s in sheets],
    }
    validate(record)
    return record


def verification(applicant: Applicant) -> dict[str, Any]:
    """``identity_verified`` always; by whom, when, and whether the address is the verified one
    only when it was verified (docs/edms-drop-folder.md)."""
    v = applicant.verified
    if v is None:
        return {"identity_verified": False}
    return {"identity_verified": True, "identity_verified_by": v.by, "identity_verified_at": v.at,
            "address_verified": not v.address_corrected}


def validate(record: dict[str, Any]) -> None:
    validator = jsonschema.Draft202012Validator(schema(), format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(record), key=lambda e: list(e.absolute_path))
    if errors:
        raise MetadataInvalid("; ".join(f"{'/'.join(map(str, e.absolute_path)) or '<record>'}: {e.message}" for e in errors))


def dumps(record: dict[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8") + b"\n"
