"""Screens as objects and the navigator that builds and shows them.

Each screen is a :class:`Screen` (a :class:`~.pages.Page` with its own state and behaviour), named
by a :class:`ScreenId`. The :class:`Navigator` builds a screen the first time it is needed (from
the classes the window hands it), shows one at a time, and walks a resident's flow step by step.
A screen reaches the rest of the app only through its :class:`Shell` (the window), so a screen can
be built and driven alone, with a small shell of its own."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from .pages import Page
from .qt import QLabel, QLineEdit, QObject, QProgressBar, QStackedWidget, QTimer, QWidget, Signal
from .session import Session

log = logging.getLogger(__name__)


class ScreenId(StrEnum):
    WELCOME = "welcome"
    # the identity: signed in on the resident's phone (kiosk_app.ui.phone_identity), or typed
    IDENTITY = "identity"
    DEVICE = "device"
    VERIFIED = "verified"
    # the questions, one a screen
    SURNAME = "surname"
    NAME = "name"
    PATRONYMIC = "patronymic"
    ADDRESS = "address"
    IDTYPE = "idtype"
    RNOKPP = "rnokpp"
    PASSPORT = "passport"
    KIND = "kind"
    SMS = "sms"
    PHONE = "phone"
    CONSENT = "consent"
    SUMMARY = "summary"
    # the intake and its outcome
    TRAY = "tray"
    SCAN = "scan"
    SHEETS = "sheets"
    SAVING = "saving"
    NUMBER = "number"
    FAULT = "fault"
    # the pre-filled form
    FORM_WAIT = "form_wait"
    FORM_DONE = "form_done"
    # an appeal's number: to add documents to it, or to see its status
    PARENT = "parent"
    LOOKUP = "lookup"
    STATUS = "status"
    # the technician's
    PIN = "pin"
    SERVICE = "service"


# The flows whose last question leads to a screen of their own, and that screen (the appeal's
# flow ends on its summary, which is one of its questions).
FLOW_END: dict[str, ScreenId] = {"form": ScreenId.FORM_WAIT}

class Shell(Protocol):
    """What a screen may use of the app around it (the window is one)."""

    session: Session
    nav: Navigator
    worker: Any               # .worker.Worker: every terminal call goes through it
    t: Any                    # the Terminal facade (or its helper process); None until it is open
    lang: str
    speech_enabled: bool
    cfg: Any

    def target_px(self) -> int: ...
    def refresh(self) -> None: ...
    def say(self, text: str) -> None: ...
    def end_session(self, reason: str) -> None: ...
    def hold_idle(self, on: bool) -> None: ...
    # the accessibility choices on welcome
    def set_high_contrast(self, on: bool) -> None: ...
    def set_large_text(self, on: bool) -> None: ...
    def set_speak_screens(self, on: bool) -> None: ...


class Screen(Page):
    """One screen. Subclasses add their parts in :meth:`build`, set their texts in
    :meth:`render`, and keep their own state; :meth:`reset` forgets everything a resident left."""

    def __init__(self, shell: Shell, sid: ScreenId, parent: QWidget | None = None) -> None:
        super().__init__(sid, shell.target_px(), parent)
        self.shell = shell
        self.sid: ScreenId = sid
        self.build()

    @property
    def session(self) -> Session:
        return self.shell.session

    @property
    def nav(self) -> Navigator:
        return self.shell.nav

    def build(self) -> None:
        """Add this screen's parts and connect its buttons."""

    def end_of_flow(self) -> None:
        """The resident answered the last question of a flow that ends on this screen
        (:data:`FLOW_END`): start its work. By default, just show it."""
        self.nav.go(self.sid)

    def speech_lang(self) -> str:
        return self.shell.lang

    def set_error(self, uk: str, en: str) -> None:
        self.setProperty("err", (uk, en))
        self.error.setText(uk if self.shell.lang == "uk" else en)
        self.shell.say(self.error.text())

    def render_error(self, lang: str) -> None:
        err = self.property("err")
        self.error.setText(err[0] if err and lang == "uk" else err[1] if err else "")

    def reset(self) -> None:
        """The session ended: no text the resident typed or saw stays in a widget."""
        for f in self.findChildren(QLineEdit):
            f.clear()
        for lab in self.findChildren(QLabel):
            if lab is not self.step and lab.objectName() != "title":
                lab.clear()
        self.title.clear()
        self.setProperty("spoken", None)
        if self.big is not None:
            self.big.setProperty("spoken", None)
        if self.thumbs_row is not None:
            self.set_thumbs([], 10)
        for bar in self.findChildren(QProgressBar):
            bar.reset()


