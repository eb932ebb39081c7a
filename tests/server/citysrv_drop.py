"""A contract-following writer for the EDMS drop folder (what the sync agent does), for tests."""

from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path
from typing import Any

from stdnum.iso7064 import mod_11_2


def number(code: str, seq: int) -> str:
    body = f"{code}{seq:06d}"
    return body + mod_11_2.calc_check_digit(body)


def pdf_bytes(text: str = "Appeal") -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, text)
    out = io.BytesIO()
    pdf.output(out)
    return out.getvalue()


def _atomic(folder: Path, name: str, data: bytes) -> None:
    tmp = folder / f".tmp-{name}.{os.getpid()}"
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, folder / name)


def metadata(doc_id: str, pdf: bytes, surname: str = "Бондаренко", **extra: Any) -> dict[str, Any]:
    """A record valid under docs/schemas/appeal-metadata.schema.json (cf. examples/drop-folder/)."""
    return {
        "schema_version": "1.0", "document_id": doc_id, "document_type": "appeal", "parent_document_id": None,
        "appeal_number": {"compact": doc_id, "display": f"{doc_id[:3]}-{doc_id[3:9]}-{doc_id[9]}"},
        "received_at": "2026-11-28T10:15:02+02:00", "deadline_days": 30, "deadline": "2026-12-28",
        "terminal": {"code": doc_id[:3], "name": "Термінал", "address": "м. Дніпро, просп. Яворницького, 75"},
        "registration_card": {"kind": "complaint", "kind_uk": "скарга", "collective": False,
                              "classifier": {"channel": "1.2", "receipt_mark": "2.1", "kind": "3.3", "sex": "4.1",
                                             "subject": "5.1", "type": "6.2"}},
        "applicant": {"surname": surname, "name": "Іван", "patronymic": "Миколайович",
                      "address": "м. Дніпро, просп. Поля, 10", "phone": "+380501234567", "email": None,
                      "identity": {"type": "rnokpp", "value": "1759013776"}, "sex": "male"},
        "consent": {"given": True, "text_version": "2026-11-01", "given_at": "2026-11-28T10:15:00+02:00"},
        "notification": {"sms": True, "reprint_at_any_terminal": True},
        "files": [{"name": f"{doc_id}.pdf", "media_type": "application/pdf",
                   "sha256": hashlib.sha256(pdf).hexdigest(), "bytes": len(pdf), "pages": 1}],
        **extra,
    }


def deliver(folder: Path, doc_id: str, pdf: bytes | None = None, meta: dict[str, Any] | None = None) -> bytes:
    pdf = pdf if pdf is not None else pdf_bytes(doc_id)
    _atomic(folder, f"{doc_id}.pdf", pdf)
    _atomic(folder, f"{doc_id}.json", json.dumps(meta or metadata(doc_id, pdf), ensure_ascii=False).encode())
    return pdf
