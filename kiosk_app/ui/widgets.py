"""Building blocks: big buttons that work by touch and by keypad, the on-screen keyboard
(Ukrainian and English layouts) and the number pad. Keyboard and pad keys take no focus, so the
physical keypad's focus order stays: field, choices, Back, Next."""

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
    def __init__(self, text: str, size: int, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setObjectName("key")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setMinimumSize(size, size)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)


class OnScreenKeyboard(QWidget):
    """Types into ``target``: Ukrainian or English letters, digits, space, delete, shift."""

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
        rows = [DIGITS, *(UK_ROWS if self.layout_name == "uk" else EN_ROWS)]
        for chars in rows:
            row = QHBoxLayout()
            row.setSpacing(6)
            for ch in chars:
                label = ch.upper() if self.shift else ch
                b = KeyButton(label, self.size_px, self)
                b.clicked.connect(lambda _=False, c=ch: self.type_char(c))
                self.keys[ch] = b
                row.addWidget(b)
            self.grid.addLayout(row)
        row = QHBoxLayout()
        for name, text, fn in (("layout", tr("kb.layout", "uk" if self.layout_name == "uk" else "en"), self.toggle_layout),
                               ("shift", tr("kb.shift", self.lang), self.toggle_shift),
                               ("space", tr("kb.space", self.lang), lambda: self.type_char(" ")),
                               ("backspace", tr("kb.back", self.lang), self.backspace)):
            b = KeyButton(text, self.size_px, self)
            b.clicked.connect(fn)
            self.keys[name] = b
            row.addWidget(b, 3 if name == "space" else 1)
        self.grid.addLayout(row)

    def set_lang(self, lang: str) -> None:
        self.lang = lang
        self._build()

    def toggle_layout(self) -> None:
        self.layout_name = "en" if self.layout_name == "uk" else "uk"
        self._build()

    def toggle_shift(self) -> None:
        self.shift = not self.shift
        self._build()

    def type_char(self, ch: str) -> None:
        if self.target is not None:
            self.target.insert(ch.upper() if self.shift else ch)
            self.target.setFocus()

    def backspace(self) -> None:
        if self.target is not None:
            self.target.backspace()
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
