"""Every session starts clean: the accessibility choices one resident made (high contrast,
large text, spoken mode, language, volume) do not reach the next resident."""

from __future__ import annotations

from typing import Any

import pytest

from kiosk_app.ui.speech import DEFAULT_VOLUME
from kiosk_app.ui.theme import Theme


def choose_everything(bot: Any, win: Any) -> None:
    welcome = win.nav.screen("welcome")
    bot.tap(welcome.lang_btn)                                          # English
    for key in ("hc", "large", "speech"):
        bot.tap(welcome.extra[key])
    win.speaker.set_volume(1.0)
    assert win.lang == "en" and win.theme.high_contrast and win.theme.large_text and win.speak_screens
    assert win.styleSheet() != Theme().stylesheet()


def assert_defaults(bot: Any, win: Any) -> None:
    welcome = bot.at(win, "welcome")
    assert win.lang == win.default_lang == "uk"
    assert not win.theme.high_contrast and not win.theme.large_text and not win.speak_screens
    assert win.styleSheet() == Theme().stylesheet()                       # the calm theme at 100 % text
    assert win.speaker.volume == DEFAULT_VOLUME
    for key in ("hc", "large", "speech"):
        b = welcome.extra[key]
        assert not b.isChecked() and not b.text().startswith("✓"), key
    assert welcome.title.text() == "Вітаємо! Що ви хочете зробити?"
    # the next resident: nothing is read aloud unless they ask for it
    n = len(win.speaker.spoken)
    bot.tap(welcome.choices["submit"])
    p = bot.at(win, "surname")
    assert len(win.speaker.spoken) == n
    assert p.title.text().startswith("Ваше прізвище")


@pytest.mark.parametrize("ending", ["idle", "back to start"])
def test_accessibility_choices_end_with_the_session(qtbot: Any, bot: Any, window: Any, ending: str) -> None:
    win = window
    qtbot.waitUntil(lambda: win.t is not None and not win.worker.busy, timeout=60000)   # the idle timer waits for jobs
    win.idle.configure(2.0, 1.0)                          # short for the test
    choose_everything(bot, win)
    bot.tap(win.nav.screen("welcome").choices["submit"])
    p = bot.at(win, "surname")
    assert win.speaker.spoken[-1].text.startswith("Step 1 of 11")       # spoken mode was on
    if ending == "idle":
        qtbot.waitUntil(lambda: win.nav.current == "welcome", timeout=20000)
    else:
        bot.tap(p.back)                                    # Back on the first step ends the session
    assert_defaults(bot, win)
