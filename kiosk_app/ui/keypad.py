"""The tactile keypad (ATM / EN 301 549 layout: digits with a raised 5, Enter, Cancel, Clear, Help,
volume up and down, arrows) and the headphone jack: spoken mode that a blind resident finds alone.

A USB HID keypad delivers ordinary key events; :data:`KEYPAD` is the one table of which Qt key is
which keypad key. Pressing any of them on the welcome screen, or plugging headphones, starts
spoken mode. Help repeats the screen; the volume keys change the volume; every key pressed and
every character typed is echoed. What a resident typed or said about themselves (personal data)
is spoken only into headphones; on the loudspeaker the kiosk says that it is not read aloud."""

from __future__ import annotations

from typing import Any

from .i18n import tr
from .qt import QApplication, QEvent, QKeyEvent, QLineEdit, QObject, QPushButton, Qt, QWidget

K = Qt.Key
# Qt key -> keypad key (the one table; hardware_sim.keypad describes the keypad as sold).
KEYPAD: dict[Qt.Key, str] = {
    **{getattr(K, f"Key_{d}"): str(d) for d in range(10)},
    K.Key_Enter: "enter", K.Key_Return: "enter",
    K.Key_Escape: "cancel",
    K.Key_Backspace: "clear",
    K.Key_F1: "help", K.Key_Help: "help",
    K.Key_VolumeUp: "volume_up", K.Key_VolumeDown: "volume_down",
    K.Key_Up: "up", K.Key_Down: "down", K.Key_Left: "left", K.Key_Right: "right",
}
VOLUME_STEP = 0.1


class KeypadGuard(QObject):
    """Watches every key event of the app (an event filter) for the keypad's keys."""

    def __init__(self, win: Any) -> None:
        super().__init__(win)
        self.win = win
        self.by_key = False              # the last input was a key (a touch's focus change is not said)
        QApplication.instance().installEventFilter(self)
        QApplication.instance().focusChanged.connect(self._focus_changed)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin):
            self.by_key = False
        if event.type() != QEvent.Type.KeyPress or not isinstance(obj, QWidget) or obj.window() is not self.win:
            return False
        assert isinstance(event, QKeyEvent)
        self.by_key = True
        if event.isAutoRepeat():
            return False
        name = KEYPAD.get(Qt.Key(event.key()))
        win = self.win
        if name is None:
            self._echo_typed(obj, event)
            return False
        if not win.speak_screens:
            if win.nav.current == "welcome":
                win.start_spoken_mode("keypad")
                return True                      # the first key only wakes the speech
            return False
        if name == "help":
            win.speak_current()
            return True
        if name in ("volume_up", "volume_down"):
            step = VOLUME_STEP if name == "volume_up" else -VOLUME_STEP
            win.speaker.set_volume(win.speaker.volume + step)
            win.say(tr("kp.volume", win.lang, n=round(win.speaker.volume * 100)))
            return True
        if name == "clear" and isinstance(obj, QLineEdit):
            gone = obj.text()[obj.cursorPosition() - 1:obj.cursorPosition()] if obj.cursorPosition() else ""
            win.say_personal(tr("kp.cleared", win.lang), f"{tr('kp.cleared', win.lang)} {gone}".strip())
            return False
        if name in ("enter", "cancel"):
            win.say(tr(f"kp.{name}", win.lang))
            return False
        self._echo_typed(obj, event)
        return False

    def _echo_typed(self, obj: QObject, event: QKeyEvent) -> None:
        """A character typed into a field: said back (into headphones only: it is the resident's)."""
        ch = event.text()
        if isinstance(obj, QLineEdit) and ch and ch.isprintable() and self.win.speak_screens:
            self.win.say_personal(tr("kp.typed", self.win.lang), spoken_char(ch, self.win.lang))

    def _focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        """An arrow moved the focus: say what is now under the finger."""
        win = self.win
        if new is None or new.window() is not win or not win.speak_screens or not self.by_key:
            return
        if isinstance(new, QPushButton) and new.text():
            if new.objectName() == "key":
                win.say(spoken_char(new.text(), win.lang))
            else:
                win.say((new.accessibleName() or new.text()).replace("←", "").replace("→", "").strip())
        elif isinstance(new, QLineEdit):
            win.say_personal(tr("kp.field", win.lang), f"{tr('kp.field', win.lang)}. {new.text()}".strip(". "))


def spoken_char(ch: str, lang: str) -> str:
    """One character as a word a listener can tell apart («пробіл», «апостроф», «1»)."""
    names = {" ": "space", "-": "dash", ".": "dot", ",": "comma", "'": "apostrophe", "ʼ": "apostrophe"}
    return tr(f"kp.{names[ch]}", lang) if ch in names else ch
