"""The UI tests: the kiosk window offscreen (pytest-qt) against a hardware-sim process."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from hardware_sim.process import SimBench
from kiosk_app.ui.qt import QApplication, QEvent, QKeyEvent, QLabel, QLineEdit, Qt


class KioskBot:
    """Drives the kiosk window as a person would, through pytest-qt's qtbot: wait for a screen,
    touch a button, type on the on-screen keyboard, the number pad or a physical keypad."""

    def __init__(self, qtbot: Any) -> None:
        self.qtbot = qtbot

    def at(self, win: Any, sid: str, timeout: int = 20000) -> Any:
        self.qtbot.waitUntil(lambda: win.nav.current == sid, timeout=timeout)
        return win.nav.screen(sid)

    def tap(self, button: Any) -> None:
        assert button.isVisible() and button.isEnabled(), button.objectName()
        assert button.height() >= button.window().theme.target_px() - 1      # a 15 mm target
        self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    def tap_keys(self, page: Any, text: str) -> None:
        """Type on the on-screen keyboard or number pad, one touch per key."""
        keys = page.keyboard.keys if page.keyboard is not None else page.pad.keys
        for ch in text:
            key = {" ": "space"}.get(ch, ch.lower())
            if page.keyboard is not None and ch.isupper() != page.keyboard.shift and ch.isalpha():
                self.qtbot.mouseClick(page.keyboard.keys["shift"], Qt.MouseButton.LeftButton)
                keys = page.keyboard.keys
            self.qtbot.mouseClick(keys[key], Qt.MouseButton.LeftButton)

    def press(self, win: Any, key: Any, times: int = 1) -> None:
        """A key on the physical keypad, sent to whatever has the focus."""
        for _ in range(times):
            self.qtbot.keyClick(win.focusWidget() or win, key)

    def typed(self, win: Any, text: str) -> None:
        w = win.focusWidget()
        assert isinstance(w, QLineEdit), f"focus is on {w!r}, not a field"
        for ch in text:
            # What a keyboard with a Ukrainian layout sends (QTest's keyClicks knows only ASCII).
            key = ord(ch.upper()) if ch.isascii() else 0
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(w, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, ch))

    @staticmethod
    def visible_texts(win: Any) -> list[str]:
        out = [w.text() for w in win.findChildren(QLabel)] + [w.text() for w in win.findChildren(QLineEdit)]
        return [t for t in out if t]


@pytest.fixture
def bot(qtbot: Any) -> KioskBot:
    return KioskBot(qtbot)


@pytest.fixture(scope="session")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimBench]:
    b = SimBench(tmp_path_factory.mktemp("uisim")).start()
    yield b
    b.stop()


@pytest.fixture
def make_window(qtbot: Any, bench: SimBench, tmp_path: Path) -> Iterator[Any]:
    from kiosk_app.core.config import load_kiosk_config, sim_overrides
    from kiosk_app.ui.main import terminal_opener
    from kiosk_app.ui.window import KioskWindow

    made: list[Any] = []

    def make(in_process: bool = False, **env: str) -> Any:
        """The window as ``kiosk`` builds it: the terminal in its helper process (or, with
        ``in_process``, on the worker thread), opened on the worker after welcome is up."""
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
        full_env.update(sim_overrides(bench.workdir), KIOSK_STORE_DIR=str(tmp_path / f"store{len(made)}"),
                        KIOSK_INTAKE_OCR="false")
        full_env.update(env)
        cfg = load_kiosk_config("/nonexistent/kiosk.toml", env=full_env)
        win = KioskWindow(terminal_opener(cfg, "/nonexistent/kiosk.toml", full_env, in_process=in_process), cfg=cfg,
                          speech_engine="mock")
        win.resize(1920, 1080)
        qtbot.addWidget(win)
        win.show()
        made.append(win)
        return win

    yield make
    for win in made:
        win.idle.stop()
        for sid in ("parent", "lookup"):
            if sid in win.nav.screens:
                win.nav.screens[sid].reader.stop()
        win.worker.wait(30000)
        if win.t is not None:
            win.t.close()


@pytest.fixture
def window(make_window: Any) -> Any:
    return make_window()


@pytest.fixture
def store_of() -> Iterator[Callable[[Any], Any]]:
    """A reading connection to a window's terminal store (the window itself runs no SQL)."""
    from kiosk_app.core.store import Store

    opened: list[Store] = []

    def open_store(win: Any) -> Store:
        opened.append(Store(win.cfg["store.dir"], terminal=win.cfg["terminal.code"]))
        return opened[-1]

    yield open_store
    for s in opened:
        s.close()
