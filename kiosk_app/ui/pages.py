"""One large, calm page: step count, title, one question, an error line, Back and the main button.

Each screen of the app is a :class:`Page` with some of its optional parts (a text field with the
on-screen keyboard, a number field with the pad, choice buttons, sheet previews, a progress bar, a
big number). Texts are set by the page's ``render(lang)``; what is spoken is read from the visible
widgets, so the words heard and the words shown are the same."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from .qt import (
    QApplication,
    QEvent,
    QFrame,
    QHBoxLayout,
    QKeyEvent,
    QLabel,
    QLineEdit,
    QObject,
    QPixmap,
    QProgressBar,
    QResizeEvent,
    QScrollArea,
    QSize,
    QSizePolicy,
    Qt,
    QVBoxLayout,
    QWidget,
)
from .widgets import BigButton, NumberPad, OnScreenKeyboard

# Decoded previews of the sheets now on screen, shared by the pages that show them (the window's
# wipe empties it with the session: the previews are the resident's letter).
PIXMAPS: dict[int, tuple[bytes, QPixmap, dict[int, QPixmap]]] = {}


class QuietLabel(QLabel):
    """A line that takes no room while it has no text (the error line, an empty body): so that
    every page fits the panel."""

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setHidden(not text)

    def clear(self) -> None:
        self.setText("")


class TextScroll(QScrollArea):
    """The page's scrolling part: it asks for no more room than its first line (the title), so
    that the field, the keyboard and the bottom row keep theirs; it takes what is left."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("page_scroll")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.viewport().setAutoFillBackground(False)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def setWidget(self, w: QWidget) -> None:
        super().setWidget(w)
        w.installEventFilter(self)

    def eventFilter(self, obj: QObject, e: QEvent) -> bool:
        if obj is self.widget() and e.type() == QEvent.Type.LayoutRequest:
            self.fit()
        return False

    def resizeEvent(self, e: QResizeEvent) -> None:
        super().resizeEvent(e)
        self.fit()

    def fit(self) -> None:
        """The content as tall as its wrapped text at the viewport's width (then it scrolls)."""
        w = self.widget()
        lay = w.layout() if w is not None else None
        if lay is not None:
            lay.activate()
            h = lay.totalHeightForWidth(self.viewport().width()) if lay.hasHeightForWidth() else lay.sizeHint().height()
            if w.minimumHeight() != h:
                w.setMinimumHeight(h)

    def first_line(self) -> int:
        labels = [w for w in self.widget().findChildren(QLabel) if not w.isHidden() and w.text()]
        return max((w.fontMetrics().lineSpacing() for w in labels[:1]), default=0) + 4

    def minimumSizeHint(self) -> QSize:
        return QSize(0, min(self.first_line(), self.widget().sizeHint().height()))

    def sizeHint(self) -> QSize:
        return self.minimumSizeHint()


