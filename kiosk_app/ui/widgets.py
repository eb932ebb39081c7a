"""Building blocks: big buttons that work by touch and by keypad, the on-screen keyboard
(Ukrainian and English layouts) and the number pad. Tab's focus order stays: field, choices,
Back, Next; the keypad's arrows reach the keyboard's keys from the field (Down)."""

from __future__ import annotations

from collections.abc import Callable

from .i18n import tr
from .qt import (
    QGridLayout,
    QHBoxLayout,
    QKeyEvent,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)

UK_ROWS = ["йцукенгшщзхї", "фівапролджєґ", "ячсмитьбюʼ-.,"]
EN_ROWS = ["qwertyuiop", "asdfghjkl'", "zxcvbnm-.,"]
DIGITS = "1234567890"


class BigButton(QPushButton):
    """Enter/Return presses it; arrow keys move the focus like Tab (no gestures, no mouse needed)."""

    def __init__(self, text: str = "", parent: QWidget | None = None, *, primary: bool = False,
                 on_click: Callable[[], None] | None = None) -> None:
        super().__init__(text, parent)
        if primary:
            self.setObjectName("primary")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        if on_click:
            self.clicked.connect(lambda _checked=False: on_click())

    def keyPressEvent(self, e: QKeyEvent) -> None:
        key = e.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.click()
            return
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Right):
            self.focusNextChild()
            return
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Left):
            self.focusPreviousChild()
            return
        super().keyPressEvent(e)


class KeyButton(QPushButton):
    """A key of the on-screen keyboard or pad. Keyboard keys take the focus from the keypad's arrows
    (not from Tab, and a touch gives the focus back to the field): arrows move on the grid, Enter
    types the key and the focus stays for the next one."""

    def __init__(self, text: str, size: int, parent: QWidget | None = None,
                 keyboard: OnScreenKeyboard | None = None) -> None:
        super().__init__(text, parent)
        self.setObjectName("key")
        self.keyboard = keyboard
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus if keyboard is not None else Qt.FocusPolicy.NoFocus)
        # 12 mm (a 15 mm target elsewhere): thirteen keys a row fit 1280 px, five rows and the idle
        # banner fit 1024 px; on a wider panel the keys grow
        self.setMinimumSize(round(size * 0.8), round(size * 0.8))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def keyPressEvent(self, e: QKeyEvent) -> None:
        kb = self.keyboard
        if kb is None:
            super().keyPressEvent(e)
            return
        moves = {Qt.Key.Key_Left: (0, -1), Qt.Key.Key_Right: (0, 1), Qt.Key.Key_Up: (-1, 0), Qt.Key.Key_Down: (1, 0)}
        key = Qt.Key(e.key())
        if key in moves:
            kb.move_focus(self, *moves[key])
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            kb.pressed_by_keypad = True
            self.click()
            kb.pressed_by_keypad = False
        else:
            super().keyPressEvent(e)


