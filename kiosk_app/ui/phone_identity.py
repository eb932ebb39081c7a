"""Resident screens: sign in with BankID on your own phone (the other way to give the identity,
beside typing it; the terminal's side is :mod:`kiosk_app.core.device_flow`, docs/terminal-api.md).

- :class:`IdentityChoice` ("identity", the first identity step when the terminal has a city
  server): "Sign in with BankID on your phone" or "Type them on the screen".
- :class:`DeviceCodeScreen` ("device"): a large QR code of the verification link and the user code
  in big letters, how long the code lasts, Cancel and "Type instead"; it polls the terminal (a
  worker job a poll, timed by the server's interval) until the phone approved or the flow ended.
  Every failure (denied, expired, used code, server away, terminal refused) says so in words,
  leaves nothing half-filled and offers typing.
- :class:`VerifiedScreen` ("verified"): the verified data, marked and not editable; the address
  may be corrected (then the appeal says it was); the resident goes on to kind, SMS and consent.
"""

from __future__ import annotations

import dataclasses
import time

import qrcode
import qrcode.constants

from kiosk_app.core.device_flow import FlowStatus

from .i18n import tr
from .nav import Screen, ScreenId
from .qt import QHBoxLayout, QImage, QLabel, QPixmap, QProgressBar, Qt, QTimer, QVBoxLayout
from .resident import ChoiceQuestion, verified_lines

# What each way a sign-in can end is called on screen (kiosk_app.core.device_flow's states).
FAILURES = ("denied", "expired", "invalid", "refused", "unavailable", "unusable", "cancelled")
RETRY_HELPS = ("denied", "expired", "invalid", "unavailable", "cancelled")    # not: refused, unusable


