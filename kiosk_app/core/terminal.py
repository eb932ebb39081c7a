"""``Terminal``: the one front door of the UI-free terminal. The touchscreen app, ``kioskctl`` and
the tests drive the terminal only through it.

Not thread-safe by design: the UI calls it from one worker thread (never the UI thread), one
call at a time. Opening it recovers the store (see :meth:`kiosk_app.core.store.Store.recover`).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from pathlib import Path
from typing import Any

from devices.errors import DeviceError

from . import access, forms, messages, ocr_job
from . import applicant as applicant_mod
from .answers import AccessDenied, AccessKeys, AnswerClient, AnswerLookup, local_answer, server_answer
from .applicant import Applicant
from .device_flow import DeviceFlow, FlowStatus
from .hardware import DeviceSet
from .intake import Intake, IntakeStopped, ProgressFn
from .messages import Message
from .metadata import TerminalInfo
from .numbering import parse
from .receipts import ReceiptFacts, appeal_receipt, status_receipt
from .settings import Config
from .store import Store

log = logging.getLogger(__name__)
# The events a technician sees on the service page as "recent errors".
SERVICE_EVENTS = ("device_fault", "receipt_failed", "label_check_failed", "service_pin_failed", "service_locked")


class Terminal:
    def __init__(self, cfg: Config, *, devices: DeviceSet | None = None) -> None:
        self.cfg = cfg
        self.store = Store(cfg["store.dir"], terminal=cfg["terminal.code"])
        self.recovery = self.store.recover()
        if self.recovery.interrupted_intakes or self.recovery.voided_numbers:
            log.warning("recovered: %d interrupted intake(s), %d number(s) voided",
                        len(self.recovery.interrupted_intakes), len(self.recovery.voided_numbers))
        self.devices = devices or DeviceSet.from_config(cfg)
        self.ocr_enabled = bool(cfg["intake.ocr"]) and ocr_job.available()
        self._ocr_thread: threading.Thread | None = None
        self._ocr_wanted = threading.Event()
        self.keys = AccessKeys(self.store)
        self._flow: DeviceFlow | None = None      # the resident's sign-in on their phone, if one is under way

    def ocr_pending(self) -> list[str]:
        """Add the OCR text layer to appeals held for it (after their receipts; slow: seconds a page)."""
        return ocr_job.run_pending(self.store) if self.ocr_enabled else []

    def ocr_in_background(self) -> None:
        """Start (or wake) the OCR thread; it uses its own store connection. Called after each receipt."""
        if not self.ocr_enabled:
            return
        self._ocr_wanted.set()
        if self._ocr_thread is None or not self._ocr_thread.is_alive():
            self._ocr_thread = threading.Thread(target=self._ocr_worker, name="ocr", daemon=True)
            self._ocr_thread.start()

    def ocr_wait(self, timeout: float | None = None) -> None:
        if self._ocr_thread is not None:
            self._ocr_thread.join(timeout)

    def _ocr_worker(self) -> None:
        store = Store(self.cfg["store.dir"], terminal=self.cfg["terminal.code"])
        try:
            while self._ocr_wanted.is_set():
                self._ocr_wanted.clear()
                ocr_job.run_pending(store)
        except Exception:
            log.exception("OCR worker failed; held appeals go without a text layer when their hold lapses")
        finally:
            store.close()

    def close(self) -> None:
        self.devices.close()
        self.store.close()

    def terminal_info(self) -> TerminalInfo:
        c = self.cfg
        return TerminalInfo(c["terminal.code"], c["terminal.address"], c["terminal.name"],
                            c["edms.channel_code"], c["edms.type_code"])

    # -- residents ----------------------------------------------------------------------
    @staticmethod
    def validate_applicant(data: Any) -> Applicant:
        return applicant_mod.validate(data)

    def form_pdf(self, applicant: Applicant) -> bytes:
        return forms.render_form(applicant, addressee=self.cfg["forms.addressee"], terminal_name=self.cfg["terminal.name"])

    def print_form(self, applicant: Applicant) -> Any:
        """Print the pre-filled form on the form printer and wait for the job; raises DeviceError."""
        printer = self.devices.form_printer
        job = printer.print_pdf(self.form_pdf(applicant), job_name="blank-form")
        self.store.event(None, "form_printed", {"kind": applicant.kind})
        return job

    def begin_intake(self, applicant: Applicant, *, sms: bool, parent: str | None = None,
                     progress: ProgressFn | None = None) -> Intake:
        """Check the tray, then open an intake with a fresh number. ``parent``: the number of
        the appeal these documents are added to. Raises IntakeStopped (nothing issued) when the
        tray is empty, holds too many sheets, or the mechanism cannot be reached."""
        parent_number = parse(parent) if parent else None
        try:
            total = self.devices.intake.tray_count()
        except DeviceError as err:
            raise IntakeStopped(messages.for_error(err), device=err.device, code=err.code, resumable=True) from err
        if total == 0:
            raise IntakeStopped(messages.for_code("intake", "tray_empty"), device="intake", resumable=True)
        if total > self.cfg["intake.max_sheets"]:
            raise IntakeStopped(messages.for_code("*", "too_many_sheets"), resumable=True)
        intake_id, number = self.store.start_intake(
            "scan", {"kind": applicant.kind, "total": total, "parent": parent_number.compact if parent_number else None})
        return Intake(self, applicant, sms=sms, total=total, intake_id=intake_id, number=number,
                      parent=parent_number, progress=progress)

    def print_receipt(self, facts: ReceiptFacts, notices: list[Message]) -> bool:
        """Print an appeal's receipt; a printer fault becomes a notice (the appeal stands)."""
        try:
            self.devices.receipt_printer.print_receipt(appeal_receipt(facts))
        except DeviceError as err:
            notices.append(messages.for_error(err, "receipt_printer"))
            self.store.event(facts.number.compact, "receipt_failed", err.as_dict())
            return False
        self.store.event(facts.number.compact, "receipt_printed", {"copy": facts.copy})
        if facts.access_code:
            self.store.forget_receipt_code(facts.number.compact)   # the resident holds it now
        return True

    def reprint_receipt(self, number_text: str) -> list[Message]:
        """Print a copy of a committed appeal's receipt from this terminal's store."""
        number = parse(number_text)
        row = self.store.appeal(number.compact)
        if row is None:
            raise LookupError(f"appeal {number.display} was not taken at this terminal")
        received = dt.datetime.fromisoformat(row["received_at"]).astimezone()    # stored UTC, printed local
        facts = ReceiptFacts(number, row["kind"], received, dt.date.fromisoformat(row["deadline"]), row["sheets"],
                             row["pages"], self.cfg["terminal.name"], self.cfg["terminal.address"],
                             self.cfg["terminal.status_url"], bool(row["sms_requested"]),
                             parent=parse(row["parent"]) if row["parent"] else None, copy=True,
                             access_code=row["access_code"])
        notices: list[Message] = []
        self.print_receipt(facts, notices)
        return notices

    def lookup(self, number_text: str, code: str | None = None) -> AnswerLookup:
        """Like :meth:`answer`, but an appeal nobody knows is a LookupError (the screen says so)."""
        found = self.answer(number_text, code)
        if found.state == "unknown":
            raise LookupError(f"appeal {found.number.display} is not known here ({found.detail})")
        return found

    def answer(self, number_text: str, code: str | None = None) -> AnswerLookup:
        """The answer to an appeal, from this terminal's store or the city server; else its
        status and deadline. Nothing without the receipt's access code (docs/receipt.md):
        raises AccessDenied for a missing or wrong code, AccessLocked after too many wrong ones,
        NumberError for a mistyped number. ``number_text`` may be what the reader scanned
        from the receipt's QR code (the status link: number and code) or number and code typed
        into one field (``017-000123-4 K7M2Q-9XH4T``)."""
        scanned_number, scanned_code = access.from_typed(number_text) if code is None else (number_text, None)
        number = parse(scanned_number)
        code = code or scanned_code
        if not code:
            raise AccessDenied(number, "no code")
        row = self.store.appeal(number.compact)
        if row is not None:     # taken here: checked against the hash in the store (none: no code opens it)
            self.keys.check(number.compact, code, row["access_hash"] or "")  # raises AccessDenied / AccessLocked
        else:
            self.keys.check_format(number.compact, code)
        code = access.normalize(code)           # well-formed by now; Cyrillic look-alikes cannot go in a header
        outbox = self.store.outbox.entry(number.compact)
        pdf = local_answer(self.store, number) if row is not None else None
        if pdf is not None:
            return AnswerLookup(number, "answered", _date(row and row["deadline"]), outbox.get("registration_index"), pdf, "local")
        client = self._server_client()
        if client is not None:
            try:
                info, pdf = server_answer(client, number, code)
                self.keys.succeeded(number.compact)
                return AnswerLookup(number, "answered" if pdf else info.get("status", "registered"),
                                    _date(info.get("deadline")), info.get("registration_index"), pdf, "server")
            except Exception as err:   # the server's trouble must not become the resident's
                refusal = getattr(err, "code", "")       # ServerRefused (imported lazily with requests)
                if refusal in ("access_denied", "access_locked"):
                    self.keys.server_refused(number.compact, refusal)     # raises
                detail = f"{type(err).__name__} {refusal}".strip()      # never the code: the message may echo it
                log.warning("answer lookup at the server failed: %s", detail)
        else:
            detail = "no server configured"
        if row is not None:
            return AnswerLookup(number, row["state"], _date(row["deadline"]), outbox.get("registration_index"), None,
                                "local", detail)
        return AnswerLookup(number, "unknown", None, None, None, "none", detail)

    def print_answer(self, lookup: AnswerLookup) -> Any:
        """Print the answer on the form printer; raises DeviceError."""
        if lookup.pdf is None:
            raise ValueError("no answer to print")
        job = self.devices.form_printer.print_pdf(lookup.pdf, job_name=f"answer-{lookup.number.compact}")
        self.store.event(lookup.number.compact, "answer_printed", {"source": lookup.source})
        self.store.outbox.answer_printed(lookup.number.compact)     # the answer leaves the terminal
        return job

    def _server_client(self) -> AnswerClient | None:
        url, token_file = self.cfg["server.url"], self.cfg["server.token_file"]
        if not url:
            return None
        from .server_client import ServerClient, ServerError, Timeouts, read_token

        try:
            token = read_token(token_file)
        except ServerError as err:
            log.warning("cannot read the server credential %s: %s", token_file, getattr(err.__cause__, "strerror", err))
            return None
        import requests

        return ServerClient(requests.Session(), url, token,
                            timeouts=Timeouts(self.cfg["server.connect_timeout"], self.cfg["server.read_timeout"],
                                              self.cfg["server.read_timeout"]))

    # -- sign in with BankID on the resident's phone (RFC 8628; kiosk_app.core.device_flow) ----------
    def identity_begin(self) -> FlowStatus:
        """Ask the city server for a code the resident opens on their phone (any flow under way
        is forgotten first). ``unavailable`` when no server is configured or it cannot be reached:
        the resident types instead. The device code stays here; the status carries the user code
        and the links."""
        self.identity_cancel()
        client = self._server_client()
        if client is None:
            return FlowStatus("unavailable", detail="no server configured")
        flow = DeviceFlow(client)
        status = flow.start()
        self._flow = None if status.done else flow
        self.store.event(None, "identity_flow", {"state": "started" if not status.done else status.state})
        return status

    def identity_poll(self) -> FlowStatus:
        """At most one poll of the server (never sooner than its interval). Once the flow is over
        it is forgotten here: the verified claims, if any, exist only in the returned status."""
        flow = self._flow
        if flow is None:
            return FlowStatus("cancelled", detail="no sign-in under way")
        status = flow.poll()
        if status.done:
            self._flow = None
            self.store.event(None, "identity_flow", {"state": status.state, "polls": flow.polls})
        return status

    def identity_cancel(self) -> None:
        """The resident chose to type, or the session ended: forget the flow (a later approval on
        the phone reaches nobody)."""
        if self._flow is not None:
            self._flow.cancel()
            self._flow = None
            self.store.event(None, "identity_flow", {"state": "cancelled"})

    def print_status(self, status: AnswerLookup) -> None:
        self.devices.receipt_printer.print_receipt(
            status_receipt(status.number, status.words("uk"), status.words("en"), status.deadline, self.cfg["terminal.name"]))

    # -- technicians ----------------------------------------------------------------------
    def device_status(self, publish: bool = True) -> dict[str, Any]:
        statuses = self.devices.status_all()
        if publish:
            self.devices.publish(Path(self.cfg["store.dir"]) / "device-status.json", statuses)
        return {k: s.as_dict() for k, s in statuses.items()}

    def box(self) -> dict[str, Any]:
        """The archive box now: which appeals, which sheets, and what is held inside the terminal."""
        return self.store.box()

    def empty_box(self, by: str) -> dict[str, Any]:
        """The technician took the box out: close it (its manifest is returned) and open a new one."""
        manifest = self.store.empty_box(by)
        try:
            self.devices.intake.bin_emptied()
        except DeviceError as err:
            log.error("telling the mechanism the bin was emptied failed: %s", err)
        self.store.event(None, "box_emptied", {"box": manifest["box"], "appeals": manifest["appeals"]})
        return manifest

    def intakes(self, states: tuple[str, ...] = ("open", "interrupted", "abandoned")) -> list[dict[str, Any]]:
        return self.store.intakes(states)

    def verify(self) -> list[str]:
        """Every broken invariant of the store (missing or altered files...); empty: consistent."""
        return self.store.check(full=True)

    def test_print(self) -> dict[str, Any]:
        """The technician's test receipt: the printer's answer, or its fault, as a dict."""
        from devices.receipt_printer import test_receipt
        try:
            return self.devices.receipt_printer.print_receipt(test_receipt()).as_dict()
        except DeviceError as err:
            return err.as_dict()

    def test_scan(self) -> dict[str, Any]:
        """Scan what is in the feeder: each page's size and the labels read on it."""
        from .imaging import read_labels
        pages: list[dict[str, Any]] = []
        try:
            for img in self.devices.scanner.scan_batch():
                pages.append({"width": img.width, "height": img.height, "labels": [r.text for r in read_labels(img)]})
        except DeviceError as err:
            return {"ok": False, "pages": pages, "error": err.as_dict()}
        return {"ok": True, "pages": pages}

    def modem_check(self) -> dict[str, Any]:
        """Ask the GSM modem for SIM, registration, operator and signal. The modem is the sync
        agent's device: stop the agent first."""
        from devices import modem
        m = modem.from_config(self.cfg.section("devices.modem"))
        try:
            return m.check()                  # reports a failing modem in "ok"/"error", never raises for it
        except DeviceError as err:
            return {"ok": False, "error": err.as_dict()}
        finally:
            m.close()

    def service_summary(self) -> dict[str, Any]:
        """Everything the service page shows: devices, the archive box, the outbox, recent errors."""
        counts = self.store.counts(recent_events=SERVICE_EVENTS)
        box = self.box()
        return {"devices": self.device_status(), "box": {k: box[k] for k in ("box", "appeals", "sheets", "not_archived")},
                "outbox": counts["outbox"], "outbox_oldest_pending": counts["outbox_oldest_pending"],
                "appeals": counts["appeals"],
                "errors": [{"at": e["at"], "event": e["event"],
                            **{k: v for k, v in e["detail"].items() if k in ("device", "code", "sheet")}}
                           for e in counts["events"]]}

    def ocr_added(self, number_text: str) -> bool:
        """Whether the OCR text layer was added to this appeal."""
        return self.store.has_event(parse(number_text).compact, "ocr_added")

    # -- the handheld reader and the record of what happened ------------------------------------
    def open_reader(self) -> None:
        """Open the handheld reader's port early: a code scanned before it is open is lost."""
        self.devices.barcode_reader.open()

    def read_barcode(self, timeout: float) -> str | None:
        """A code the resident held under the reader within ``timeout`` seconds, or None."""
        return self.devices.barcode_reader.read(timeout=timeout)

    def service_pin(self, pin: str) -> dict[str, Any]:
        """One try of the technician's PIN against ``service.pin_hash``; the count of wrong PINs
        and the lockout are kept in the store, so a restart does not reset them. Returns
        ``{"ok", "locked_for", "left", "refused"}`` (``refused``: locked, the PIN was not checked)."""
        from .pin import attempt

        return attempt(self.store, pin, self.cfg["service.pin_hash"], self.cfg["service.max_pin_attempts"],
                       self.cfg["service.lockout"])

    def log_event(self, document_id: str | None, event: str, detail: dict[str, Any] | None = None) -> None:
        """Record a front end's event (service mode entered, a PIN refused...) in the store."""
        self.store.event(document_id, event, detail or {})


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def message_dict(m: Message) -> dict[str, Any]:
    return {"code": m.code, "uk": m.text("uk"), "en": m.text("en"), "staff": m.staff}