class OnScreenKeyboard(QWidget):
    """Types into ``target``: Ukrainian or English letters, digits, space, delete, shift."""

    typed = Signal(str)               # a character typed by a key (for the spoken echo)

    def __init__(self, size: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.size_px = size
        self.target: QLineEdit | None = None
        self.layout_name = "uk"
        self.shift = False
        self.keys: dict[str, KeyButton] = {}
        self.grid = QVBoxLayout(self)
        self.grid.setSpacing(6)
        self.rows: list[QHBoxLayout] = []
        self.key_rows: list[list[KeyButton]] = []
        self.pressed_by_keypad = False
        self.leave_up: Callable[[], None] = lambda: self.target.setFocus() if self.target else None
        self.leave_down: Callable[[], None] = lambda: None
        self.lang = "uk"
        self._build()

    def _build(self) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            lay = item.layout()
            if lay is not None:
                while lay.count():
                    w = lay.takeAt(0).widget()
                    if w is not None:
                        w.hide()
                        w.deleteLater()
        self.keys.clear()
        self.key_rows = []
        rows = [DIGITS, *(UK_ROWS if self.layout_name == "uk" else EN_ROWS)]
        for chars in rows:
            row = QHBoxLayout()
            row.setSpacing(6)
            self.key_rows.append([])
            for ch in chars:
                label = ch.upper() if self.shift else ch
                b = KeyButton(label, self.size_px, self, keyboard=self)
                b.clicked.connect(lambda _=False, c=ch: self.type_char(c))
                self.keys[ch] = b
                self.key_rows[-1].append(b)
                row.addWidget(b)
            self.grid.addLayout(row)
        row = QHBoxLayout()
        self.key_rows.append([])
        for name, text, fn in (("layout", tr("kb.layout", "uk" if self.layout_name == "uk" else "en"), self.toggle_layout),
                               ("shift", tr("kb.shift", self.lang), self.toggle_shift),
                               ("space", tr("kb.space", self.lang), lambda: self.type_char(" ")),
                               ("backspace", tr("kb.back", self.lang), self.backspace)):
            b = KeyButton(text, self.size_px, self, keyboard=self)
            b.clicked.connect(fn)
            self.keys[name] = b
            self.key_rows[-1].append(b)
            row.addWidget(b, {"space": 3, "backspace": 2, "shift": 2}.get(name, 1))
        self.grid.addLayout(row)

    def move_focus(self, key: KeyButton, drow: int, dcol: int) -> None:
        """The keypad's arrows on the grid; up from the top row leaves for the field, down from
        the bottom row for the page's main button."""
        r = next(i for i, row in enumerate(self.key_rows) if key in row)
        c = self.key_rows[r].index(key)
        if drow:
            r += drow
            if r < 0:
                self.leave_up()
                return
            if r >= len(self.key_rows):
                self.leave_down()
                return
            c = min(round(c * len(self.key_rows[r]) / len(self.key_rows[r - drow])), len(self.key_rows[r]) - 1)
        else:
            c = (c + dcol) % len(self.key_rows[r])
        self.key_rows[r][c].setFocus(Qt.FocusReason.OtherFocusReason)

    def refocus(self, name: str) -> None:
        """After a rebuild (shift, layout) the keypad's focus stays on the key it pressed."""
        if name in self.keys:
            for b in self.keys.values():
                b.show()                  # a layout shows new children only on the next event-loop turn
            self.keys[name].setFocus(Qt.FocusReason.OtherFocusReason)

    def set_lang(self, lang: str) -> None:
        self.lang = lang
        self._build()

    def toggle_layout(self) -> None:
        by_keypad = self.pressed_by_keypad
        self.layout_name = "en" if self.layout_name == "uk" else "uk"
        self._build()
        if by_keypad:
            self.refocus("layout")

    def toggle_shift(self) -> None:
        by_keypad = self.pressed_by_keypad
        self.shift = not self.shift
        self._build()
        if by_keypad:
            self.refocus("shift")

    def type_char(self, ch: str) -> None:
        if self.target is not None:
            self.target.insert(ch.upper() if self.shift else ch)
            self.typed.emit(ch.upper() if self.shift else ch)
            if not self.pressed_by_keypad:
                self.target.setFocus()

    def backspace(self) -> None:
        if self.target is not None:
            self.target.backspace()
            if not self.pressed_by_keypad:
                self.target.setFocus()


class NumberPad(QWidget):
    """Digits for numbers (РНОКПП, phone, appeal number, PIN)."""

    def __init__(self, size: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.target: QLineEdit | None = None
        self.keys: dict[str, KeyButton] = {}
        grid = QGridLayout(self)
        grid.setSpacing(8)
        labels = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "backspace"]
        for i, k in enumerate(labels):
            b = KeyButton({"clear": "C", "backspace": "⌫"}.get(k, k), round(size * 1.15), self)
            b.setObjectName("padkey")                   # a full 15 mm target (the theme)
            b.setFixedWidth(round(size * 2.4))
            b.clicked.connect(lambda _=False, key=k: self.press(key))
            self.keys[k] = b
            grid.addWidget(b, i // 3, i % 3)

    def press(self, key: str) -> None:
        if self.target is None:
            return
        if key == "clear":
            self.target.clear()
        elif key == "backspace":
            self.target.backspace()
        else:
            self.target.insert(key)
        self.target.setFocus()
