"""Resident screens, part two: the tray and the intake under way, scanning with previews, the
sheets' summary, the number on screen, faults with Continue/Cancel, the pre-filled form, and the
status by receipt. Every terminal call goes through the shell's worker."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kiosk_app.core import messages
from kiosk_app.core.messages import Message

from .i18n import tr
from .nav import Navigator, Screen, ScreenId
from .qt import QObject, Signal

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from kiosk_app.core.intake import IntakeStopped, Progress

THUMB_H = 480


def thumb_height(n: int, width: int = 1800, gap: int = 12) -> int:
    """Previews of n sheets side by side in one row of the screen (A4 is 1.414 times taller)."""
    each = (width - gap * max(0, n - 1)) / max(1, n)
    return max(60, min(THUMB_H, int(each * 1.414)))


class ProgressRelay(QObject):
    """Made on the main thread; the intake calls ``progress.emit`` from the worker thread."""

    progress = Signal(object)


class TrayScreen(Screen):
    """"Put your sheets in the tray", and the intake it starts: scan, resume after a fault,
    confirm, cancel. The intake's progress goes to the session; its outcome picks the screen."""

    def build(self) -> None:
        self.relay = ProgressRelay(self)
        self.relay.progress.connect(self.on_progress)
        self.primary.clicked.connect(self.start_intake)
        self.back.clicked.connect(lambda: self.nav.go(ScreenId.SUMMARY))

    def render(self, lang: str) -> None:
        self.title.setText(tr("tray.title", lang))
        self.body.setText(tr("tray.body", lang))
        self.primary.setText(tr("tray.start", lang))

    def start_intake(self) -> None:
        s = self.session
        applicant, sms, parent, relay, shell = s.applicant, bool(s.data.get("sms")), s.parent, self.relay, self.shell
        s.previews.clear()
        s.progress = None
        self.nav.go(ScreenId.SCAN)

        def work(progress: Any) -> Any:
            return _scan(shell.t.begin_intake(applicant, sms=sms, parent=parent, progress=relay.progress.emit))

        self.shell.worker.run(work, self.scan_finished, self.intake_failed, name="intake")

    def resume_scan(self) -> None:
        intake = self.session.intake
        self.nav.go(ScreenId.SCAN)

        def work(progress: Any) -> Any:
            return _scan(intake)

        self.shell.worker.run(work, self.scan_finished, self.intake_failed, name="resume")

    def on_progress(self, prog: Progress) -> None:
        s = self.session
        if not s.flow:
            return
        s.progress = prog
        if prog.preview:
            s.previews.append(prog.preview)
        if self.nav.current in (ScreenId.SCAN, ScreenId.SAVING):
            self.shell.refresh()

    def scan_finished(self, out: tuple[Any, IntakeStopped | None]) -> None:
        intake, stop = out
        if not self.session.flow:            # the session ended meanwhile
            if not intake.finished:
                self.shell.worker.run(lambda progress: intake.cancel("session ended"), name="cancel")
            return
        self.session.intake = intake
        if stop is None:
            self.nav.go(ScreenId.SHEETS)
            return
        if stop.code in ("label_unreadable", "label_mismatch"):
            self.session.previews.clear()
        show_fault(self.nav, stop.message, stop.resumable, self.resume_scan, self.cancel_intake, stop.sheet)

    def intake_failed(self, err: BaseException) -> None:
        from kiosk_app.core.intake import IntakeStopped  # loaded by the terminal already
        if isinstance(err, IntakeStopped):           # before a number was issued (tray empty...)
            show_fault(self.nav, err.message, err.resumable, self.start_intake,
                       lambda: self.shell.end_session("cancelled"))
        else:
            log.error("intake failed: %r", err)
            show_fault(self.nav, messages.for_error(err), False, None, lambda: self.shell.end_session("error"))

    def cancel_intake(self) -> None:
        self.shell.end_session("resident cancelled")        # cancels the open intake through the worker

    def confirm_intake(self) -> None:
        intake = self.session.intake
        self.session.progress = None
        self.nav.go(ScreenId.SAVING)
        self.shell.worker.run(lambda progress: intake.confirm(), self.confirmed, self.intake_failed, name="confirm")

    def confirmed(self, result: Any) -> None:
        if not self.session.flow:
            return
        self.session.result = result
        self.nav.go(ScreenId.NUMBER)