S = TypeVar("S", bound=Screen)


class Navigator(QObject):
    """Builds screens by id, shows one at a time in the stack, and walks the resident's flow."""

    shown = Signal(str)               # a screen came on screen (its id)

    def __init__(self, shell: Shell, stack: QStackedWidget, classes: Mapping[ScreenId, Callable[..., Screen]],
                 *, on_build: Callable[[Screen], None] = lambda s: None) -> None:
        super().__init__(stack)
        self.shell, self.stack, self.classes, self.on_build = shell, stack, classes, on_build
        self.screens: dict[ScreenId, Screen] = {}
        self.current: ScreenId | None = None

    def screen(self, sid: ScreenId | str) -> Screen:
        sid = ScreenId(sid)
        if sid not in self.screens:
            s = self.classes[sid](self.shell, sid, self.stack)
            self.on_build(s)
            self.stack.addWidget(s)
            self.screens[sid] = s
        return self.screens[sid]

    def get(self, sid: ScreenId, cls: type[S]) -> S:
        s = self.screen(sid)
        assert isinstance(s, cls), (sid, type(s))
        return s

    def go(self, sid: ScreenId | str) -> None:
        s = self.screen(sid)
        self.current = s.sid
        self.shell.refresh()
        self.stack.setCurrentWidget(s)
        s.on_show()
        s.fix_tab_order()
        s.focus_first()
        self.shown.emit(str(s.sid))

    def current_screen(self) -> Screen:
        assert self.current is not None
        return self.screens[self.current]

    def prebuild(self, order: list[ScreenId]) -> None:
        """Build the other screens one per event-loop turn, so that none is first built while
        the scanner works (and the cold start stays short)."""
        todo = [sid for sid in order if sid not in self.screens]
        if todo:
            self.screen(todo[0])
            QTimer.singleShot(0, self, lambda: self.prebuild(todo[1:]))

    def reset(self) -> None:
        for s in self.screens.values():
            s.reset()

    # -- a resident's flow: one question a screen -----------------------------------------------
    def start_flow(self, flow: str) -> None:
        session = self.shell.session
        session.clear()
        session.flow = flow
        self.go(self.screen_for(session.steps()[0]))

    def screen_for(self, step: str) -> ScreenId:
        if step == "idvalue":
            return ScreenId.PASSPORT if self.shell.session.data.get("idtype") == "passport" else ScreenId.RNOKPP
        return ScreenId(step)

    @staticmethod
    def step_key(sid: ScreenId | None) -> str:
        return "idvalue" if sid in (ScreenId.RNOKPP, ScreenId.PASSPORT) else str(sid)

    def next_step(self) -> None:
        steps = self.shell.session.steps()
        i = steps.index(self.step_key(self.current))
        if i + 1 < len(steps):
            self.go(self.screen_for(steps[i + 1]))
        elif self.shell.session.flow in FLOW_END:
            self.screen(FLOW_END[self.shell.session.flow]).end_of_flow()

    def prev_step(self) -> None:
        steps = self.shell.session.steps()
        key = self.step_key(self.current)
        i = steps.index(key) if key in steps else 0
        if i == 0:
            self.shell.end_session("back to start")
        else:
            self.go(self.screen_for(steps[i - 1]))
