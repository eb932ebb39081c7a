"""One large, calm page: step count, title, one question, an error line, Back and the main button.

Each screen of the app is a :class:`Page` with some of its optional parts (a text field with the
on-screen keyboard, a number field with the pad, choice buttons, sheet previews, a progress bar, a
big number). Texts are set by the page's ``render(lang)``; what is spoken is read from the visible
widgets, so the words heard and the words shown are the same."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from .qt import (
    QHBoxLayout,
    QKeyEvent,
    QLabel,
    QLineEdit,
    QPixmap,
    QProgressBar,
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
        head = QHBoxLayout()
        self.step = QLabel(self)
        self.step.setObjectName("step")
        head.addWidget(self.step)
        head.addStretch(1)
        self.lang_btn = BigButton("", self)
        self.lang_btn.setObjectName("lang")
        self.speak_btn = BigButton("", self)
        self.speak_btn.setObjectName("speak")
        for b in (self.lang_btn, self.speak_btn):
            b.setSizePolicy(b.sizePolicy().horizontalPolicy().Fixed, b.sizePolicy().verticalPolicy())
            b.setMinimumWidth(round(target_px * 3))
            head.addWidget(b)
        outer.addLayout(head)
        self.title = QLabel(self)
        self.title.setObjectName("title")
        self.title.setWordWrap(True)
        outer.addWidget(self.title)
        self.body = QuietLabel(self)
        self.body.setWordWrap(True)
        outer.addWidget(self.body)
        self.content = QVBoxLayout()
        self.content.setSpacing(8)
        outer.addLayout(self.content)
        self.error = QuietLabel(self)
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.hide()
        outer.addWidget(self.error)
        outer.addStretch(1)
        self.foot = QHBoxLayout()
        self.back = BigButton("", self)
        self.back.setObjectName("back")
        self.back.setMinimumWidth(round(target_px * 3))
        self.back.setSizePolicy(self.back.sizePolicy().horizontalPolicy().Fixed, self.back.sizePolicy().verticalPolicy())
        self.foot.addWidget(self.back)
        self.foot.addStretch(1)
        self.primary = BigButton("", self, primary=True)
        self.primary.setMinimumWidth(round(target_px * 4))
        self.primary.setSizePolicy(self.primary.sizePolicy().horizontalPolicy().Fixed,
                                   self.primary.sizePolicy().verticalPolicy())
        self.foot.addWidget(self.primary)
        outer.addLayout(self.foot)

    def render(self, lang: str) -> None:
        """Set every text of the page in ``lang`` (a screen's own texts: see the subclasses)."""

    def on_show(self) -> None:
        """Called each time the page comes on screen, after its texts were rendered."""

    # -- optional parts -------------------------------------------------------------------
    def add_field(self, kind: str, masked: bool = False) -> QLineEdit:
        f = QLineEdit(self)
        f.setObjectName(f"field_{self.sid}")
        if masked:
            f.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
        f.returnPressed.connect(self.primary.click)
        self.content.addWidget(f)
        self.field = f
        if kind == "number":
            self.pad = NumberPad(self.target_px, self)
            self.pad.target = f
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(self.pad)
            row.addStretch(1)
            self.content.addLayout(row)
        else:
            self.keyboard = OnScreenKeyboard(self.target_px, self)
            self.keyboard.target = f
            self.keyboard.leave_down = lambda: self.primary.setFocus(Qt.FocusReason.OtherFocusReason)
            self.content.addWidget(self.keyboard)
        return f

    def add_choice(self, key: str, on_click: Callable[[], None]) -> BigButton:
        b = BigButton("", self, on_click=on_click)
        b.setObjectName(f"choice_{key}")
        b.setMinimumHeight(self.target_px)
        self.content.addWidget(b)
        self.choices[key] = b
        return b

    def add_extra(self, key: str, on_click: Callable[[], None]) -> BigButton:
        b = BigButton("", self, on_click=on_click)
        b.setObjectName(f"extra_{key}")
        b.setMinimumWidth(round(self.target_px * 2))
        b.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        self.foot.insertWidget(self.foot.count() - 1, b)
        self.extra[key] = b
        return b

    def add_info(self, name: str = "summary") -> QLabel:
        lab = QLabel(self)
        lab.setObjectName(name)
        lab.setWordWrap(True)
        lab.setTextFormat(Qt.TextFormat.PlainText)
        self.content.addWidget(lab)
        self.info = lab
        return lab

    def add_progress(self) -> QProgressBar:
        self.progress = QProgressBar(self)
        self.progress.setTextVisible(False)          # the body says "sheet 2 of 3" in words
        self.content.addWidget(self.progress)
        return self.progress

    def add_thumbs(self) -> None:
        self.thumbs_row = QHBoxLayout()
        self.thumbs_row.setSpacing(12)
        self.thumbs_row.addStretch(1)
        self.content.addLayout(self.thumbs_row)

    def add_big(self) -> QLabel:
        self.big = QLabel(self)
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
            lab = QLabel(self)
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
            kb.key_rows[1][0].setFocus(Qt.FocusReason.OtherFocusReason)     # the first letter
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