class Page(QWidget):
    def __init__(self, sid: str, target_px: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sid = sid
        self.setObjectName("page")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.target_px = target_px
        self.field: QLineEdit | None = None
        self.keyboard: OnScreenKeyboard | None = None
        self.pad: NumberPad | None = None
        self.choices: dict[str, BigButton] = {}
        self.extra: dict[str, BigButton] = {}
        self.thumbs_row: QHBoxLayout | None = None
        self.thumbs: list[QLabel] = []
        self.progress: QProgressBar | None = None
        self.big: QLabel | None = None
        self.info: QLabel | None = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(48, 4, 48, 4)
        outer.setSpacing(6)
        self.head = QWidget(self)
        self.head.setProperty("box", True)
        head = QHBoxLayout(self.head)
        head.setContentsMargins(0, 0, 0, 0)
        self.step = QLabel(self.head)
        self.step.setObjectName("step")
        self.step.setWordWrap(True)
        head.addWidget(self.step, 1)
        self.lang_btn = BigButton("", self.head)
        self.lang_btn.setObjectName("lang")
        self.speak_btn = BigButton("", self.head)
        self.speak_btn.setObjectName("speak")
        for b in (self.lang_btn, self.speak_btn):
            b.set_policy(QSizePolicy.Policy.Maximum)          # narrower when needed, never wider
            b.set_min_width(round(target_px * 2))
            head.addWidget(b)
        outer.addWidget(self.head)
        # What may be long (title, text, choices, panels) scrolls; the field with its keyboard and
        # the bottom row stay in view (large text, a small panel, the idle banner).
        self.scroll = TextScroll(self)
        inner = QWidget(self.scroll)
        inner.setObjectName("scrolled")
        self.scrolled = QVBoxLayout(inner)
        self.scrolled.setContentsMargins(0, 0, 0, 0)
        self.scrolled.setSpacing(6)
        self.scroll.setWidget(inner)
        outer.addWidget(self.scroll, 1)
        self.title = QLabel(inner)
        self.title.setObjectName("title")
        self.title.setWordWrap(True)
        self.scrolled.addWidget(self.title)
        self.body = QuietLabel(inner)
        self.body.setWordWrap(True)
        self.scrolled.addWidget(self.body)
        self.content = QVBoxLayout()
        self.content.setSpacing(8)
        self.scrolled.addLayout(self.content)
        self.scrolled.addStretch(1)
        self.fixed = QVBoxLayout()            # the field and its keyboard or pad
        self.fixed.setSpacing(6)
        outer.addLayout(self.fixed)
        self.error = QuietLabel(self)
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.hide()
        outer.addWidget(self.error)
        self.foot = QHBoxLayout()
        self.back = BigButton("", self)
        self.back.setObjectName("back")
        self.back.set_min_width(round(target_px * 2))
        self.back.set_policy(QSizePolicy.Policy.Preferred)
        self.foot.addWidget(self.back)
        self.foot.addStretch(1)
        self.primary = BigButton("", self, primary=True)
        self.primary.set_min_width(round(target_px * 3))
        self.primary.set_policy(QSizePolicy.Policy.Preferred)
        self.foot.addWidget(self.primary)
        outer.addLayout(self.foot)
        self.foot2 = QHBoxLayout()            # the main button, when the bottom row is too narrow for all
        outer.addLayout(self.foot2)
        app = QApplication.instance()
        if app is not None:
            app.focusChanged.connect(self._focus_changed)

    def resizeEvent(self, e: QResizeEvent) -> None:
        super().resizeEvent(e)
        self.reflow_foot(e.size().width())

    def reflow_foot(self, width: int) -> None:
        """Back, the extra buttons and the main button in one row while their longest words fit;
        else the main button on a row of its own under them (large text)."""
        m = self.layout().contentsMargins()
        room = width - m.left() - m.right()
        shown = [b for b in (self.back, *self.extra.values(), self.primary) if not b.isHidden()]
        need = sum(b.minimumWidth() for b in shown) + self.foot.spacing() * (len(shown) + 1)
        two = need > room
        if two and self.foot2.indexOf(self.primary) < 0:
            self.foot.removeWidget(self.primary)
            self.foot2.addWidget(self.primary)
        elif not two and self.foot.indexOf(self.primary) < 0:
            self.foot2.removeWidget(self.primary)
            self.foot.addWidget(self.primary)

    def _focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        """A key moved the focus onto something scrolled out of view: scroll it into view."""
        if new is not None and self.scroll.widget().isAncestorOf(new):
            self.scroll.ensureWidgetVisible(new, 0, 8)

    def render(self, lang: str) -> None:
        """Set every text of the page in ``lang`` (a screen's own texts: see the subclasses)."""

    def on_show(self) -> None:
        """Called each time the page comes on screen, after its texts were rendered."""

    # -- optional parts -------------------------------------------------------------------
    def add_field(self, kind: str, masked: bool = False, digits: bool = True) -> QLineEdit:
        """A field with the number pad (``kind`` "number") or the keyboard (without its digits row
        for names)."""
        f = QLineEdit(self)
        f.setObjectName(f"field_{self.sid}")
        if masked:
            f.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
        f.returnPressed.connect(self.primary.click)
        self.fixed.addWidget(f)
        self.field = f
        if kind == "number":
            self.pad = NumberPad(self.target_px, self)
            self.pad.target = f
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(self.pad, 4)
            row.addStretch(1)
            self.fixed.addLayout(row)
        else:
            self.keyboard = OnScreenKeyboard(self.target_px, self, digits=digits)
            self.keyboard.target = f
            self.keyboard.leave_down = lambda: self.primary.setFocus(Qt.FocusReason.OtherFocusReason)
            self.fixed.addWidget(self.keyboard)
        return f

    def add_choice(self, key: str, on_click: Callable[[], None]) -> BigButton:
        b = BigButton("", self.scroll.widget(), on_click=on_click)
        b.setObjectName(f"choice_{key}")
        b.setMinimumHeight(self.target_px)
        self.content.addWidget(b)
        self.choices[key] = b
        return b

    def add_extra(self, key: str, on_click: Callable[[], None]) -> BigButton:
        b = BigButton("", self, on_click=on_click)
        b.setObjectName(f"extra_{key}")
        b.set_min_width(round(self.target_px * 2))
        b.set_policy(QSizePolicy.Policy.Preferred)
        self.foot.insertWidget(self.foot.count() - (1 if self.foot.indexOf(self.primary) >= 0 else 0), b)
        self.extra[key] = b
        return b

    def add_info(self, name: str = "summary") -> QLabel:
        lab = QLabel(self.scroll.widget())
        lab.setObjectName(name)
        lab.setWordWrap(True)
        lab.setTextFormat(Qt.TextFormat.PlainText)
        self.content.addWidget(lab)
        self.info = lab
        return lab

    def add_progress(self) -> QProgressBar:
        self.progress = QProgressBar(self.scroll.widget())
        self.progress.setTextVisible(False)          # the body says "sheet 2 of 3" in words
        self.content.addWidget(self.progress)
        return self.progress

    def add_thumbs(self) -> None:
        self.thumbs_row = QHBoxLayout()
        self.thumbs_row.setSpacing(12)
        self.thumbs_row.addStretch(1)
        self.content.addLayout(self.thumbs_row)

    def add_big(self) -> QLabel:
        self.big = QLabel(self.scroll.widget())
        self.big.setObjectName("number")
        self.big.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.content.addWidget(self.big)
        return self.big

    def set_thumbs(self, pngs: list[bytes], height: int) -> None:
        """Show the sheets' previews; only new ones are decoded (the UI thread must stay light)."""
        assert self.thumbs_row is not None
        keep = 0
        while keep < min(len(pngs), len(self.thumbs)) and self.thumbs[keep].property("src") is pngs[keep]:
            keep += 1
        for lab in self.thumbs[keep:]:
            self.thumbs_row.removeWidget(lab)
            lab.hide()
            lab.deleteLater()
        self.thumbs = self.thumbs[:keep]
        for data in pngs[keep:]:
            pix = PIXMAPS.get(id(data))
            if pix is None or pix[0] is not data:
                decoded = QPixmap()
                decoded.loadFromData(data, "PNG")
                pix = PIXMAPS[id(data)] = (data, decoded, {})
            lab = QLabel(self.scroll.widget())
            lab.setObjectName("thumb")
            lab.setProperty("src", data)
            lab.setProperty("pix", pix)
            self.thumbs_row.insertWidget(self.thumbs_row.count() - 1, lab)
            self.thumbs.append(lab)
        for i, lab in enumerate(self.thumbs):
            if i >= keep or lab.property("h") != height:
                _src, full, scaled = lab.property("pix")
                if height not in scaled:
                    scaled[height] = full.scaledToHeight(height, Qt.TransformationMode.SmoothTransformation)
                lab.setPixmap(scaled[height])
                lab.setProperty("h", height)

    # -- focus, keys, speech ------------------------------------------------------------------
    def focus_chain(self) -> list[QWidget]:
        chain: list[QWidget] = []
        if self.field is not None:
            chain.append(self.field)
        chain += [b for b in self.choices.values()]
        chain.append(self.primary)
        chain += [b for b in self.extra.values()]
        chain += [self.back, self.lang_btn, self.speak_btn]
        return [w for w in chain if not w.isHidden()]

    def fix_tab_order(self) -> None:
        chain = self.focus_chain()
        for a, b in itertools.pairwise(chain):
            QWidget.setTabOrder(a, b)

    def focus_first(self) -> None:
        chain = self.focus_chain()
        if chain:
            chain[0].setFocus(Qt.FocusReason.OtherFocusReason)

    def keyPressEvent(self, e: QKeyEvent) -> None:
        kb = self.keyboard
        if kb is not None and self.field is not None and self.field.hasFocus() and e.key() == Qt.Key.Key_Down:
            kb.first_letter().setFocus(Qt.FocusReason.OtherFocusReason)
            return
        if kb is not None and self.primary.hasFocus() and e.key() == Qt.Key.Key_Up:
            kb.key_rows[-1][0].setFocus(Qt.FocusReason.OtherFocusReason)
            return
        if e.key() == Qt.Key.Key_Escape and not self.back.isHidden() and self.back.isEnabled():
            self.back.click()
            return
        super().keyPressEvent(e)

    info_personal = False               # the info panel shows the resident's data (the summary)

    def speech_lang(self) -> str:
        return "uk"

    def speech_text(self, personal: bool = False) -> str:
        """The screen in words; with ``personal`` (headphones in) what the resident typed and the
        info panel's personal data too, else a note that they are read only into headphones."""
        from .i18n import tr
        lang = self.speech_lang()
        private = False
        parts: list[str] = []
        for lab in (self.step, self.title, self.body):
            if not lab.isHidden() and lab.text():
                parts.append(lab.text())
        if self.field is not None and self.field.text():
            if personal:
                parts.append(f"{tr('kp.field', lang)}: {self.field.text()}")
            else:
                private = True
        if self.big is not None and not self.big.isHidden() and self.big.text():
            parts.append(self.big.property("spoken") or self.big.text())
        if self.info is not None and not self.info.isHidden() and self.info.text():
            if personal or not self.info_personal:
                parts.append(self.info.text())
            else:
                private = True
        if private:
            parts.append(tr("kp.private", lang))
        if self.error.text():
            parts.append(self.error.text())
        for w in self.focus_chain():
            if isinstance(w, BigButton) and w not in (self.lang_btn, self.speak_btn) and w.isEnabled() and w.text():
                parts.append((w.accessibleName() or w.text()).replace("←", "").replace("→", "").strip())
        return ". ".join(p.rstrip(".") for p in parts) + "."
