"""Helpers for driving the kiosk window in tests and benchmarks (pytest-qt's qtbot)."""

from __future__ import annotations

from typing import Any

from .qt import QApplication, QEvent, QKeyEvent, QLabel, QLineEdit, Qt


def at(qtbot: Any, win: Any, sid: str, timeout: int = 20000) -> Any:
    qtbot.waitUntil(lambda: win.current == sid, timeout=timeout)
    return win.pages[sid]


def tap(qtbot: Any, button: Any) -> None:
    assert button.isVisible() and button.isEnabled(), button.objectName()
    assert button.height() >= button.window().theme.target_px() - 1      # a 15 mm target
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def tap_keys(qtbot: Any, page: Any, text: str) -> None:
    """Type on the on-screen keyboard or number pad, one touch per key."""
    keys = page.keyboard.keys if page.keyboard is not None else page.pad.keys
    for ch in text:
        key = {" ": "space"}.get(ch, ch.lower())
        if page.keyboard is not None and ch.isupper() != page.keyboard.shift and ch.isalpha():
            qtbot.mouseClick(page.keyboard.keys["shift"], Qt.MouseButton.LeftButton)
            keys = page.keyboard.keys
        qtbot.mouseClick(keys[key], Qt.MouseButton.LeftButton)


def press(qtbot: Any, win: Any, key: Any, times: int = 1) -> None:
    """A key on the physical keypad, sent to whatever has the focus."""
    for _ in range(times):
        w = win.focusWidget() or win
        qtbot.keyClick(w, key)


def typed(qtbot: Any, win: Any, text: str) -> None:
    w = win.focusWidget()
    assert isinstance(w, QLineEdit), f"focus is on {w!r}, not a field"
    for ch in text:
        # What a keyboard with a Ukrainian layout sends (QTest's keyClicks knows only ASCII).
        key = ord(ch.upper()) if ch.isascii() else 0
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(w, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, ch))


def visible_texts(win: Any) -> list[str]:
    out = [w.text() for w in win.findChildren(QLabel)] + [w.text() for w in win.findChildren(QLineEdit)]
    return [t for t in out if t]
