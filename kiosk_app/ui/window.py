"""The kiosk window: the resident's session and the navigator of screens, in a frame with the idle
banner; the shared services the screens use (the language, the theme's accessibility choices,
speech, the idle timer and the one background worker). The screens themselves are classes in
:mod:`.resident`, :mod:`.intake_screens` and :mod:`.service`, named in :data:`SCREENS`."""

from __future__ import annotations

import logging
from typing import Any

from .i18n import tr
from .idle import IdleBanner, IdleGuard, banner_text
from .intake_screens import (
    FaultScreen,
    FormDoneScreen,
    FormWaitScreen,
    NumberScreen,
    ProgressScreen,
    SheetsScreen,
    StatusScreen,
    TrayScreen,
)
from .keypad import KeypadGuard, spoken_char
from .nav import Navigator, Screen, ScreenId
from .pages import PIXMAPS
from .phone_identity import DeviceCodeScreen, IdentityChoice, VerifiedScreen
from .qt import QStackedWidget, Qt, QTimer, QVBoxLayout, QWidget
from .resident import ChoiceQuestion, NumberEntry, SummaryScreen, TextQuestion, WelcomeScreen
from .service import PinScreen, ServiceScreen
from .session import Session
from .speech import Speaker
from .theme import Theme
from .worker import Worker

log = logging.getLogger(__name__)

ID = ScreenId
# Which class builds which screen.
SCREENS: dict[ScreenId, type[Screen]] = {
    ID.WELCOME: WelcomeScreen,
    ID.IDENTITY: IdentityChoice, ID.DEVICE: DeviceCodeScreen, ID.VERIFIED: VerifiedScreen,
    **{sid: TextQuestion for sid in (ID.SURNAME, ID.NAME, ID.PATRONYMIC, ID.ADDRESS, ID.RNOKPP, ID.PASSPORT, ID.PHONE)},
    **{sid: ChoiceQuestion for sid in (ID.IDTYPE, ID.KIND, ID.SMS, ID.CONSENT)},
    ID.SUMMARY: SummaryScreen,
    ID.TRAY: TrayScreen, ID.SCAN: ProgressScreen, ID.SHEETS: SheetsScreen, ID.SAVING: ProgressScreen,
    ID.NUMBER: NumberScreen, ID.FAULT: FaultScreen, ID.FORM_WAIT: FormWaitScreen, ID.FORM_DONE: FormDoneScreen,
    ID.PARENT: NumberEntry, ID.LOOKUP: NumberEntry, ID.STATUS: StatusScreen,
    ID.PIN: PinScreen, ID.SERVICE: ServiceScreen,
}
# Built one per event-loop turn once welcome is up, so that none is first built while the scanner
# works (the technician's screens when needed).
PREBUILD = [sid for sid in ScreenId if sid not in (ID.WELCOME, ID.PIN, ID.SERVICE)]