def tray(screen: Screen) -> TrayScreen:
    return screen.nav.get(ScreenId.TRAY, TrayScreen)


class ProgressScreen(Screen):
    """A wait with a progress bar and the previews of the sheets so far (scanning, saving)."""

    def build(self) -> None:
        self.add_progress()
        self.add_thumbs()
        self.back.hide()
        self.primary.hide()

    def render(self, lang: str) -> None:
        s = self.session
        assert self.progress is not None
        self.title.setText(tr("scan.title" if self.sid == ScreenId.SCAN else "saving.title", lang))
        prog = s.progress
        self.body.setText(prog.text(lang) if prog else tr("scan.body", lang))
        total = (prog.total if prog and prog.total else 0) or max(1, len(s.previews))
        self.progress.setRange(0, total)
        self.progress.setValue(len(s.previews))
        self.progress.setFormat(f"{len(s.previews)} / {total}")
        if len(self.thumbs) != len(s.previews):
            self.set_thumbs(s.previews, thumb_height(len(s.previews)))


class SheetsScreen(Screen):
    """The sheets as scanned: confirm them, or cancel."""

    def build(self) -> None:
        self.add_thumbs()
        self.add_extra("cancel", lambda: tray(self).cancel_intake())
        self.primary.clicked.connect(lambda: tray(self).confirm_intake())
        self.back.hide()

    def render(self, lang: str) -> None:
        previews = self.session.previews
        self.title.setText(tr("sheets.title", lang, n=len(previews)))
        self.body.setText(tr("sheets.body", lang))
        self.primary.setText(tr("sheets.confirm", lang))
        self.extra["cancel"].setText(tr("cancel", lang))
        if len(self.thumbs) != len(previews):
            self.set_thumbs(previews, thumb_height(len(previews)))


class NumberScreen(Screen):
    """The appeal's number, until the receipt is taken."""

    def build(self) -> None:
        self.add_big()
        self.add_info()
        self.primary.clicked.connect(lambda: self.shell.end_session("receipt taken"))
        self.back.hide()

    def render(self, lang: str) -> None:
        r = self.session.result
        self.title.setText(tr("number.title", lang))
        if r is None:
            return
        assert self.big is not None and self.info is not None
        self.body.setText(tr("number.body", lang))
        self.big.setText(r.number.display)
        self.big.setProperty("spoken", r.number.spoken(lang))
        lines = [tr("number.deadline", lang, date=r.deadline.strftime("%d.%m.%Y"))]
        if r.parent is not None:
            lines.append(tr("number.added", lang, parent=r.parent.display))
        lines += [m.text(lang) for m in r.notices] or [tr("number.take", lang)]
        self.info.setText("\n".join(lines))
        self.primary.setText(tr("number.done", lang))


class FaultScreen(Screen):
    """A fault in plain words, what to do, and Continue / Cancel."""

    def build(self) -> None:
        self.fault: dict[str, Any] = {}
        self.add_info("fault")
        self.add_extra("cancel", lambda: self.fault["cancel"]())
        self.primary.clicked.connect(lambda: self.fault["retry"]())
        self.back.hide()

    def show_fault(self, msg: Message, resumable: bool, retry: Callable[[], None] | None, cancel: Callable[[], None],
                   sheet: int | None = None) -> None:
        self.fault = {"message": msg, "resumable": resumable and retry is not None, "retry": retry, "cancel": cancel,
                      "sheet": sheet}
        self.nav.go(ScreenId.FAULT)

    def render(self, lang: str) -> None:
        m: Message | None = self.fault.get("message")
        if m is None:
            return
        assert self.info is not None
        self.title.setText(tr("fault.staff" if m.staff else "fault.title", lang))
        self.body.setText("")
        self.body.hide()
        self.info.setText(m.text(lang, sheet=self.fault.get("sheet")))
        self.primary.setText(tr("continue", lang))
        self.primary.setHidden(not self.fault["resumable"])
        self.extra["cancel"].setText(tr("cancel" if self.fault["resumable"] else "home", lang))

    def reset(self) -> None:
        super().reset()
        self.fault = {}


