"""Every screen fits the common kiosk panels (1920x1080, 1280x1024), at 100 % and 200 % text, in
both languages and in high contrast, with the idle banner showing: nothing clipped, nothing
overlapping, measured on the live widgets (kiosk_app.ui.geometry) as ``kioskctl screenshots``
renders them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from kiosk_app.ui.gallery import SCREENS, VARIANTS, render_all, set_panel, show_banner, stage
from kiosk_app.ui.geometry import problems
from kiosk_app.ui.qt import QApplication, QPoint, QRect


@pytest.mark.parametrize("scale", [1.0, 2.0], ids=["100%", "200%"])
@pytest.mark.parametrize("size", [(1920, 1080), (1280, 1024)], ids=["1920x1080", "1280x1024"])
def test_every_screen_fits_with_the_idle_banner(qtbot: Any, window: Any, tmp_path: Path, size: tuple[int, int],
                                                scale: float) -> None:
    """Both languages and high contrast, the idle banner showing; at 200 % text too (WCAG 1.4.4)."""
    win = window
    set_panel(win, size, scale)
    found: list[str] = []
    paths = render_all(win, tmp_path, width=0, banner=True, check=found)
    assert len(paths) == len(SCREENS) * len(VARIANTS)
    assert found == []
    for name in ("surname.uk.png", "address.en.png", "status.uk-hc.png"):
        assert Image.open(tmp_path / name).size == size         # the window did not grow past the panel
    assert win.session.is_empty() and not win.banner.isVisible()


def test_at_200_percent_the_keyboard_and_the_bottom_row_stay_in_view(qtbot: Any, window: Any) -> None:
    """What a low-vision resident needs on a small panel: every key of the keyboard and Back/Next
    on screen with the banner showing, the text scrolling above them, the key letters large."""
    win = window
    set_panel(win, (1280, 1024), 2.0)
    stage(win, "address")
    show_banner(win)
    for _ in range(3):
        QApplication.processEvents()
    p = win.nav.current_screen()
    full = win.rect()
    for w in [*p.keyboard.all_keys(), p.back, p.primary, p.field, win.banner.stay]:
        assert full.contains(QRect(w.mapTo(win, QPoint(0, 0)), w.size())), w.text()
    assert p.scroll.viewport().height() >= p.title.fontMetrics().lineSpacing()
    letter = p.keyboard.keys["ж"]
    assert letter.fontMetrics().height() >= 0.7 * win.theme.font_px("key") * 1.1   # not shrunk to nothing
    assert "123" in [k.text() for k in p.keyboard.all_keys()]       # digits behind their key at large text
    p.keyboard.keys["digits"].click()
    QApplication.processEvents()
    assert [k.text() for k in p.keyboard.key_rows[0]] == list("1234567890")
    p.keyboard.keys["5"].click()
    assert p.field.text().endswith("5")


def test_the_checker_sees_wrapped_text_cut_and_scrolled_content_cut(qtbot: Any, window: Any) -> None:
    """The measuring of what reflows: a wrapping button too low for its lines, a word wider than
    its button, a widget cut off in its scrolling area, a scrolling area lower than a line."""
    win = window
    set_panel(win, (1280, 1024), 2.0)
    stage(win, "welcome")
    for _ in range(3):
        QApplication.processEvents()
    assert problems(win) == []
    p = win.nav.current_screen()
    b = p.choices["add"]
    b.setFixedHeight(b.height() // 2)
    QApplication.processEvents()
    assert any("choice_add" in x and "px tall in" in x for x in problems(win)), problems(win)
    b.setMinimumHeight(0)
    b.setMaximumHeight(16777215)
    b.setMinimumWidth(0)
    b.setFixedWidth(150)
    QApplication.processEvents()
    assert any("choice_add" in x and "a word is" in x for x in problems(win)), problems(win)
    b.setMinimumWidth(0)
    b.setMaximumWidth(16777215)
    for _ in range(3):
        QApplication.processEvents()
    inner = p.scroll.widget()
    b.move(b.x(), inner.height() - 10)
    assert any("choice_add" in x and "cut off in its scrolling area" in x for x in problems(win)), problems(win)
    p.scroll.setFixedHeight(40)
    QApplication.processEvents()
    assert any("page_scroll" in x and "less than a line" in x for x in problems(win)), problems(win)


def test_the_checker_sees_a_clipped_label_and_an_overlap(qtbot: Any, window: Any) -> None:
    """The measuring itself: a button too narrow for its word, two buttons on top of each other."""
    win = window
    set_panel(win, (1920, 1080), 1.0)
    p = win.nav.screen("welcome")
    QApplication.processEvents()
    assert problems(win) == []
    b = p.choices["form"]
    b.setMinimumWidth(0)
    b.setFixedWidth(120)
    QApplication.processEvents()
    assert any("choice_form" in x and "px wide in" in x for x in problems(win)), problems(win)
    b.setMinimumWidth(0)
    b.setMaximumWidth(16777215)
    p.choices["add"].move(p.choices["status"].pos())
    assert any("choice_add overlaps choice_status" in x or "choice_status overlaps choice_add" in x
               for x in problems(win)), problems(win)