class KioskWindow(QWidget):
    def __init__(self, terminal: Any, *, cfg: Any = None, speech_engine: str | None = None,
                 lang: str | None = None) -> None:
        """``terminal``: an open :class:`~kiosk_app.core.terminal.Terminal`, or a function that opens
        one; then it is opened on the worker (its imports take a second) while welcome is already
        on screen, and jobs queued meanwhile run after it. ``cfg`` is then required."""
        super().__init__()
        opener = terminal if callable(terminal) and not hasattr(terminal, "cfg") else None
        self.t: Any = None if opener else terminal
        cfg = cfg if cfg is not None else terminal.cfg
        self.cfg = cfg
        self.setObjectName("root")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setWindowTitle(tr("app.title"))
        self.default_lang = lang or cfg["ui.language"]
        self.lang = self.default_lang
        self.theme = Theme()
        self.speak_screens = False
        self.speech_enabled = bool(cfg["ui.speech"])
        # Sign in with BankID on the phone: offered when the terminal has a city server to ask.
        self.phone_sign_in = bool(cfg["server.url"]) and bool(cfg["identity.phone_sign_in"])
        self.session = Session(phone_sign_in=self.phone_sign_in)
        self.worker = Worker(self)
        self.speaker = Speaker(speech_engine, self)
        self.headphones = False
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        self.banner = IdleBanner(self)
        lay.addWidget(self.banner)
        stack = QStackedWidget(self)
        lay.addWidget(stack, 1)
        self.nav = Navigator(self, stack, SCREENS, on_build=self._connect_header)
        self.nav.shown.connect(self._shown)
        self.banner.visible.connect(lambda on: self.nav.current_screen().head.setHidden(on) if self.nav.current else None)
        self.idle = IdleGuard(cfg["session.idle_timeout"], cfg["session.idle_warning"], self)
        self.idle.expired.connect(lambda: self.end_session("idle timeout"))
        self.idle.tick.connect(self._idle_tick)
        self.banner.stay.clicked.connect(self.idle.reset)
        self.worker.busy_changed.connect(self._busy)
        self.apply_theme()
        self.keypad = KeypadGuard(self)
        self.nav.go(ScreenId.WELCOME)
        QTimer.singleShot(50, self, lambda: self.nav.prebuild(PREBUILD))
        if opener is not None:
            def open_terminal(progress: Any) -> None:
                self.t = opener()              # a plain attribute: the job touches no widget
            self.worker.run(open_terminal, name="open terminal")
        # Open the handheld reader early: a code scanned before its port is open would be lost.
        self.worker.run(lambda progress: self.t.open_reader(), on_error=lambda err: None, name="reader")

    # -- what the screens use (kiosk_app.ui.nav.Shell) ----------------------------------------
    def target_px(self) -> int:
        return self.theme.target_px()

    def _connect_header(self, s: Screen) -> None:
        s.lang_btn.clicked.connect(self.toggle_lang)
        if s.keyboard is not None:
            s.keyboard.set_compact(self.theme.scale >= 1.5)
        s.speak_btn.clicked.connect(lambda _checked=False: self.speak_current())
        if s.keyboard is not None:
            s.keyboard.typed.connect(lambda ch: self.say_personal(tr("kp.typed", self.lang), spoken_char(ch, self.lang)))

    def _shown(self, sid: str) -> None:
        for s in self.nav.screens.values():
            s.head.setHidden(self.banner.isVisible() and s.sid == sid)
        if sid == ScreenId.WELCOME:
            self.idle.stop()
        elif not self.idle.active:
            self.idle.start()
        else:
            self.idle.reset()
        if self.speak_screens:
            self.speak_current()

    def refresh(self) -> None:
        """Put every text of the current screen in the current language."""
        p = self.nav.current_screen()
        lang = self.lang
        self.session.lang = lang
        p.lang_btn.setText(tr("lang.switch", lang))
        p.speak_btn.setText(tr("speak", lang))
        p.speak_btn.setHidden(not self.speech_enabled)
        p.back.setText(tr("back", lang))
        step = self.session.step_of(p.sid) if self.session.flow else None
        p.step.setText(tr("step", lang, n=step[0], total=step[1]) if step else "")
        p.step.setHidden(step is None)
        if p.keyboard is not None and p.keyboard.lang != lang:
            p.keyboard.set_lang(lang)          # the labels; names are Ukrainian, so the layout stays
        if p.pad is not None:
            p.pad.set_clear_text(tr("pad.clear", lang))
        p.render(lang)
        p.reflow_foot(self.nav.stack.width())      # before the new texts' widths reach the layout
        if self.banner.isVisible():
            self.banner.stay.setText(tr("idle.stay", lang))

    def toggle_lang(self) -> None:
        self.lang = "en" if self.lang == "uk" else "uk"
        self.setWindowTitle(tr("app.title", self.lang))
        self.refresh()

    # -- accessibility ------------------------------------------------------------------------
    def apply_theme(self) -> None:
        self.setStyleSheet(self.theme.stylesheet())
        for s in self.nav.screens.values():
            if s.keyboard is not None:
                s.keyboard.set_compact(self.theme.scale >= 1.5)

    def set_high_contrast(self, on: bool) -> None:
        self.theme.high_contrast = on
        self.apply_theme()

    def set_large_text(self, on: bool) -> None:
        self.theme.large_text = on
        self.apply_theme()

    def set_speak_screens(self, on: bool) -> None:
        self.speak_screens = on
        if on:
            self.speak_current()

    def speak_current(self, before: str = "") -> None:
        if not self.speech_enabled:
            return
        text = self.nav.current_screen().speech_text(personal=self.headphones)
        if self.banner.isVisible():
            text = f"{self.banner.label.text()} {text}"
        self.speaker.say(f"{before} {text}".strip(), self.lang)

    def hold_idle(self, on: bool) -> None:
        """Hold the idle timer while the resident signs in on their phone (the code's own expiry,
        minutes, ends that wait); touches and keys restart it as ever."""
        self.idle.held = on
        self.idle.reset()

    def say(self, text: str) -> None:
        if self.speak_screens and self.speech_enabled:
            self.speaker.say(text, self.lang)

    def say_personal(self, public: str, personal: str) -> None:
        """``personal`` (it holds the resident's data) into headphones; ``public`` on the loudspeaker."""
        self.say(personal if self.headphones else public)

    # -- the keypad and the headphone jack (kiosk_app.ui.keypad) -------------------------------
    def start_spoken_mode(self, how: str) -> None:
        """A keypad key or headphones on welcome: speech on, how to use the keys, then the screen."""
        log.info("spoken mode started by the %s", how)
        self.speak_screens = True
        welcome = self.nav.screen(ScreenId.WELCOME)
        b = welcome.extra["speech"]
        b.blockSignals(True)
        b.setChecked(True)
        b.blockSignals(False)
        self.refresh()
        intro = tr("kp.start", self.lang)
        if not self.headphones:
            intro = f"{intro} {tr('kp.no_headphones', self.lang)}"
        self.speak_current(intro)

    def set_headphones(self, plugged: bool) -> None:
        """The jack's state changed (the terminal's headphone device reports it)."""
        if plugged == self.headphones:
            return
        self.headphones = plugged
        self.speaker.stop()
        self.speaker.route = "headphones" if plugged else "loudspeaker"
        if plugged and not self.speak_screens and self.nav.current == ScreenId.WELCOME:
            self.start_spoken_mode("headphones")
        elif plugged:
            self.speak_current(tr("kp.headphones_in", self.lang))
        else:
            self.say(tr("kp.headphones_out", self.lang))

    # -- idle and the end of a session ------------------------------------------------------------
    def _busy(self, busy: bool) -> None:
        # While a device works for the resident the timer waits (a scan is not idleness).
        self.idle.paused = busy
        if busy:
            self.idle.reset()

    def _idle_tick(self, left: int) -> None:
        if left < 0:
            self.banner.hide()
            return
        first = not self.banner.isVisible()
        self.banner.label.setText(banner_text(self.lang, left))
        self.banner.stay.setText(tr("idle.stay", self.lang))
        self.banner.show()
        if first:
            self.say(self.banner.label.text())

    def end_session(self, reason: str) -> None:
        """Back to welcome; the resident's data leaves every widget and the session object."""
        log.info("session ended: %s", reason)
        intake = self.session.intake
        if intake is not None and not intake.finished:
            self.worker.run(lambda progress: intake.cancel(reason), name="cancel")
        if self.session.signing_in:        # an approval on the phone after this reaches nobody
            self.worker.run(lambda progress: self.t.identity_cancel(), on_error=lambda err: None,
                            name="identity cancel")
        self.speaker.stop()
        PIXMAPS.clear()
        self.nav.reset()
        self.session.clear()
        self.session.phone_sign_in = self.phone_sign_in
        self.lang = self.default_lang
        self.reset_accessibility()
        self.banner.hide()
        self.nav.go(ScreenId.WELCOME)

    def reset_accessibility(self) -> None:
        """Every session starts with the defaults: the next resident gets no high contrast, large
        text, spoken mode, language or volume the previous one chose (spoken mode on the
        loudspeaker would read the next resident's data aloud in the hall)."""
        self.theme.high_contrast = False
        self.theme.large_text = False
        self.speak_screens = False
        self.speaker.reset_volume()
        welcome = self.nav.screens.get(ScreenId.WELCOME)
        if welcome is not None:
            for key in ("hc", "large", "speech"):
                b = welcome.extra[key]
                b.blockSignals(True)
                b.setChecked(False)
                b.blockSignals(False)
        self.setWindowTitle(tr("app.title", self.lang))
        self.apply_theme()
