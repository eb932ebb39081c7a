"""One intake: the resident's sheets labelled, scanned, verified, built into a PDF, committed,
receipted and archived. Driven through :class:`kiosk_app.core.terminal.Terminal`.

Two phases, as the resident lives them:

1. :meth:`Intake.scan` takes every sheet from the tray: FEED, LABEL (Code128 of
   ``<number>-<NN>`` and ``№ … · арк. N/M``), PASS to the scanner, scan (duplex where the scanner
   has it), read the label back from the lossless greyscale scan, clean and compress. A device
   fault stops it with :class:`IntakeStopped` saying what to do; :meth:`scan` again resumes from
   the sheet that failed (pages already scanned are kept). A label that does not read back, or
   reads as another number, returns every sheet to the resident and the next :meth:`scan`
   relabels them (12 mm lower) and rescans: no unverified sheet goes into the archive.
2. :meth:`Intake.confirm` (after the resident saw the summary): builds the PDF and the metadata
   record, commits appeal + files + outbox in one transaction, and only then prints the receipt
   and staples the sheets into the archive box. Faults after the commit never undo it: the
   number stays on screen and the receipt can be reprinted.

:meth:`Intake.cancel` returns the sheets and voids the number with the reason.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from PIL import Image

from devices.errors import BinFull, DeviceError, FeederEmpty, StaplesOut, Unplugged

from . import access, imaging, messages, ocr_job
from . import metadata as metadata_mod
from .applicant import Applicant
from .hardware import DeviceSet
from .messages import Message
from .numbering import AppealNumber
from .receipts import ReceiptFacts
from .settings import Config
from .store import AppealRecord, PageRecord, Store, iso

log = logging.getLogger(__name__)
RELABEL_STEP_MM = 12.0


class IntakeHost(Protocol):
    """What an intake uses of the terminal that opened it (``kiosk_app.core.terminal.Terminal``,
    which imports this module: the intake names the terminal only through this protocol)."""

    cfg: Config
    store: Store
    devices: DeviceSet
    ocr_enabled: bool

    def terminal_info(self) -> metadata_mod.TerminalInfo: ...

    def print_receipt(self, facts: ReceiptFacts, notices: list[Message]) -> bool: ...

    def ocr_in_background(self) -> None: ...


@dataclass(frozen=True)
class Progress:
    step: str
    sheet: int | None = None
    total: int | None = None
    preview: bytes | None = None       # a small PNG of the scanned sheet, for the screen

    def text(self, lang: str = "uk") -> str:
        uk, en = messages.STEPS.get(self.step, (self.step, self.step))
        return (uk if lang == "uk" else en).format(sheet=self.sheet, total=self.total)


ProgressFn = Callable[[Progress], None]


class IntakeStopped(Exception):
    """The intake cannot go on until someone acts; ``message`` says what, in plain words."""

    def __init__(self, message: Message, *, device: str = "", code: str = "", sheet: int | None = None,
                 resumable: bool = True, committed: bool = False, number: AppealNumber | None = None) -> None:
        super().__init__(f"{message.code}: {message.en}")
        self.message = message
        self.device = device
        self.code = code or message.code
        self.sheet = sheet
        self.resumable = resumable
        self.committed = committed
        self.number = number

    def text(self, lang: str = "uk") -> str:
        """What the resident reads (the sheet's number filled in)."""
        return self.message.text(lang, self.sheet)


@dataclass
class ScannedSheet:
    sheet: int
    label: str
    pages: list[tuple[str, imaging.ProcessedSheet]]     # (side, processed)


@dataclass
class IntakeResult:
    number: AppealNumber
    parent: AppealNumber | None
    received_at: dt.datetime
    deadline: dt.date
    sheets: int
    pages: int
    receipt_printed: bool
    archive: str                        # binned | held
    stapled: bool
    notices: list[Message] = field(default_factory=list)
    pdf_bytes: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number.display, "compact": self.number.compact,
            "parent": self.parent.display if self.parent else None,
            "received_at": self.received_at.isoformat(timespec="seconds"), "deadline": self.deadline.isoformat(),
            "sheets": self.sheets, "pages": self.pages, "receipt_printed": self.receipt_printed,
            "archive": self.archive, "stapled": self.stapled, "pdf_bytes": self.pdf_bytes,
            "notices": [{"code": m.code, "uk": m.text("uk"), "en": m.text("en")} for m in self.notices],
        }


