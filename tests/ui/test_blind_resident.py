"""A blind resident alone: headphones into the jack on the idle welcome screen, then the tactile
keypad only (hardware_sim.keypad: the keys as a USB HID keypad delivers them) through a whole
appeal to the receipt. Every utterance is recorded (Qt's mock speech engine); personal data is
spoken only while the headphones are in."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtGui import QKeySequence

from hardware_sim.keypad import KeypadSim
from hardware_sim.process import SHEETS
from kiosk_app.ui.qt import QApplication, QLineEdit

SURNAME, NAME, PATRONYMIC, ADDRESS = "Бойко", "Іра", "", "Київ, 2"
RNOKPP, PHONE = "1759013776", "0671234567"


class BlindResident:
    def __init__(self, qtbot: Any, bot: Any, win: Any) -> None:
        self.qtbot, self.bot, self.win = qtbot, bot, win
        self.keypad = KeypadSim()

    def key(self, name: str, times: int = 1) -> None:
        for _ in range(times):
            qt_key = QKeySequence.fromString(self.keypad.press(name))[0].key()
            self.qtbot.keyClick(self.win.focusWidget() or self.win, qt_key)

    def digits(self, text: str) -> None:
        for d in text:
            self.key(d)

    def plug(self, on: bool) -> None:
        self.keypad.jack.plug() if on else self.keypad.jack.unplug()
        self.win.set_headphones(self.keypad.jack.plugged)

    def type_on_screen_keyboard(self, page: Any, text: str) -> None:
        """Down from the field onto the keyboard, arrows to each letter, Enter; Up back to the field."""
        kb = page.keyboard
        self.key("down")
        assert self.win.focusWidget() is kb.first_letter(), self.win.focusWidget()
        assert self.win.focusWidget().text() == ("й" if kb.layout_name == "uk" else "q")
        for ch in text:
            if ch.isalpha() and ch.isupper() != kb.shift:
                self.walk_to(kb, "shift")
                self.key("enter")
            self.walk_to(kb, {" ": "space"}.get(ch, ch.lower()))
            self.key("enter")
        if kb.shift:
            self.walk_to(kb, "shift")
            self.key("enter")
        for _ in range(len(kb.key_rows)):
            if isinstance(self.win.focusWidget(), QLineEdit):
                break
            self.key("up")
        assert self.win.focusWidget() is page.field

    def walk_to(self, kb: Any, name: str) -> None:
        target = kb.keys[name]
        tr_ = next(i for i, row in enumerate(kb.key_rows) if target in row)
        for _ in range(60):
            cur = self.win.focusWidget()
            if cur is target:
                return
            r = next((i for i, row in enumerate(kb.key_rows) if cur in row), None)
            assert r is not None, (name, cur, cur.objectName() if cur else None)
            if r != tr_:
                self.key("down" if tr_ > r else "up")
            else:
                c, tc = kb.key_rows[r].index(cur), kb.key_rows[r].index(target)
                self.key("right" if tc > c else "left")
        raise AssertionError(f"could not reach {name!r}")


def test_blind_resident_completes_an_appeal_by_keypad_with_headphones(qtbot: Any, bot: Any, window: Any,
                                                                         bench: Any, store_of: Any) -> None:
    win = window
    bench.feed(SHEETS[:1])
    r = BlindResident(qtbot, bot, win)
    spoken = win.speaker.spoken
    bot.at(win, "welcome")
    assert not win.speak_screens and spoken == []              # the idle kiosk is silent

    # headphones in: spoken mode starts on its own, into the headphones
    r.plug(True)
    assert win.speak_screens and win.nav.screen("welcome").extra["speech"].isChecked()
    assert spoken[-1].route == "headphones"
    assert spoken[-1].text.startswith("Голосовий режим увімкнено") and "Подати звернення" in spoken[-1].text
    assert "Навушників немає" not in spoken[-1].text
    n = len(spoken)
    r.key("help")                                              # Help repeats the screen
    assert len(spoken) == n + 1 and "Вітаємо! Що ви хочете зробити?" in spoken[-1].text
    r.key("volume_up")
    assert win.speaker.volume == 0.8 and spoken[-1].text == "Гучність 80 відсотків."
    r.key("enter")                                             # the first choice: submit an appeal

    p = bot.at(win, "surname")
    assert spoken[-1].text.startswith("Крок 1 з 11. Ваше прізвище")
    r.type_on_screen_keyboard(p, SURNAME)
    assert p.field.text() == SURNAME
    echoed = [u.text for u in spoken if u.text in ("б", "Б", "о", "й", "к")]
    assert {"Б", "о", "й", "к"} <= set(echoed)                 # each key under the finger and each typed letter
    r.key("enter")
    p = bot.at(win, "name")
    r.type_on_screen_keyboard(p, NAME)
    r.key("enter")
    p = bot.at(win, "patronymic")
    p.extra["skip"].setFocus()
    r.key("enter")                                             # no patronymic
    p = bot.at(win, "address")
    r.type_on_screen_keyboard(p, "Київ, ")
    r.digits("2")                                              # the keypad's digits type into the field
    assert p.field.text() == ADDRESS
    r.key("enter")
    bot.at(win, "idtype")
    r.key("enter")                                             # РНОКПП
    p = bot.at(win, "rnokpp")
    r.digits(RNOKPP)
    assert p.field.text() == RNOKPP
    r.key("enter")
    bot.at(win, "kind")
    r.key("enter")
    bot.at(win, "sms")
    r.key("enter")                                             # yes, an SMS
    p = bot.at(win, "phone")
    r.digits(PHONE)
    r.key("enter")
    bot.at(win, "consent")
    r.key("enter")
    p = bot.at(win, "summary")
    r.key("help")
    assert SURNAME in spoken[-1].text and "Київ" in spoken[-1].text and spoken[-1].route == "headphones"

    # headphones out: the summary is no longer read aloud, and the kiosk says why
    r.plug(False)
    assert "Навушники від'єднано" in spoken[-1].text and spoken[-1].route == "loudspeaker"
    r.key("help")
    assert SURNAME not in spoken[-1].text and "Особисті дані озвучуються лише в навушники" in spoken[-1].text
    r.plug(True)
    assert SURNAME in spoken[-1].text and spoken[-1].route == "headphones"
    r.key("enter")
    bot.at(win, "tray")
    r.key("enter")
    p = bot.at(win, "sheets", timeout=30000)
    r.key("enter")
    p = bot.at(win, "number", timeout=30000)
    assert re.fullmatch(r"\d{3}-\d{6}-[\dX]", p.big.text())
    row = store_of(win).appeal(p.big.text().replace("-", ""))
    assert row is not None
    assert "Звернення прийнято" in spoken[-1].text

    # every utterance that carried personal data went into the headphones, never the loudspeaker
    personal = [SURNAME, NAME, "Київ", "123, 45, 67", "1234567", RNOKPP]
    carrying = [u for u in spoken if any(v in u.text or v in u.spoken for v in personal)]
    assert carrying and all(u.route == "headphones" for u in carrying), [
        (u.route, u.text[:60]) for u in carrying if u.route != "headphones"]
    assert any(u.route == "loudspeaker" for u in spoken)           # the unplugged moment was spoken too
    QApplication.processEvents()


def test_any_keypad_key_starts_spoken_mode_without_headphones(qtbot: Any, bot: Any, window: Any) -> None:
    win = window
    r = BlindResident(qtbot, bot, window)
    welcome = bot.at(win, "welcome")
    r.key("5")                                                 # the raised 5: any key wakes the speech
    assert win.speak_screens and win.nav.current == "welcome"  # and does nothing else
    u = win.speaker.spoken[-1]
    assert u.route == "loudspeaker" and "Навушників немає" in u.text and "Подати звернення" in u.text
    assert welcome.extra["speech"].isChecked()
    r.key("enter")
    p = bot.at(win, "surname")
    bot.typed(win, "Бойко")                                    # typed on a keyboard: echoed, but not the letters
    assert win.speaker.spoken[-1].text == "Введено символ"
    r.key("help")
    assert "Бойко" not in win.speaker.spoken[-1].text
    assert "Особисті дані озвучуються лише в навушники" in win.speaker.spoken[-1].text
    assert p.field.text() == "Бойко"
