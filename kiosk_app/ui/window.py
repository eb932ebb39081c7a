"""The kiosk window: a stack of pages, the language, the accessibility choices, speech, the idle
timer and the one background worker. Resident screens live in :mod:`.resident`, the
technician's in :mod:`.service`."""

from __future__ import annotations

import logging
from typing import Any

from . import ops
from .i18n import tr
from .idle import IdleBanner, IdleGuard, banner_text
from .pages import PIXMAPS, Page
from .qt import (
    QLabel,
    QLineEdit,
    QObject,
    QProgressBar,
    QStackedWidget,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from .resident import ResidentScreens
from .service import ServiceScreens
from .session import Session
from .speech import Speaker
from .theme import Theme
from .worker import Worker

log = logging.getLogger(__name__)


class ProgressRelay(QObject):
    """Made on the main thread; the intake calls ``progress.emit`` from the worker thread."""

    progress = Signal(object)


class KioskWindow(ResidentScreens, ServiceScreens, QWidget):
    def __init__(self, terminal: Any, *, cfg: Any = None, speech_engine: str | None = None,
                 lang: str | None = None) -> None:
        """``terminal``: an open :class:`~kiosk_app.core.terminal.Terminal`, or a function that opens
        one; then it is opened on the worker (its imports take a second) while welcome is already
        on screen, and jobs queued meanwhile run after it. ``cfg`` is then required."""
        QWidget.__init__(self)
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
        self.session = Session()
        self.worker = Worker(self)
        self.relay = ProgressRelay(self)
        self.relay.progress.connect(self.on_progress)
        self.speaker = Speaker(speech_engine, self)
        self.pages: dict[str, Page] = {}
        self.current = ""
        self.fault: dict[str, Any] = {}
        self.init_service(cfg)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        self.banner = IdleBanner(self)
        lay.addWidget(self.banner)
        self.stack = QStackedWidget(self)
        lay.addWidget(self.stack, 1)
        self.idle = IdleGuard(cfg["session.idle_timeout"], cfg["session.idle_warning"], self)
        self.idle.expired.connect(lambda: self.end_session("idle timeout"))
        self.idle.tick.connect(self._idle_tick)
        self.banner.stay.clicked.connect(self.idle.reset)
        self.worker.busy_changed.connect(self._busy)
        self.apply_theme()
        self.go("welcome")
        QTimer.singleShot(50, self, self._prebuild)
        if opener is not None:
            def open_terminal(progress: Any) -> None:
                self.t = opener()              # a plain attribute: the job touches no widget
            self.worker.run(open_terminal, name="open terminal")
        # Open the handheld reader early: a code scanned before its port is open would be lost.
        self.worker.run(lambda progress: ops.run(self.t, "open_reader"), on_error=lambda err: None, name="reader")

    # -- navigation ----------------------------------------------------------------------
    PREBUILD = ("surname", "name", "patronymic", "address", "idtype", "rnokpp", "passport", "kind", "sms", "phone",
                "consent", "summary", "tray", "scan", "sheets", "saving", "number", "fault", "form_wait",
                "form_done", "parent", "lookup", "status")

    def _prebuild(self) -> None:
        """Build the other pages one per event-loop turn once welcome is up, so that no page is
        first built while the scanner works (and the cold start stays short)."""
        todo = [sid for sid in self.PREBUILD if sid not in self.pages]
        if todo:
            self.page(todo[0])
            QTimer.singleShot(0, self, self._prebuild)

    def page(self, sid: str) -> Page:
        if sid not in self.pages:
            p = Page(sid, self.theme.target_px(), self)
            p.lang_btn.clicked.connect(self.toggle_lang)
            p.speak_btn.clicked.connect(self.speak_current)
            self.build(sid, p)
            self.stack.addWidget(p)
            self.pages[sid] = p
        return self.pages[sid]

    def build(self, sid: str, p: Page) -> None:
        builder = getattr(self, f"build_{sid}", None)
        if builder is None:
            builder = self.build_service_page if sid.startswith(("pin", "service")) else self.build_step
        builder(sid, p)

    def go(self, sid: str) -> None:
        p = self.page(sid)
        self.current = sid
        self.refresh()
        self.stack.setCurrentWidget(p)
        p.on_show()
        p.fix_tab_order()
        p.focus_first()
        if sid == "welcome":
            self.idle.stop()
        elif not self.idle.active:
            self.idle.start()
        else:
            self.idle.reset()
        if self.speak_screens:
            self.speak_current()

    def refresh(self) -> None:
        """Put every text of the current page in the current language."""
        p = self.pages[self.current]
        lang = self.lang
        p.lang_btn.setText(tr("lang.switch", lang))
        p.speak_btn.setText(tr("speak", lang))
        p.speak_btn.setHidden(not self.speech_enabled)
        p.back.setText(tr("back", lang))
        step = self.session.step_of(self.current) if self.session.flow else None
        p.step.setText(tr("step", lang, n=step[0], total=step[1]) if step else "")
        p.step.setHidden(step is None)
        if p.keyboard is not None and p.keyboard.lang != lang:
            p.keyboard.set_lang(lang)          # the labels; names are Ukrainian, so the layout stays
        if p.pad is not None:
            p.pad.keys["clear"].setText(tr("pad.clear", lang))
        p.render(lang)
        if self.banner.isVisible():
            self.banner.stay.setText(tr("idle.stay", lang))

    def toggle_lang(self) -> None:
        self.lang = "en" if self.lang == "uk" else "uk"
        self.setWindowTitle(tr("app.title", self.lang))
        self.refresh()

    # -- accessibility ------------------------------------------------------------------------
    def apply_theme(self) -> None:
        self.setStyleSheet(self.theme.stylesheet())

    def set_high_contrast(self, on: bool) -> None:
        self.theme.high_contrast = on
        self.apply_theme()

    def set_large_text(self, on: bool) -> None:
        self.theme.large_text = on
        self.apply_theme()

    def speak_current(self) -> None:
        if not self.speech_enabled:
            return
        text = self.pages[self.current].speech_text()
        if self.banner.isVisible():
            text = f"{self.banner.label.text()} {text}"
        self.speaker.say(text, self.lang)

    def say(self, text: str) -> None:
        if self.speak_screens and self.speech_enabled:
            self.speaker.say(text, self.lang)

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
        self.speaker.stop()
        self.wipe_widgets()
        self.session.clear()
        self.fault = {}
        self.leave_service()
        self.lang = self.default_lang
        self.banner.hide()
        self.go("welcome")

    def wipe_widgets(self) -> None:
        PIXMAPS.clear()
        for p in self.pages.values():
            for f in p.findChildren(QLineEdit):
                f.clear()
            for lab in p.findChildren(QLabel):
                if lab not in (p.step,) and lab.objectName() not in ("title",):
                    lab.clear()
            p.title.clear()
            p.setProperty("spoken", None)
            if p.big is not None:
                p.big.setProperty("spoken", None)
            if p.thumbs_row is not None:
                p.set_thumbs([], 10)
            for bar in p.findChildren(QProgressBar):
                bar.reset()
