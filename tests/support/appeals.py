"""Queued appeals made the way the kiosk commits them, for the tests and the drain benchmark.

Each appeal is committed through :meth:`Store.commit_appeal`: a PDF and a metadata record in the
spool (the record built by :func:`kiosk_app.core.metadata.build` from a validated applicant), the
appeal row and its outbox row in one transaction. The PDF is a real one-page PDF padded with a
PDF comment to the wanted size (readers ignore what follows ``%%EOF``).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

from kiosk_app.core import access
from kiosk_app.core import applicant as applicant_mod
from kiosk_app.core import metadata as md
from kiosk_app.core.store import AppealRecord, PageRecord, Store

EXAMPLE_APPLICANT = Path(__file__).resolve().parents[2] / "examples" / "applicant.json"

_PDF_HEAD = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
             b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def fake_pdf(size: int, rng: random.Random) -> bytes:
    pad = max(0, size - len(_PDF_HEAD))
    body = rng.randbytes(pad // 2).hex().encode()[:pad]
    lines = b"\n".join(b"%" + body[i:i + 76] for i in range(0, len(body), 76))
    return (_PDF_HEAD + lines)[:max(size, len(_PDF_HEAD))]


def load_applicant(path: Path = EXAMPLE_APPLICANT, phone: str | None = None) -> applicant_mod.Applicant:
    data = json.loads(path.read_text(encoding="utf-8"))
    if phone is not None:
        data["phone"] = phone
    return applicant_mod.validate(data)


class AppealMaker:
    """Commit queued appeals into ``store``; the first record is fully validated against the
    schema, later ones are copies with their own number, dates and PDF facts."""

    def __init__(self, store: Store, *, seed: int = 1, pdf_size: tuple[int, int] = (60_000, 150_000),
                 sms: bool = True, phone: str | None = None, distinct_pdfs: int | None = None,
                 access_codes: bool = False) -> None:
        self.store = store
        # access_codes: give each appeal a receipt code as an intake does (PBKDF2, ~0.3 s each;
        # off for bulk benchmarks); the codes are in self.codes, for tests playing the resident.
        self.access_codes = access_codes
        self.codes: dict[str, str] = {}
        self.rng = random.Random(seed)
        self.pdf_size = pdf_size
        self.sms = sms
        self.applicant = load_applicant(phone=phone)
        self.terminal = md.TerminalInfo(code=store.terminal, address="м. Дніпро, просп. Дмитра Яворницького, 75")
        self._template: dict[str, Any] | None = None
        self.distinct_pdfs = distinct_pdfs
        self._pdf_cache: list[Any] = []

    def _pdf(self) -> Any:
        if self.distinct_pdfs and len(self._pdf_cache) >= self.distinct_pdfs:
            return self.rng.choice(self._pdf_cache)
        data = fake_pdf(self.rng.randint(*self.pdf_size), self.rng)
        ref = self.store.spool.write(data, kind="pdf", suffix=".pdf")
        if self.distinct_pdfs:
            self._pdf_cache.append(ref)
        return ref

    def make(self, sheets: int = 3) -> str:
        intake, number = self.store.start_intake()
        received = dt.datetime.now(dt.UTC).astimezone()
        pdf = self._pdf()
        sheet_facts = [md.SheetFacts(s, number.sheet_payload(s), [{"side": "front", "kept": True}])
                       for s in range(1, sheets + 1)]
        facts = md.PdfFacts(f"{number.compact}.pdf", pdf.sha256, pdf.bytes, sheets)
        if self._template is None:
            record = md.build(number=number, applicant=self.applicant, terminal=self.terminal, received_at=received,
                              deadline_days=30, pdf=facts, sheets=sheet_facts, sms=self.sms)
            self._template = record
        else:
            record = copy.deepcopy(self._template)
            record.update({
                "document_id": number.compact,
                "appeal_number": {"compact": number.compact, "display": number.display},
                "received_at": received.isoformat(timespec="seconds"),
                "deadline": md.deadline_for(received, 30).isoformat(),
                "sheets": [{"sheet": s.sheet, "label": s.label, "pages": s.pages} for s in sheet_facts],
            })
            record["files"][0].update({"name": facts.name, "sha256": pdf.sha256, "bytes": pdf.bytes,
                                       "pages": sheets, "sheets": sheets})
        meta = self.store.spool.write(md.dumps(record), kind="metadata", suffix=".json")
        code = access.new_code() if self.access_codes else None
        if code:
            self.codes[number.compact] = code
        self.store.commit_appeal(AppealRecord(
            document_id=number.compact, number=number.compact, kind=self.applicant.kind,
            applicant_json=json.dumps(self.applicant.as_dict(), ensure_ascii=False),
            pdf=pdf, metadata=meta, pages=[PageRecord(s, "front", None, dropped_blank=False) for s in range(1, sheets + 1)],
            sheets=sheets, received_at=received.isoformat(timespec="seconds"),
            deadline=record["deadline"], sms_requested=self.sms and self.applicant.phone is not None, intake_id=intake,
            access_hash=access.hash_code(code) if code else None,
        ))
        return number.compact
