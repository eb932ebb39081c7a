"""Speech (what would be spoken, in which language, for each screen) and the screenshots of
every screen in both languages and in high contrast."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image

from kiosk_app.core import messages
from kiosk_app.ui.gallery import SCREENS, VARIANTS, render_all, stage


def test_every_screen_is_spoken_in_its_language(qtbot: Any, bot: Any, window: Any) -> None:
    win = window
    spoken: dict[tuple[str, str], Any] = {}
    for lang in ("uk", "en"):
        for sid in SCREENS:
            win.lang = lang
            stage(win, sid)
            p = win.nav.screen(sid)
            bot.tap(p.speak_btn)
            u = win.speaker.spoken[-1]
            spoken[(sid, lang)] = u
            assert u.lang == lang
            assert u.text == p.speech_text()
            assert p.title.text().rstrip(".?!") in u.text              # the words heard are the words shown
    assert win.speaker.engine_name == "mock"
    # Qt's mock engine has English voices and no Ukrainian one: English is said, Ukrainian is recorded
    # with no locale (and not mumbled with an English voice); speech-dispatcher + espeak-ng have uk.
    assert {u.locale for (sid, lang), u in spoken.items() if lang == "en"} == {"en_GB"}
    assert {u.locale for (sid, lang), u in spoken.items() if lang == "uk"} == {""}
    assert spoken[("welcome", "uk")].text.startswith("Вітаємо! Що ви хочете зробити?")
    assert "Подати звернення. Надрукувати бланк звернення" in spoken[("welcome", "uk")].text
    assert spoken[("surname", "uk")].text.startswith("Крок 1 з 11. Ваше прізвище")
    assert messages.for_code("scanner", "jam").text("en", sheet=2).rstrip(".") in spoken[("fault", "en")].text
    assert "0 0 1, 0 0 0 0 0 1, 3" in spoken[("number", "uk")].text       # the number, digit by digit
    assert "Continue" in spoken[("fault", "en")].text and "Cancel" in spoken[("fault", "en")].text


def test_speak_every_screen_mode_and_the_mock_engine_speaks(qtbot: Any, bot: Any, window: Any) -> None:
    win = window
    welcome = win.nav.screen("welcome")
    bot.tap(win.nav.screen("welcome").lang_btn)                   # English
    bot.tap(welcome.extra["speech"])
    assert welcome.extra["speech"].text() == "✓ Read screens aloud" and welcome.extra["speech"].isChecked()
    qtbot.waitUntil(lambda: win.speaker.state() == "Speaking", timeout=3000)
    n = len(win.speaker.spoken)
    bot.tap(welcome.choices["status"])
    assert len(win.speaker.spoken) == n + 1
    assert win.speaker.spoken[-1].text.startswith("Receipt number and access code")
    assert win.speaker.spoken[-1].locale == "en_GB"


def test_screenshots_of_every_screen_both_languages_and_high_contrast(qtbot: Any, window: Any, tmp_path: Path) -> None:
    paths = render_all(window, tmp_path)
    assert len(paths) == len(SCREENS) * len(VARIANTS)
    for sid in SCREENS:
        uk, en, hc = (Image.open(tmp_path / f"{sid}.{v}.png").convert("RGB") for v in ("uk", "en", "uk-hc"))
        assert uk.size == (960, 540)
        assert uk.tobytes() != en.tobytes(), f"{sid}: the English screen looks like the Ukrainian one"
        bg, bg_hc = uk.getpixel((4, 300)), hc.getpixel((4, 300))
        assert max(abs(a - b) for a, b in zip(bg, (0xF4, 0xF1, 0xEA), strict=True)) < 8, (sid, bg)   # calm paper
        assert max(bg_hc) < 8, (sid, bg_hc)                                                          # black
        # text on the screen: more than a few dark (or, in high contrast, light) pixels
        assert sum(uk.convert("L").histogram()[:67]) > 500, sid
    assert window.session.is_empty()
