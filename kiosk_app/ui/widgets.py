"""Building blocks: big buttons that work by touch and by keypad, the on-screen keyboard
(Ukrainian and English layouts) and the number pad. Tab's focus order stays: field, choices,
Back, Next; the keypad's arrows reach the keyboard's keys from the field (Down)."""

from __future__ import annotations

from collections.abc import Callable

from .i18n import tr
from .qt import (
    QEvent,
    QFont,
    QFontMetrics,
    QGridLayout,
    QHBoxLayout,
    QKeyEvent,
    QLineEdit,
    QPainter,
    QPushButton,
    QResizeEvent,
    QSize,
    QSizePolicy,
    QStyle,
    QStyleOptionButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from .theme import FOCUS_EXTRA

UK_ROWS = ["йцукенгшщзхї", "фівапролджєґ", "ячсмитьбюʼ-.,"]
EN_ROWS = ["qwertyuiop", "asdfghjkl'", "zxcvbnm-.,"]
DIGITS = "1234567890"


def wrap_lines(text: str, font: QFont, width: int) -> list[str]:
    """``text`` broken at spaces into lines of at most ``width`` px (a word wider than that stays
    whole on its line). Pure Python on purpose: the layout asks often, and each void call into
    PySide6 6.12 on Python 3.11 costs a reference to None."""
    fm = QFontMetrics(font)
    out: list[str] = []
    for para in text.split("\n"):
        line = ""
        for word in para.split(" "):          # not at a no-break space (str.split() would)
            if not word:
                continue
            cand = f"{line} {word}" if line else word
            if line and fm.horizontalAdvance(cand) > width:
                out.append(line)
                line = word
            else:
                line = cand
        out.append(line)
    return out or [""]


class BigButton(QPushButton):
    """Enter/Return presses it; arrow keys move the focus like Tab (no gestures, no mouse needed).
    Its text wraps onto more lines when the button is narrower than the text (large text, a
    narrow panel): the button grows in height instead of cutting words (property ``wrap``)."""

    _chrome_size: QSize | None = None

    def __init__(self, text: str = "", parent: QWidget | None = None, *, primary: bool = False,
                 on_click: Callable[[], None] | None = None) -> None:
        super().__init__(text, parent)
        if primary:
            self.setObjectName("primary")
        self.setProperty("wrap", True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.set_policy(QSizePolicy.Policy.Expanding)
        self.min_w = 0
        if on_click:
            self.clicked.connect(lambda _checked=False: on_click())

    def set_min_width(self, px: int) -> None:
        """The narrowest the button becomes (a longer word keeps it wider)."""
        self.min_w = px
        self._update_min()

    def setText(self, text: str) -> None:
        super().setText(text)
        self._update_min()

    def changeEvent(self, e: QEvent) -> None:
        super().changeEvent(e)
        if e.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._chrome_size = None
            self._update_min()

    def _update_min(self) -> None:
        """The layout may make the button no narrower than its longest word (a style sheet's
        min-width would otherwise win)."""
        w = self.minimumSizeHint().width()
        if self.minimumWidth() != w:
            self.setMinimumWidth(w)

    def set_policy(self, horizontal: QSizePolicy.Policy) -> None:
        sp = QSizePolicy(horizontal, QSizePolicy.Policy.Fixed)        # its height: sizeHint, for its width
        sp.setHeightForWidth(True)
        self.setSizePolicy(sp)

    def _chrome(self) -> QSize:
        """Border and padding around the text (from the style sheet), as when the button has the
        focus (a thicker border, theme.FOCUS_EXTRA a side), so that the focus moves no text. Kept
        until the style changes: the layout asks for it often."""
        cached = self._chrome_size
        if cached is None:
            opt = QStyleOptionButton()
            self.initStyleOption(opt)
            room = self.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, opt, self)
            extra = 0 if self.hasFocus() else 2 * FOCUS_EXTRA
            cached = QSize(self.width() - room.width() + extra, self.height() - room.height() + extra)
            if self.testAttribute(Qt.WidgetAttribute.WA_WState_Polished):
                self._chrome_size = cached
        return cached

    def lines(self, width: int | None = None) -> list[str]:
        w = (self.width() if width is None else width) - self._chrome().width()
        return wrap_lines(self.text(), self.font(), w)

    def minimumSizeHint(self) -> QSize:
        fm = QFontMetrics(self.font())
        word = max((fm.horizontalAdvance(x) for x in self.text().replace("\n", " ").split(" ")), default=0)
        return QSize(max(self.min_w, word + self._chrome().width() + 2), super().sizeHint().height())

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        n = len(self.lines(width))
        return max(super().sizeHint().height(), n * QFontMetrics(self.font()).lineSpacing() + self._chrome().height())

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        fm = QFontMetrics(self.font())
        wide = max(hint.width(), self.min_w, max(fm.horizontalAdvance(x) for x in self.text().split("\n"))
                   + self._chrome().width() + 4)
        return QSize(wide, self.heightForWidth(self.width() if 0 < self.width() < wide else wide))

    def resizeEvent(self, e: QResizeEvent) -> None:
        super().resizeEvent(e)
        if e.oldSize().width() != e.size().width():
            self.updateGeometry()          # the height follows the width (more or fewer lines)

    def paintEvent(self, e: object) -> None:
        opt = QStyleOptionButton()
        self.initStyleOption(opt)
        opt.text = "\n".join(self.lines())
        p = QPainter(self)
        self.style().drawControl(QStyle.ControlElement.CE_PushButton, opt, p, self)
        p.end()

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


def _key_px(owner: QWidget) -> int:
    """The theme's key text size (kiosk_app.ui.theme) for the window ``owner`` is on."""
    theme = getattr(owner.window(), "theme", None)
    return theme.font_px("key") if theme is not None else owner.font().pixelSize()


def fit_keys(keys: list[KeyButton], base_px: int) -> None:
    """Each key's text at the theme's size, or smaller where the key is smaller than its text
    (few rows of room, a long label): single characters share one size, a label fits its key."""
    if not keys:
        return
    font = QFont(keys[0].font())
    font.setPixelSize(base_px)
    fm = QFontMetrics(font)
    tall = fm.height() / base_px

    def fit(k: KeyButton, text: str) -> int:
        room = k.room()
        wide = max(1, max(fm.horizontalAdvance(line) for line in text.split("\n")))
        return max(8, min(base_px, int(base_px * room.width() / wide), int((room.height() + 1) / tall)))

    letters = [k for k in keys if len(k.text()) == 1]
    widest = max(letters, key=lambda k: fm.horizontalAdvance(k.text())).text() if letters else ""
    common = min((fit(k, widest) for k in letters), default=base_px)
    for k in keys:
        px = common if len(k.text()) == 1 else min(common, fit(k, k.text()))
        if k.property("px") != px:
            k.setProperty("px", px)
            k.setStyleSheet(f"font-size: {px}px;")
        k.hint = QSize(k.hint.width(), max(k.minimumHeight(), round(base_px * tall) + k.chrome_h()))


class KeyButton(QPushButton):
    """A key of the on-screen keyboard or pad. Keyboard keys take the focus from the keypad's arrows
    (not from Tab, and a touch gives the focus back to the field): arrows move on the grid, Enter
    types the key and the focus stays for the next one. Its size comes from its keyboard (the room
    there is), its text size from :func:`fit_keys`."""

    def __init__(self, text: str, size: int, parent: QWidget | None = None,
                 keyboard: OnScreenKeyboard | None = None) -> None:
        super().__init__(text, parent)
        self.setObjectName("key")
        self.keyboard = keyboard
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus if keyboard is not None else Qt.FocusPolicy.NoFocus)
        # 12 mm (a 15 mm target elsewhere): thirteen keys a row fit 1280 px, five rows and the idle
        # banner fit 1024 px; on a wider panel the keys grow
        self.setMinimumSize(round(size * 0.8), round(size * 0.8))
        self.hint = QSize(round(size * 0.8), round(size * 0.8))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def sizeHint(self) -> QSize:
        return self.hint

    def minimumSizeHint(self) -> QSize:
        return self.minimumSize()

    def room(self) -> QSize:
        opt = QStyleOptionButton()
        self.initStyleOption(opt)
        return self.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, opt, self).size()

    def chrome_h(self) -> int:
        return self.height() - self.room().height() + 2

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

    def __init__(self, size: int, parent: QWidget | None = None, *, digits: bool = True) -> None:
        super().__init__(parent)
        self.setProperty("box", True)           # measured as a whole by kiosk_app.ui.geometry too
        self.size_px = size
        self.digits = digits              # names have no digits: their keyboard has one row fewer
        self.compact = False              # large text: the digits behind a key of their own
        self.show_digits = False
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
        digits_only = self.digits and self.compact and self.show_digits
        rows = [DIGITS] if self.digits and (digits_only or not self.compact) else []
        rows += [] if digits_only else UK_ROWS if self.layout_name == "uk" else EN_ROWS
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
        fns = [("digits", tr("kb.letters" if self.show_digits else "kb.digits", self.lang), self.toggle_digits)
               ] if self.digits and self.compact else []
        for name, text, fn in (*fns, ("layout", tr("kb.layout", "uk" if self.layout_name == "uk" else "en"), self.toggle_layout),
                               ("shift", tr("kb.shift", self.lang), self.toggle_shift),
                               ("space", tr("kb.space", self.lang), lambda: self.type_char(" ")),
                               ("backspace", tr("kb.back", self.lang), self.backspace)):
            b = KeyButton(text, self.size_px, self, keyboard=self)
            b.clicked.connect(fn)
            self.keys[name] = b
            self.key_rows[-1].append(b)
            row.addWidget(b, {"space": 3, "backspace": 2, "shift": 2}.get(name, 1))
        self.grid.addLayout(row)
        self.fit()

    def first_letter(self) -> KeyButton:
        return self.key_rows[1 if self.digits and not self.compact else 0][0]

    def set_compact(self, on: bool) -> None:
        """Large text: the digits row goes behind a "123" key, so the keyboard stays in view."""
        if on != self.compact:
            self.compact, self.show_digits = on, False
            self._build()

    def _rebuild(self, pressed: str) -> None:
        """After a toggle key: the keys again; the keypad's focus stays on the key it pressed."""
        by_keypad = self.pressed_by_keypad
        self._build()
        if by_keypad:
            self.refocus(pressed)

    def toggle_digits(self) -> None:
        self.show_digits = not self.show_digits
        self._rebuild("digits")

    def all_keys(self) -> list[KeyButton]:
        return [k for row in self.key_rows for k in row]

    def fit(self) -> None:
        fit_keys(self.all_keys(), _key_px(self))

    def resizeEvent(self, e: QResizeEvent) -> None:
        super().resizeEvent(e)
        self.fit()

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
        self.layout_name = "en" if self.layout_name == "uk" else "uk"
        self._rebuild("layout")

    def toggle_shift(self) -> None:
        self.shift = not self.shift
        self._rebuild("shift")

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
    """Digits for numbers (РНОКПП, phone, appeal number, PIN): three equal columns of full 15 mm keys."""

    def __init__(self, size: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("box", True)
        self.target: QLineEdit | None = None
        self.keys: dict[str, KeyButton] = {}
        grid = QGridLayout(self)
        grid.setSpacing(8)
        labels = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "backspace"]
        for i, k in enumerate(labels):
            b = KeyButton({"clear": "C", "backspace": "⌫"}.get(k, k), round(size * 1.15), self)
            b.setObjectName("padkey")                   # a full 15 mm target (the theme)
            b.hint = QSize(round(size * 2.4), size)
            b.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
            b.clicked.connect(lambda _=False, key=k: self.press(key))
            self.keys[k] = b
            grid.addWidget(b, i // 3, i % 3)
        for c in range(3):
            grid.setColumnStretch(c, 1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def fit(self) -> None:
        fit_keys(list(self.keys.values()), _key_px(self))

    def resizeEvent(self, e: QResizeEvent) -> None:
        super().resizeEvent(e)
        self.fit()

    def set_clear_text(self, text: str) -> None:
        self.keys["clear"].setText(text)
        self.fit()

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


class ReflowRow(QWidget):
    """Buttons side by side while each one's longest word fits, in fewer columns (down to one
    under another) when they do not: large text, a narrow panel."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 14, columns: int = 3) -> None:
        super().__init__(parent)
        self.setProperty("box", True)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(spacing)
        self.max_columns = columns
        self.buttons: list[BigButton] = []
        self.columns = 0

    def add(self, b: BigButton) -> None:
        self.buttons.append(b)
        self.columns = 0
        self.reflow(self.width())

    def fitting_columns(self, width: int) -> int:
        shown = [b for b in self.buttons if not b.isHidden()] or self.buttons
        for n in range(min(self.max_columns, max(1, len(shown))), 0, -1):
            each = (width - self.grid.spacing() * (n - 1)) / n
            if all(b.minimumSizeHint().width() <= each for b in shown):
                return n
        return 1

    def reflow(self, width: int) -> None:
        n = self.fitting_columns(width)
        if n == self.columns:
            return
        self.columns = n
        for b in self.buttons:
            self.grid.removeWidget(b)
        for c in range(self.max_columns):
            self.grid.setColumnStretch(c, 1 if c < n else 0)
        for i, b in enumerate(self.buttons):
            self.grid.addWidget(b, i // n, i % n)

    def resizeEvent(self, e: QResizeEvent) -> None:
        super().resizeEvent(e)
        self.reflow(e.size().width())
