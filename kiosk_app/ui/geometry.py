"""Is anything on screen clipped or overlapping? Measured on the live widgets of the window: text
wider or taller than its widget (QFontMetrics, with the style's padding and borders; a button whose
text wraps is measured as wrapped text, like a word-wrapped label), a widget outside the window or
cut off by its scrolling area, a scrolling area too low to show one line, siblings on top of each
other (the field, the keyboard and the scrolling area too), a window that had to grow past the
panel. ``kioskctl screenshots`` reports these; the geometry test fails on any."""

from __future__ import annotations

import itertools
from typing import Any

from .qt import (
    QLabel,
    QLineEdit,
    QPoint,
    QPushButton,
    QRect,
    QScrollArea,
    QStyle,
    QStyleOptionButton,
    Qt,
    QWidget,
)

# Text may run into a button's padding (18 px a side in the theme), not past it.
PADDING_SLACK = 8


def _visible(w: QWidget, win: QWidget) -> bool:
    return w.isVisibleTo(win) and w.width() > 0 and w.height() > 0


def _rect_in(w: QWidget, win: QWidget) -> QRect:
    return QRect(w.mapTo(win, QPoint(0, 0)), w.size())


def _button_room(b: QPushButton) -> QRect:
    opt = QStyleOptionButton()
    b.initStyleOption(opt)
    return b.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, opt, b)


def _wrapped_problem(w: QWidget, text: str, room: QRect, slack: int = 0) -> str | None:
    """Word-wrapped text: its longest word fits the width, its lines the height."""
    fm = w.fontMetrics()
    words = max((fm.horizontalAdvance(x) for x in text.replace("\n", " ").split(" ")), default=0)   # not at a no-break space
    if words > room.width() + 2 * slack:
        return f"a word is {words} px wide in {room.width()} px"
    need = fm.boundingRect(QRect(0, 0, room.width(), 100000), int(Qt.TextFlag.TextWordWrap), text).height()
    if need > room.height() + 1:
        return f"text {need} px tall in {room.height()} px"
    return None


def _scrolled_in(w: QWidget, win: QWidget) -> QScrollArea | None:
    """The scrolling area ``w`` is in (its content is reached by scrolling), if any."""
    p = w.parentWidget()
    while p is not None and p is not win:
        if isinstance(p, QScrollArea) and p.widget() is not None and p.widget().isAncestorOf(w):
            return p
        p = p.parentWidget()
    return None


def _label_problem(lab: QLabel) -> str | None:
    text = lab.text()
    if not text or (lab.pixmap() is not None and not lab.pixmap().isNull()):
        return None
    fm = lab.fontMetrics()
    room = lab.contentsRect()
    if lab.wordWrap():
        return _wrapped_problem(lab, text, room)
    else:
        wide = max(fm.horizontalAdvance(line) for line in text.split("\n"))
        if wide > room.width():
            return f"text {wide} px wide in {room.width()} px"
        need = fm.lineSpacing() * (text.count("\n") + 1)
    if need > room.height() + 1:
        return f"text {need} px tall in {room.height()} px"
    return None


def problems(win: Any, root: QWidget | None = None) -> list[str]:
    """Everything clipped or overlapping on ``root`` (the current screen) and the idle banner."""
    out: list[str] = []
    want = win.property("panel_size")
    if want is not None and (win.width(), win.height()) != tuple(want):
        out.append(f"window {win.width()}x{win.height()} does not fit the panel {want[0]}x{want[1]}")
    full = win.rect()
    roots = [root or win.nav.current_screen()]
    if win.banner.isVisible():
        roots.append(win.banner)
    for r in roots:
        widgets = [w for w in r.findChildren(QWidget) if isinstance(w, QLabel | QPushButton | QLineEdit)
                   and _visible(w, win)]
        boxes = [w for w in r.findChildren(QWidget) if w.property("box") and _visible(w, win)]
        for w in widgets + boxes:
            name = w.objectName() or type(w).__name__
            label = f"{name} «{w.text()[:30]}»" if hasattr(w, "text") else name
            area = _scrolled_in(w, win)
            if area is None:
                rect = _rect_in(w, win)
                if not full.contains(rect):
                    out.append(f"{label}: outside the window ({rect.x()},{rect.y()} {rect.width()}x{rect.height()})")
            else:                    # reached by scrolling: inside the scrolled content, and the area in the window
                rect = QRect(w.mapTo(area.widget(), QPoint(0, 0)), w.size())
                if not area.widget().rect().contains(rect):
                    out.append(f"{label}: cut off in its scrolling area ({rect.x()},{rect.y()} "
                               f"{rect.width()}x{rect.height()})")
            if isinstance(w, QPushButton) and w.text():
                room = _button_room(w)
                slack = 0 if w.objectName() in ("key", "padkey") else PADDING_SLACK          # keys have no padding
                if w.property("wrap"):
                    p = _wrapped_problem(w, w.text(), room, slack)
                    if p:
                        out.append(f"{label}: {p}")
                    continue
                wide = max(w.fontMetrics().horizontalAdvance(line) for line in w.text().split("\n"))
                if wide > room.width() + 2 * slack:
                    out.append(f"{label}: text {wide} px wide in {room.width()} px")
                tall = w.fontMetrics().height() + w.fontMetrics().lineSpacing() * w.text().count("\n")
                if tall > room.height() + 2:
                    out.append(f"{label}: text {tall} px tall in {room.height()} px")
            elif isinstance(w, QLabel):
                p = _label_problem(w)
                if p:
                    out.append(f"{label}: {p}")
        for a in r.findChildren(QScrollArea):
            if _visible(a, win) and a.widget() is not None:
                lines = [lab.fontMetrics().lineSpacing() for lab in a.widget().findChildren(QLabel)
                         if _visible(lab, win) and lab.text()]
                if lines and a.viewport().height() < min(lines[0], a.widget().height()):
                    out.append(f"{a.objectName()}: {a.viewport().height()} px tall, "
                               f"less than a line ({lines[0]} px)")
        by_parent: dict[int, list[QWidget]] = {}
        for w in widgets + boxes + [a for a in r.findChildren(QScrollArea) if _visible(a, win)]:
            by_parent.setdefault(id(w.parentWidget()), []).append(w)
        for sibs in by_parent.values():
            for a, b in itertools.combinations(sibs, 2):
                if a.geometry().intersects(b.geometry()):
                    out.append(f"{a.objectName() or type(a).__name__} overlaps {b.objectName() or type(b).__name__}")
    return out
