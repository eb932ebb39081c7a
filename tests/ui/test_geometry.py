"""Every screen fits the common kiosk panels (1920x1080, 1280x1024), in both languages and in high
contrast, with the idle banner showing: nothing clipped, nothing overlapping, measured on the live
widgets (kiosk_app.ui.geometry) as ``kioskctl screenshots`` renders them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from kiosk_app.ui.gallery import SCREENS, VARIANTS, render_all, set_panel
from kiosk_app.ui.geometry import problems
from kiosk_app.ui.qt import QApplication


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 1024)], ids=["1920x1080", "1280x1024"])
def test_every_screen_fits_with_the_idle_banner(qtbot: Any, window: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    win = window
    set_panel(win, size, 1.0)
    found: list[str] = []
    paths = render_all(win, tmp_path, width=0, banner=True, check=found)
    assert len(paths) == len(SCREENS) * len(VARIANTS)
    assert found == []
    img = Image.open(tmp_path / "surname.uk.png")
    assert img.size == size                                     # the window did not grow past the panel
    assert win.session.is_empty() and not win.banner.isVisible()


@pytest.mark.xfail(strict=True, reason="200 % text does not fit yet: the welcome choices, titles and keyboard "
                                       "need a reflowing layout (see docs/accessibility.md, not yet covered)")
@pytest.mark.parametrize("size", [(1920, 1080), (1280, 1024)], ids=["1920x1080", "1280x1024"])
def test_every_screen_fits_at_200_percent_text(qtbot: Any, window: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    win = window
    set_panel(win, size, 2.0)
    found: list[str] = []
    render_all(win, tmp_path, width=0, banner=True, check=found, variants={"uk": ("uk", False)})
    assert found == []


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