def show_fault(nav: Navigator, msg: Message, resumable: bool, retry: Callable[[], None] | None,
               cancel: Callable[[], None], sheet: int | None = None) -> None:
    """Put a fault on the fault screen, with what Continue (``retry``) and Cancel do."""
    nav.get(ScreenId.FAULT, FaultScreen).show_fault(msg, resumable, retry, cancel, sheet)


class FormWaitScreen(Screen):
    """The pre-filled form printing."""

    def build(self) -> None:
        self.back.hide()
        self.primary.hide()

    def render(self, lang: str) -> None:
        self.title.setText(tr("form.printing", lang))
        self.body.setText(tr("wait", lang))

    def end_of_flow(self) -> None:
        """The last question of the form flow was answered: print the form."""
        self.print_form()

    def print_form(self) -> None:
        applicant, shell = self.session.applicant, self.shell
        self.session.progress = None
        self.nav.go(ScreenId.FORM_WAIT)
        shell.worker.run(lambda progress: shell.t.print_form(applicant),
                         lambda _job: self.nav.go(ScreenId.FORM_DONE), self.form_failed, name="print_form")

    def form_failed(self, err: BaseException) -> None:
        show_fault(self.nav, messages.for_error(err, "form_printer"), True, self.print_form, lambda: self.shell.end_session("form not printed"))


class FormDoneScreen(Screen):
    """The form is printed: go home, or hand it in now."""

    def build(self) -> None:
        self.add_extra("submit", lambda: self.nav.start_flow("submit"))
        self.primary.clicked.connect(lambda: self.shell.end_session("form printed"))
        self.back.hide()

    def render(self, lang: str) -> None:
        self.title.setText(tr("form.done.title", lang))
        self.body.setText(tr("form.done.body", lang))
        self.extra["submit"].setText(tr("flow.submit", lang))
        self.primary.setText(tr("home", lang))


class StatusScreen(Screen):
    """An appeal's status and deadline; the answer (or a status slip) printed on request."""

    def build(self) -> None:
        self.add_info()
        self.add_extra("print", self.print_status)
        self.primary.clicked.connect(lambda: self.shell.end_session("status shown"))
        self.back.clicked.connect(lambda: self.nav.go(ScreenId.LOOKUP))

    def render(self, lang: str) -> None:
        st = self.session.status
        if st is None:
            return
        assert self.info is not None
        self.title.setText(tr("status.title", lang, number=st.number.display))
        self.body.setText(tr("status.state", lang, words=st.words(lang)))
        lines = []
        if st.deadline:
            lines.append(tr("status.deadline", lang, date=st.deadline.strftime("%d.%m.%Y")))
        if st.answer_available:
            lines.append(tr("status.answer", lang))
        if self.session.data.get("printed"):
            lines.append(tr("status.answer_printed" if st.answer_available else "status.printed", lang))
        self.info.setText("\n".join(lines))
        self.extra["print"].setText(tr("status.print_answer" if st.answer_available else "status.print", lang))
        self.primary.setText(tr("home", lang))

    def print_status(self) -> None:
        st, shell = self.session.status, self.shell

        def printed(_r: Any) -> None:
            self.session.data["printed"] = True
            if self.nav.current == ScreenId.STATUS:
                shell.refresh()

        device = "form_printer" if st.answer_available else "receipt_printer"

        def failed(err: BaseException) -> None:
            msg = messages.for_error(err, device)
            show_fault(self.nav, msg, True, lambda: (self.nav.go(ScreenId.STATUS), self.print_status()),
                       lambda: shell.end_session("x"))

        # The answer, when it has come, on the sheet printer; otherwise a status slip on the receipt printer.
        job = ((lambda progress: shell.t.print_answer(st)) if st.answer_available
               else (lambda progress: shell.t.print_status(st)))
        shell.worker.run(job, printed, failed, name="print_status")


def _scan(intake: Any) -> tuple[Any, Any]:
    """Scan on the worker: (intake, None) when the sheets are in, (intake, the stop) when the
    intake stopped on a fault the resident can clear."""
    from kiosk_app.core.intake import IntakeStopped

    try:
        intake.scan()
    except IntakeStopped as stop:
        return intake, stop
    return intake, None
