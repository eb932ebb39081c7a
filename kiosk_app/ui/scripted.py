"""A scripted resident for the demo on a machine without a display: the real kiosk window,
offscreen, touched button by button and key by key as a person would, through a whole appeal.
A screenshot of every screen it passes goes to a folder.

    kiosk --sim var/sim --scripted-resident var/demo/screens

Prints ``NUMBER <display number>`` when the number is on screen; exit 0 when the appeal is taken.

The resident types their identity; given a ``phone`` (the tests and benchmarks/resident_path.py) they
sign in with BankID on their phone instead: the phone (another program) gets the QR code as the
kiosk shows it, and the resident waits for the verified data, then adds kind, SMS and consent.
``taps`` counts every touch and ``seen`` every screen, in order.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .nav import ScreenId
from .qt import QApplication, QEventLoop, QLabel, QPoint, Qt, QTimer, mouse_click


class ScriptFailed(RuntimeError):
    pass


class Resident:
    def __init__(self, win: Any, shots: Path, *, timeout: float = 120) -> None:
        self.win = win
        self.shots = shots
        self.timeout = timeout
        self.seen: list[str] = []
        self.taps = 0
        self.keys = 0                                  # of them, keys of the on-screen keyboard or pad
        self.texts: dict[str, list[str]] = {}          # what each screen showed when the resident read it
        shots.mkdir(parents=True, exist_ok=True)

    def wait(self, predicate: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + self.timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise ScriptFailed(f"waited {self.timeout:.0f} s for {what}; the screen is {str(self.win.nav.current)!r}")
            loop = QEventLoop()
            QTimer.singleShot(20, loop.quit)
            loop.exec()

    def at(self, sid: str) -> Any:
        nav = self.win.nav
        self.wait(lambda: nav.current in (sid, ScreenId.FAULT), f"the {sid!r} screen")
        if nav.current == ScreenId.FAULT:
            raise ScriptFailed(f"a fault instead of {sid!r}: {nav.screen(ScreenId.FAULT).info.text()}")
        self.pause(0.3)                    # a person reads before touching
        self.texts[sid] = [lab.text() for lab in nav.screen(sid).findChildren(QLabel)
                           if lab.isVisible() and lab.text()]
        if sid not in self.seen:
            self.seen.append(sid)
            self.win.grab().save(str(self.shots / f"{len(self.seen):02d}-{sid}.png"))
        return nav.screen(sid)

    def pause(self, seconds: float) -> None:
        loop = QEventLoop()
        QTimer.singleShot(int(seconds * 1000), loop.quit)
        loop.exec()

    def tap(self, button: Any) -> None:
        if not (button.isVisible() and button.isEnabled()):
            raise ScriptFailed(f"{button.text()!r} cannot be touched (visible {button.isVisible()}, enabled {button.isEnabled()})")
        mouse_click(button, Qt.MouseButton.LeftButton, QPoint(button.width() // 2, button.height() // 2))
        self.taps += 1
        self.pause(0.03)                   # taps are spaced; the screen updates in between

    def type(self, page: Any, text: str) -> None:
        """On the on-screen keyboard or number pad, one touch per key."""
        for ch in text:
            board = page.keyboard if page.keyboard is not None else page.pad
            if page.keyboard is not None and ch.isalpha() and ch.isupper() != page.keyboard.shift:
                self.tap(page.keyboard.keys["shift"])
                self.keys += 1
            self.tap(board.keys[{" ": "space"}.get(ch, ch.lower())])
            self.keys += 1

    def submit_appeal(self, phone: Callable[[Path, str], None] | None = None) -> str:
        w = self.win
        self.tap(self.at("welcome").choices["submit"])
        if phone is not None:
            self.sign_in_on_phone(phone)
        else:
            self.type_identity()
        self.tap(self.at("kind").choices["application"])
        self.tap(self.at("sms").choices["yes"])
        p = self.at("phone")
        self.type(p, "0671234567")
        self.tap(p.primary)
        self.tap(self.at("consent").choices["yes"])
        self.tap(self.at("summary").primary)
        self.tap(self.at("tray").primary)
        self.tap(self.at("sheets").primary)
        number = self.at("number").big.text()
        print(f"NUMBER {number}", flush=True)
        self.tap(w.nav.screen(ScreenId.NUMBER).primary)
        self.at("welcome")
        if not w.session.is_empty():
            raise ScriptFailed("the resident's data stayed in the session after the receipt was taken")
        return number

    def type_identity(self) -> None:
        if self.win.session.phone_sign_in:
            self.tap(self.at("identity").choices["type"])
        for sid, text in (("surname", "Мʼясоїд-Коваль"), ("name", "Наталія"), ("patronymic", "Іванівна"),
                          ("address", "Дніпро, Січеславська Набережна 15")):
            p = self.at(sid)
            self.type(p, text)
            self.tap(p.primary)
        self.tap(self.at("idtype").choices["rnokpp"])
        p = self.at("rnokpp")
        self.type(p, "1759013776")
        self.tap(p.primary)

    def sign_in_on_phone(self, phone: Callable[[Path, str], None]) -> None:
        """"Sign in with BankID on your phone"; ``phone(qr_png, code_shown)`` runs beside the kiosk
        (a thread: the kiosk keeps polling meanwhile) as the resident's phone, and approves."""
        self.tap(self.at("identity").choices["phone"])
        nav = self.win.nav
        device = nav.screen(ScreenId.DEVICE)
        self.wait(lambda: nav.current != ScreenId.DEVICE or device.status is not None or bool(device.failure),
                  "the sign-in code on screen")
        if device.failure:
            raise ScriptFailed(f"no code: {device.error.text()}")
        self.at("device")
        qr = self.shots / "device-qr.png"
        device.qr.pixmap().save(str(qr))
        failed: list[BaseException] = []

        def on_phone() -> None:
            try:
                phone(qr, device.big.text())
            except BaseException as err:       # reported on the kiosk's side below
                failed.append(err)

        helper = threading.Thread(target=on_phone, name="phone", daemon=True)
        helper.start()
        self.wait(lambda: bool(failed) or nav.current == ScreenId.VERIFIED or bool(device.failure),
                  "the verified data from the phone")
        helper.join(10)
        if failed:
            raise ScriptFailed(f"the phone failed: {failed[0]!r}") from failed[0]
        if device.failure:
            raise ScriptFailed(f"the sign-in ended: {device.error.text()}")
        self.tap(self.at("verified").primary)


def run(win: Any, app: QApplication, shots: Path) -> int:
    """Walk through one appeal once the window stands; the exit status is the script's verdict."""
    outcome: list[int] = []

    def go() -> None:
        try:
            Resident(win, shots).submit_appeal()
            outcome.append(0)
        except Exception as err:  # any failure ends the script with its reason, never a hung window
            print(f"kiosk: scripted resident: {type(err).__name__}: {err}", file=sys.stderr)
            outcome.append(1)
        app.quit()

    QTimer.singleShot(0, go)
    app.exec()
    return outcome[0] if outcome else 1