def qr_pixmap(text: str, side: int) -> QPixmap:
    """``text`` as a QR code (error correction M, the 4-module quiet zone), dark on white whatever
    the theme (a phone reads it in high contrast too), each module a whole number of pixels."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    qr.add_data(text)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    n = len(matrix)
    img = QImage(n, n, QImage.Format.Format_RGB32)
    img.fill(Qt.GlobalColor.white)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                img.setPixel(x, y, 0xFF000000)
    module = max(1, side // n)
    return QPixmap.fromImage(img.scaled(n * module, n * module, Qt.AspectRatioMode.IgnoreAspectRatio,
                                        Qt.TransformationMode.FastTransformation))


def _left(seconds: float, lang: str) -> str:
    """"4 хв 07 с" (said "4 хвилини 7 секунд" by kiosk_app.core.speech_text)."""
    s = max(0, round(seconds))
    return f"{s // 60} {'хв' if lang == 'uk' else 'min'} {s % 60:02d} {'с' if lang == 'uk' else 's'}"


class IdentityChoice(ChoiceQuestion):
    """How the resident gives their identity: on their phone through BankID, or typed here."""

    def choose(self, key: str) -> None:
        if key == "phone":
            self.nav.get(ScreenId.DEVICE, DeviceCodeScreen).begin()
            return
        self.shell.session.forget_verified()
        self.nav.next_step()


class DeviceCodeScreen(Screen):
    def build(self) -> None:
        self.status: FlowStatus | None = None
        self.failure = ""
        self.gen = 0                      # a result of an older flow (cancelled, ended) is ignored
        self.deadline = 0.0
        row = QHBoxLayout()
        row.setSpacing(32)
        self.qr = QLabel(self)
        self.qr.setObjectName("qr")
        self.qr.setAccessibleName(tr("device.qr", "uk"))
        side = self.qr_side()
        self.qr.setFixedSize(side, side)
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        row.addWidget(self.qr)
        col = QVBoxLayout()
        col.setSpacing(8)
        self.code_caption = QLabel(self)
        self.code_caption.setObjectName("small")
        col.addWidget(self.code_caption)
        self.big = QLabel(self)
        self.big.setObjectName("code")
        col.addWidget(self.big)
        self.link = QLabel(self)                       # shown, not read aloud (a link is no use spoken)
        self.link.setObjectName("small")
        self.link.setTextFormat(Qt.TextFormat.PlainText)
        col.addWidget(self.link)
        self.wait = QLabel(self)
        self.wait.setObjectName("wait")
        self.wait.setWordWrap(True)
        self.info = self.wait                          # read aloud with the screen
        col.addWidget(self.wait)
        self.progress = QProgressBar(self)
        self.progress.setTextVisible(False)            # the wait line says the time in words
        col.addWidget(self.progress)
        col.addStretch(1)
        row.addLayout(col, 1)
        self.content.addLayout(row)
        self.poll_timer = QTimer(self)
        self.poll_timer.setSingleShot(True)
        self.poll_timer.timeout.connect(self.poll)
        self.tick = QTimer(self)
        self.tick.setInterval(1000)
        self.tick.timeout.connect(self.render_wait)
        self.add_extra("type", self.type_instead)
        self.primary.clicked.connect(self.begin)          # "try again", shown after a failure
        self.back.clicked.connect(self.cancel)

    def qr_side(self) -> int:
        return round(self.target_px * 5.4)

    # -- the flow -------------------------------------------------------------------------------
    def begin(self) -> None:
        """Ask the terminal for a code and come on screen with it (a new code each time)."""
        self.stop()
        gen = self.gen
        self.session.signing_in = True
        self.session.forget_verified()
        self.failure = ""
        self.setProperty("err", None)
        self.error.clear()
        if self.nav.current != ScreenId.DEVICE:
            self.nav.go(ScreenId.DEVICE)
        else:
            self.shell.refresh()
        shell = self.shell
        shell.hold_idle(True)             # the resident is busy on their phone (the code expires anyway)
        shell.worker.run(lambda progress: shell.t.identity_begin(), lambda st: self.got(gen, st),
                         lambda err: self.got(gen, FlowStatus("unavailable", detail=type(err).__name__)),
                         name="identity begin")

    def poll(self) -> None:
        gen, shell = self.gen, self.shell
        shell.worker.run(lambda progress: shell.t.identity_poll(), lambda st: self.got(gen, st),
                         lambda err: self.got(gen, FlowStatus("unavailable", detail=type(err).__name__)),
                         name="identity poll")

    def got(self, gen: int, st: FlowStatus) -> None:
        if gen != self.gen:
            return
        if st.state == "pending":
            first = self.status is None
            self.status = st
            self.deadline = time.monotonic() + st.expires_in
            if first:
                self.progress.setRange(0, max(1, round(st.expires_in)))
                self.qr.setPixmap(qr_pixmap(st.verification_uri_complete, self.qr_side()))
                if self.nav.current == ScreenId.DEVICE:
                    self.shell.refresh()
                    self.fix_tab_order()
                self.tick.start()
            self.poll_timer.start(max(50, round(st.next_poll_in * 1000)))
        elif st.state == "approved" and st.identity is not None:
            self.stop()
            s = self.session
            s.signing_in = False
            s.verified = st.identity
            s.data.update(st.identity.applicant_fields())
            s.data.pop("address_edit", None)
            self.nav.go(ScreenId.VERIFIED)
        else:
            self.fail(st.state)

    def fail(self, state: str) -> None:
        """The flow ended without data: nothing of it stays on screen; say why, offer typing."""
        self.stop()
        self.session.signing_in = False
        self.session.forget_verified()
        self.failure = state if state in FAILURES else "unavailable"
        self.set_error(tr(f"device.{self.failure}", "uk"), tr(f"device.{self.failure}", "en"))
        if self.nav.current == ScreenId.DEVICE:
            self.shell.refresh()
            self.fix_tab_order()
            self.focus_first()

    def stop(self) -> None:
        """Forget the flow on screen (a late result of it is ignored) and wipe its code."""
        self.gen += 1
        self.poll_timer.stop()
        self.tick.stop()
        self.status = None
        self.qr.clear()
        self.big.clear()
        self.link.clear()
        self.progress.reset()
        self.shell.hold_idle(False)

    def cancel(self) -> None:
        self.leave()
        if "identity" in self.session.steps():
            self.nav.go(ScreenId.IDENTITY)
        else:
            self.shell.end_session("sign-in cancelled")

    def type_instead(self) -> None:
        self.leave()
        self.nav.go(ScreenId.SURNAME)

    def leave(self) -> None:
        """The resident gave up on the phone: the terminal forgets the flow too."""
        if self.session.signing_in:
            shell = self.shell
            shell.worker.run(lambda progress: shell.t.identity_cancel(), on_error=lambda err: None,
                             name="identity cancel")
        self.stop()
        self.session.signing_in = False
        self.failure = ""
        self.setProperty("err", None)
        self.error.clear()

    def reset(self) -> None:
        self.stop()
        self.failure = ""
        super().reset()

    # -- on screen ----------------------------------------------------------------------------------
    def render(self, lang: str) -> None:
        st = self.status
        self.title.setText(tr("device.title", lang))
        self.back.setText(tr("cancel", lang))
        self.extra["type"].setText(tr("device.type", lang))
        self.primary.setText(tr("device.again", lang))
        self.primary.setHidden(self.failure not in RETRY_HELPS)
        waiting = st is not None
        for w in (self.qr, self.code_caption, self.big, self.link, self.progress):
            w.setHidden(not waiting)
        if waiting:
            self.body.setText(tr("device.body", lang))
            self.code_caption.setText(tr("device.code", lang))
            self.big.setText(st.user_code)
            self.link.setText(st.verification_uri)
        else:
            self.body.setText("" if self.failure else tr("device.connecting", lang))
        self.render_wait()
        self.render_error(lang)

    def render_wait(self) -> None:
        if self.status is None:
            self.wait.clear()
            self.wait.hide()
            return
        left = max(0.0, self.deadline - time.monotonic())
        self.wait.setText(tr("device.waiting", self.shell.lang, left=_left(left, self.shell.lang)))
        self.wait.show()
        self.progress.setValue(round(left))

    def show_status(self, st: FlowStatus) -> None:
        """Show a code as the terminal gave it, without polling (the screenshots)."""
        self.stop()
        self.got(self.gen, dataclasses.replace(st, next_poll_in=3600.0))
        self.poll_timer.stop()
        self.tick.stop()


class VerifiedScreen(Screen):
    """The verified data, marked as such and not editable; the address may be corrected."""

    info_personal = True

    def build(self) -> None:
        self.add_info()
        self.add_extra("address", self.correct_address)
        self.primary.clicked.connect(self.next)
        self.back.clicked.connect(self.nav.prev_step)

    def render(self, lang: str) -> None:
        self.title.setText(tr("verified.title", lang))
        self.body.setText(tr("verified.body", lang))
        self.primary.setText(tr("next", lang))
        self.extra["address"].setText(tr("verified.address", lang))
        assert self.info is not None
        self.info.setText(verified_lines(self.session, lang))
        self.render_error(lang)

    def correct_address(self) -> None:
        self.session.data["address_edit"] = True
        self.nav.go(ScreenId.ADDRESS)

    def next(self) -> None:
        self.session.data.pop("address_edit", None)
        self.nav.next_step()