class Intake:
    def __init__(self, terminal: IntakeHost, applicant: Applicant, *, sms: bool, total: int,
                 intake_id: int, number: AppealNumber, parent: AppealNumber | None = None,
                 progress: ProgressFn | None = None) -> None:
        self.t = terminal
        self.applicant = applicant
        self.sms = sms and applicant.phone is not None
        self.total = total
        self.intake_id = intake_id
        self.number = number
        self.parent = parent
        self.progress = progress or (lambda p: None)
        self.done: list[ScannedSheet] = []
        self._stage: tuple[int, str] | None = None     # (sheet, "fed" | "passed") reached before a fault
        self.label_offset_mm = 0.0
        self.finished = False
        self.result: IntakeResult | None = None

    # -- phase 1: sheets ---------------------------------------------------------------
    def scan(self) -> list[ScannedSheet]:
        """Label, scan and verify every sheet not yet done. Raises IntakeStopped on a fault;
        calling it again resumes from the stage the failed sheet had reached."""
        for sheet in range(len(self.done) + 1, self.total + 1):
            images = self._sheet_through(sheet)
            processed = imaging.process_sides(images, expected_number=self.number.compact)
            front = processed[0]
            if not front.label_ok:
                code = "label_unreadable" if front.label is None else "label_mismatch"
                self._relabel_all(code, sheet, front)
            sides = ["front", "back"][: len(processed)]
            self.done.append(ScannedSheet(sheet, self.number.sheet_payload(sheet), list(zip(sides, processed, strict=True))))
            self._stage = None
            self.t.store.intake_step(self.intake_id, f"scanned {sheet}/{self.total}", self._detail())
            self.progress(Progress("verify", sheet, self.total, _preview(images[0])))
        return self.done

    def _sheet_through(self, sheet: int) -> list[Image.Image]:
        """FEED, LABEL, PASS and scan one sheet, skipping the stages it already went through
        before a fault (``self._stage``). Returns the scanned pages (front, and back if duplex)."""
        mech, scanner = self.t.devices.intake, self.t.devices.scanner
        stage = self._stage[1] if self._stage and self._stage[0] == sheet else None
        step = "feed"
        try:
            if stage is None:
                self._step("feed", sheet)
                mech.feed()
                self._stage = (sheet, "fed")
                stage = "fed"
            if stage == "fed":
                step = "label"
                self._step("label", sheet)
                mech.label(f"№ {self.number.display} · арк. {sheet}/{self.total}", self.number.sheet_payload(sheet),
                           self.t.cfg["intake.label_x"], self.t.cfg["intake.label_y"] + self.label_offset_mm)
                mech.pass_to_scanner()
                self._stage = (sheet, "passed")
            step = "scan"
            self._step("scan", sheet)
            try:
                return list(scanner.scan_batch())
            except FeederEmpty:
                if stage != "passed":
                    raise
                # After a jam the resident put the sheet back in the tray instead of the
                # scanner's feeder: take it again and label it once more, lower down.
                log.info("sheet %d is back in the tray: feeding and labelling it again", sheet)
                self._stage = None
                self.label_offset_mm += RELABEL_STEP_MM
                return self._sheet_through(sheet)
        except DeviceError as err:
            if step == "label":
                self.label_offset_mm += RELABEL_STEP_MM     # a half-printed label must not be overprinted
            self._record_fault(err, sheet, step)
            raise IntakeStopped(messages.for_error(err), device=err.device, code=err.code, sheet=sheet,
                                resumable=not isinstance(err, Unplugged), number=self.number) from err

    def _relabel_all(self, code: str, sheet: int, front: imaging.ProcessedSheet) -> None:
        found = [r.text for r in front.labels]
        log.warning("label check failed on sheet %d: %s (found %s)", sheet, code, found)
        try:
            self.t.devices.intake.return_sheets()
        except DeviceError as err:
            log.error("returning sheets failed: %s", err)
        self.done = []
        self._stage = None
        self.label_offset_mm += RELABEL_STEP_MM
        self.t.store.event(self.number.compact, "label_check_failed", {"sheet": sheet, "code": code, "found": found})
        self.t.store.intake_step(self.intake_id, f"relabel after {code} on sheet {sheet}", self._detail())
        raise IntakeStopped(messages.for_code("*", code), code=code, sheet=sheet, resumable=True, number=self.number)

    # -- phase 2: commit, receipt, archive ------------------------------------------------
    def confirm(self) -> IntakeResult:
        if len(self.done) != self.total:
            raise RuntimeError("confirm() before every sheet was scanned")
        cfg, store = self.t.cfg, self.t.store
        self._step("build")
        received = dt.datetime.now().astimezone()
        kept = [(s, side, p) for s in self.done for side, p in s.pages if not (side == "back" and p.is_blank)]
        with tempfile.TemporaryDirectory(dir=store.spool.tmp) as tmp:
            info = imaging.build_pdf([p.encoded for _, _, p in kept if p.encoded is not None] or
                                     [imaging.encode_page(kept[0][2].cleaned)],
                                     Path(tmp) / "appeal.pdf", title=f"Звернення № {self.number.display}",
                                     number=self.number.compact)
            pdf_data = (Path(tmp) / "appeal.pdf").read_bytes()
        pdf_ref = store.spool.write(pdf_data, kind="pdf", suffix=".pdf")
        record = metadata_mod.build(
            number=self.number, applicant=self.applicant, terminal=self.t.terminal_info(), received_at=received,
            deadline_days=cfg["appeals.deadline_days"],
            pdf=metadata_mod.PdfFacts(f"{self.number.compact}.pdf", pdf_ref.sha256, pdf_ref.bytes, info.pages,
                                      "2b" if info.pdfa == "pass" else None, False),
            sheets=[metadata_mod.SheetFacts(s.sheet, s.label, [_page_fact(side, p) for side, p in s.pages]) for s in self.done],
            sms=self.sms, parent=self.parent,
        )
        meta_ref = store.spool.write(metadata_mod.dumps(record), kind="metadata", suffix=".json")
        deadline = metadata_mod.deadline_for(received, cfg["appeals.deadline_days"])
        code = access.new_code()            # the resident's key: on the receipt, never in a log
        self._step("commit")
        store.commit_appeal(AppealRecord(
            document_id=self.number.compact, number=self.number.compact, kind=self.applicant.kind,
            applicant_json=json.dumps(self.applicant.as_dict(), ensure_ascii=False), pdf=pdf_ref, metadata=meta_ref,
            pages=[PageRecord(s.sheet, side, None, side == "back" and p.is_blank, p.cleaned.coverage)
                   for s in self.done for side, p in s.pages],
            sheets=self.total, received_at=iso(received), deadline=deadline.isoformat(),
            sms_requested=self.sms, parent=self.parent.compact if self.parent else None, intake_id=self.intake_id,
            deliver_after=ocr_job.hold_until(received) if self.t.ocr_enabled else None,
            access_hash=access.hash_code(code), access_code=code,
        ))
        self.finished = True
        result = IntakeResult(self.number, self.parent, received, deadline, self.total, len(kept),
                              receipt_printed=False, archive="held", stapled=False, pdf_bytes=pdf_ref.bytes)
        self.result = result
        self._step("receipt")
        result.receipt_printed = self.t.print_receipt(self.receipt_facts(result), result.notices)
        self._step("archive")
        self._archive(result)
        self._step("done")
        self.t.ocr_in_background()          # the text layer, off the resident's path
        return result

    def receipt_facts(self, r: IntakeResult, copy: bool = False) -> ReceiptFacts:
        cfg = self.t.cfg
        return ReceiptFacts(r.number, self.applicant.kind, r.received_at, r.deadline, r.sheets, r.pages,
                            cfg["terminal.name"], cfg["terminal.address"], cfg["terminal.status_url"], self.sms,
                            parent=self.parent, copy=copy, access_code=self.t.store.receipt_code(r.number.compact))

    def _archive(self, result: IntakeResult) -> None:
        mech, store = self.t.devices.intake, self.t.store
        try:
            try:
                mech.staple_and_bin(staple=True)
                result.stapled, result.archive = self.total > 1, "binned"
            except StaplesOut as err:
                result.notices.append(messages.for_error(err))
                store.event(self.number.compact, "device_fault", err.as_dict())
                mech.staple_and_bin(staple=False)
                result.archive = "binned"
        except (BinFull, DeviceError) as err:
            result.notices.append(messages.for_error(err))
            store.event(self.number.compact, "device_fault", err.as_dict())
            result.archive = "held"
        store.archive(self.number.compact, self.total, result.stapled, result.archive)

    def cancel(self, reason: str) -> None:
        if self.finished:
            return
        try:
            self.t.devices.intake.return_sheets()
        except DeviceError as err:
            log.error("returning sheets on cancel failed: %s", err)
        self.t.store.abandon_intake(self.intake_id, reason)
        self.finished = True
        self.done = []

    # -- helpers --------------------------------------------------------------------
    def _step(self, step: str, sheet: int | None = None) -> None:
        self.progress(Progress(step, sheet, self.total))

    def _detail(self) -> dict[str, Any]:
        return {"kind": self.applicant.kind, "total": self.total, "parent": self.parent.compact if self.parent else None,
                "sheets": [{"sheet": s.sheet, "label": s.label, "pages": len(s.pages)} for s in self.done],
                "label_offset_mm": self.label_offset_mm}

    def _record_fault(self, err: DeviceError, sheet: int, step: str) -> None:
        log.warning("intake stopped at sheet %d (%s): %s %s", sheet, step, err.device, err.code)
        self.t.store.event(self.number.compact, "device_fault", {**err.as_dict(), "sheet": sheet, "step": step})
        self.t.store.intake_step(self.intake_id, f"stopped: {err.device} {err.code} at sheet {sheet} ({step})", self._detail())


def _page_fact(side: str, p: imaging.ProcessedSheet) -> dict[str, Any]:
    fact: dict[str, Any] = {"side": side, "kept": not (side == "back" and p.is_blank),
                            "ink_coverage": round(float(p.cleaned.coverage), 6)}
    if not fact["kept"]:
        fact["reason"] = "blank"
    else:       # what the cleanup decided and why, so the archive can tell how the page was made
        fact["mode"] = p.cleaned.mode
        fact["cleanup"] = list(p.cleaned.notes)
    return fact


def _preview(img: Image.Image, width: int = 240) -> bytes:
    small = img.copy()
    small.thumbnail((width, width * 2))
    buf = io.BytesIO()
    small.save(buf, format="PNG", optimize=False)
    return buf.getvalue()
