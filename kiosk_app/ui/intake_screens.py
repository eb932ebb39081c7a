"""Resident screens, part two: the tray, scanning with previews, the sheets' summary, the number
on screen, faults with Continue/Cancel, the pre-filled form, and the status by receipt. Every
terminal call goes through ``self.worker``."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from devices.errors import DeviceError
from kiosk_app.core import messages
from kiosk_app.core.messages import Message
from kiosk_app.core.numbering import NumberError

from .i18n import tr
from .pages import Page

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from kiosk_app.core.intake import IntakeStopped, Progress

    from .window import KioskWindow

THUMB_H = 480


def thumb_height(n: int, width: int = 1800, gap: int = 12) -> int:
    """Previews of n sheets side by side in one row of the screen (A4 is 1.414 times taller)."""
    each = (width - gap * max(0, n - 1)) / max(1, n)
    return max(60, min(THUMB_H, int(each * 1.414)))


class IntakeScreens:
    # -- tray -----------------------------------------------------------------------------------
    def build_tray(self: KioskWindow, sid: str, p: Page) -> None:
        p.primary.clicked.connect(self.start_intake)
        p.back.clicked.connect(lambda: self.go("summary"))

        def render(lang: str) -> None:
            p.title.setText(tr("tray.title", lang))
            p.body.setText(tr("tray.body", lang))
            p.primary.setText(tr("tray.start", lang))

        p.render = render

    def start_intake(self: KioskWindow) -> None:
        s = self.session
        applicant, sms, parent, relay = s.applicant, bool(s.data.get("sms")), s.parent, self.relay
        s.previews.clear()
        self.last_progress: Progress | None = None
        self.go("scan")

        def work(progress: Any) -> Any:
            from kiosk_app.core.intake import IntakeStopped
            intake = self.t.begin_intake(applicant, sms=sms, parent=parent, progress=relay.progress.emit)
            try:
                intake.scan()
            except IntakeStopped as stop:
                return intake, stop
            return intake, None

        self.worker.run(work, self.scan_finished, self.intake_failed, name="intake")

    def resume_scan(self: KioskWindow) -> None:
        intake = self.session.intake
        self.go("scan")

        def work(progress: Any) -> Any:
            from kiosk_app.core.intake import IntakeStopped
            try:
                intake.scan()
            except IntakeStopped as stop:
                return intake, stop
            return intake, None

        self.worker.run(work, self.scan_finished, self.intake_failed, name="resume")

    def on_progress(self: KioskWindow, prog: Progress) -> None:
        if not self.session.flow:
            return
        self.last_progress = prog
        if prog.preview:
            self.session.previews.append(prog.preview)
        if self.current in ("scan", "saving"):
            self.refresh()

    def scan_finished(self: KioskWindow, out: tuple[Any, IntakeStopped | None]) -> None:
        intake, stop = out
        if not self.session.flow:            # the session ended meanwhile
            if not intake.finished:
                self.worker.run(lambda progress: intake.cancel("session ended"), name="cancel")
            return
        self.session.intake = intake
        if stop is None:
            self.go("sheets")
            return
        if stop.code in ("label_unreadable", "label_mismatch"):
            self.session.previews.clear()
        self.show_fault(stop.message, stop.resumable, self.resume_scan, self.cancel_intake, stop.sheet)

    def intake_failed(self: KioskWindow, err: BaseException) -> None:
        from kiosk_app.core.intake import IntakeStopped  # loaded by the terminal already
        if isinstance(err, IntakeStopped):           # before a number was issued (tray empty...)
            self.show_fault(err.message, err.resumable, self.start_intake, lambda: self.end_session("cancelled"))
        else:
            log.error("intake failed: %r", err)
            self.show_fault(messages.for_error(err), False, None, lambda: self.end_session("error"))

    def cancel_intake(self: KioskWindow) -> None:
        self.end_session("resident cancelled")        # cancels the open intake through the worker

    # -- waits with progress and previews ----------------------------------------------------------------
    def build_scan(self: KioskWindow, sid: str, p: Page) -> None:
        self._build_progress_page(sid, p)

    def build_saving(self: KioskWindow, sid: str, p: Page) -> None:
        self._build_progress_page(sid, p)

    def _build_progress_page(self: KioskWindow, sid: str, p: Page) -> None:
        p.add_progress()
        p.add_thumbs()
        p.back.hide()
        p.primary.hide()

        def render(lang: str) -> None:
            p.title.setText(tr("scan.title" if sid == "scan" else "saving.title", lang))
            prog = getattr(self, "last_progress", None)
            p.body.setText(prog.text(lang) if prog else tr("scan.body", lang))
            total = (prog.total if prog and prog.total else 0) or max(1, len(self.session.previews))
            p.progress.setRange(0, total)
            p.progress.setValue(len(self.session.previews))
            p.progress.setFormat(f"{len(self.session.previews)} / {total}")
            if len(p.thumbs) != len(self.session.previews):
                p.set_thumbs(self.session.previews, thumb_height(len(self.session.previews)))

        p.render = render

    # -- the sheets, then confirm ---------------------------------------------------------------
    def build_sheets(self: KioskWindow, sid: str, p: Page) -> None:
        p.add_thumbs()
        p.add_extra("cancel", self.cancel_intake)
        p.primary.clicked.connect(self.confirm_intake)
        p.back.hide()

        def render(lang: str) -> None:
            p.title.setText(tr("sheets.title", lang, n=len(self.session.previews)))
            p.body.setText(tr("sheets.body", lang))
            p.primary.setText(tr("sheets.confirm", lang))
            p.extra["cancel"].setText(tr("cancel", lang))
            if len(p.thumbs) != len(self.session.previews):
                p.set_thumbs(self.session.previews, thumb_height(len(self.session.previews)))

        p.render = render

    def confirm_intake(self: KioskWindow) -> None:
        intake = self.session.intake
        self.last_progress = None
        self.go("saving")
        self.worker.run(lambda progress: intake.confirm(), self.confirmed, self.intake_failed, name="confirm")

    def confirmed(self: KioskWindow, result: Any) -> None:
        if not self.session.flow:
            return
        self.session.result = result
        self.go("number")

    # -- the number, until the receipt is taken -------------------------------------------------------
    def build_number(self: KioskWindow, sid: str, p: Page) -> None:
        p.add_big()
        p.add_info()
        p.primary.clicked.connect(lambda: self.end_session("receipt taken"))
        p.back.hide()

        def render(lang: str) -> None:
            r = self.session.result
            p.title.setText(tr("number.title", lang))
            if r is None:
                return
            p.body.setText(tr("number.body", lang))
            p.big.setText(r.number.display)
            p.big.setProperty("spoken", r.number.spoken(lang))
            lines = [tr("number.deadline", lang, date=r.deadline.strftime("%d.%m.%Y"))]
            if r.parent is not None:
                lines.append(tr("number.added", lang, parent=r.parent.display))
            lines += [m.text(lang) for m in r.notices] or [tr("number.take", lang)]
            p.info.setText("\n".join(lines))
            p.primary.setText(tr("number.done", lang))

        p.render = render

    # -- faults: plain words, what to do, Continue / Cancel ---------------------------------------------
    def show_fault(self: KioskWindow, msg: Message, resumable: bool, retry: Any, cancel: Any,
                   sheet: int | None = None) -> None:
        self.fault = {"message": msg, "resumable": resumable and retry is not None, "retry": retry, "cancel": cancel,
                      "sheet": sheet}
        self.go("fault")

    def build_fault(self: KioskWindow, sid: str, p: Page) -> None:
        p.add_info("fault")
        p.add_extra("cancel", lambda: self.fault["cancel"]())
        p.primary.clicked.connect(lambda: self.fault["retry"]())
        p.back.hide()

        def render(lang: str) -> None:
            m: Message | None = self.fault.get("message")
            if m is None:
                return
            p.title.setText(tr("fault.staff" if m.staff else "fault.title", lang))
            p.body.setText("")
            p.body.hide()
            p.info.setText(m.text(lang, sheet=self.fault.get("sheet")))
            p.primary.setText(tr("continue", lang))
            p.primary.setHidden(not self.fault["resumable"])
            p.extra["cancel"].setText(tr("cancel" if self.fault["resumable"] else "home", lang))

        p.render = render

    # -- the pre-filled form ------------------------------------------------------------------
    def print_form(self: KioskWindow) -> None:
        applicant = self.session.applicant
        self.last_progress = None
        self.go("form_wait")
        self.worker.run(lambda progress: self.t.print_form(applicant), lambda _job: self.go("form_done"),
                        self.form_failed, name="print_form")

    def form_failed(self: KioskWindow, err: BaseException) -> None:
        msg = messages.for_error(err, "form_printer") if isinstance(err, DeviceError) else messages.GENERIC
        self.show_fault(msg, True, self.print_form, lambda: self.end_session("form not printed"))

    def build_form_wait(self: KioskWindow, sid: str, p: Page) -> None:
        p.back.hide()
        p.primary.hide()
        p.render = lambda lang: (p.title.setText(tr("form.printing", lang)), p.body.setText(tr("wait", lang)))

    def build_form_done(self: KioskWindow, sid: str, p: Page) -> None:
        p.add_extra("submit", lambda: self.start_flow("submit"))
        p.primary.clicked.connect(lambda: self.end_session("form printed"))
        p.back.hide()

        def render(lang: str) -> None:
            p.title.setText(tr("form.done.title", lang))
            p.body.setText(tr("form.done.body", lang))
            p.extra["submit"].setText(tr("flow.submit", lang))
            p.primary.setText(tr("home", lang))

        p.render = render

    # -- status by receipt ---------------------------------------------------------------------
    def lookup(self: KioskWindow, compact: str) -> None:
        p = self.pages["lookup"]
        p.error.setText(tr("lookup.searching", self.lang))

        def failed(err: BaseException) -> None:
            if isinstance(err, NumberError):
                self.set_error(p, err.uk, err.en)
            elif isinstance(err, LookupError):
                self.set_error(p, tr("status.unknown", "uk"), tr("status.unknown", "en"))
            else:
                self.set_error(p, tr("error.generic", "uk"), tr("error.generic", "en"))

        def found(status: Any) -> None:
            self.session.status = status
            self.session.data["printed"] = False
            self.go("status")

        self.worker.run(lambda progress: self.t.lookup(compact), found, failed, name="lookup")

    def build_status(self: KioskWindow, sid: str, p: Page) -> None:
        p.add_info()
        p.add_extra("print", self.print_status)
        p.primary.clicked.connect(lambda: self.end_session("status shown"))
        p.back.clicked.connect(lambda: self.go("lookup"))

        def render(lang: str) -> None:
            st = self.session.status
            if st is None:
                return
            p.title.setText(tr("status.title", lang, number=st.number.display))
            p.body.setText(tr("status.state", lang, words=st.words(lang)))
            lines = []
            if st.deadline:
                lines.append(tr("status.deadline", lang, date=st.deadline.strftime("%d.%m.%Y")))
            if st.answer_available:
                lines.append(tr("status.answer", lang))
            if self.session.data.get("printed"):
                lines.append(tr("status.answer_printed" if st.answer_available else "status.printed", lang))
            p.info.setText("\n".join(lines))
            p.extra["print"].setText(tr("status.print_answer" if st.answer_available else "status.print", lang))
            p.primary.setText(tr("home", lang))

        p.render = render

    def print_status(self: KioskWindow) -> None:
        st = self.session.status

        def printed(_r: Any) -> None:
            self.session.data["printed"] = True
            if self.current == "status":
                self.refresh()

        device = "form_printer" if st.answer_available else "receipt_printer"

        def failed(err: BaseException) -> None:
            msg = messages.for_error(err, device)
            self.show_fault(msg, True, lambda: (self.go("status"), self.print_status()), lambda: self.end_session("x"))

        # The answer, when it has come, on the sheet printer; otherwise a status slip on the receipt printer.
        job = (lambda progress: self.t.print_answer(st)) if st.answer_available else (lambda progress: self.t.print_status(st))
        self.worker.run(job, printed, failed, name="print_status")
