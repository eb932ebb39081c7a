"""The same flows by the physical keypad alone: Tab/arrows move the focus in a logical order,
Enter presses, Escape goes back; no touch at all."""

from __future__ import annotations

import re
from typing import Any

from hardware_sim.process import SHEETS
from kiosk_app.ui.qt import Qt

K = Qt.Key


def test_submit_by_keypad_alone_with_back_by_escape(qtbot: Any, bot: Any, window: Any, bench: Any, store_of: Any) -> None:
    win = window
    bench.feed(SHEETS[:1])
    welcome = win.nav.screen("welcome")
    assert win.focusWidget() is welcome.choices["submit"]            # the first thing to do has the focus
    # focus order on the welcome screen: the four flows, then the accessibility choices, then the technician
    order = []
    for _ in range(8):
        order.append(win.focusWidget().objectName())
        bot.press(win, K.Key_Tab)
    assert order == ["choice_submit", "choice_form", "choice_add", "choice_status", "extra_hc", "extra_large",
                     "extra_speech", "small_service"]
    bot.press(win, K.Key_Backtab, 8)
    assert win.focusWidget() is welcome.choices["submit"]
    bot.press(win, K.Key_F1)                  # the first keypad key on welcome starts spoken mode (and does nothing else)
    assert win.speak_screens
    assert win.focusWidget() is welcome.choices["submit"]
    bot.press(win, K.Key_Return)

    bot.at(win, "surname")
    bot.typed(win, "Франко")
    bot.press(win, K.Key_Return)
    bot.at(win, "name")
    bot.press(win, K.Key_Escape)                                  # Escape = Back
    p = bot.at(win, "surname")
    assert p.field.text() == "Франко"                                # what was typed is kept
    bot.press(win, K.Key_Return)
    bot.at(win, "name")
    bot.typed(win, "Іван")
    bot.press(win, K.Key_Return)
    bot.at(win, "patronymic")
    bot.typed(win, "Якович")
    bot.press(win, K.Key_Return)
    bot.at(win, "address")
    bot.typed(win, "м. Дніпро, вул. Короленка, 2")
    bot.press(win, K.Key_Return)
    bot.at(win, "idtype")
    assert win.focusWidget().objectName() == "choice_rnokpp"
    bot.press(win, K.Key_Down)                                    # arrows move between choices
    assert win.focusWidget().objectName() == "choice_passport"
    bot.press(win, K.Key_Return)
    p = bot.at(win, "passport")
    bot.typed(win, "мк123456")
    bot.press(win, K.Key_Return)
    bot.at(win, "kind")
    bot.press(win, K.Key_Down, 2)
    assert win.focusWidget().objectName() == "choice_complaint"
    bot.press(win, K.Key_Return)
    bot.at(win, "sms")
    bot.press(win, K.Key_Down)
    bot.press(win, K.Key_Return)                                  # no SMS: the phone step is skipped
    p = bot.at(win, "consent")
    assert p.step.text() == "Крок 9 з 10"
    bot.press(win, K.Key_Return)
    p = bot.at(win, "summary")
    assert "ПІБ: Франко Іван Якович" in p.info.text() and "Паспорт: " in p.info.text()
    assert "МК123456" not in p.info.text()
    assert win.focusWidget() is p.primary
    bot.press(win, K.Key_Return)
    p = bot.at(win, "tray")
    bot.press(win, K.Key_Return)
    p = bot.at(win, "sheets", timeout=30000)
    assert win.focusWidget() is p.primary                             # Enter confirms, it does not cancel
    bot.press(win, K.Key_Return)
    p = bot.at(win, "number", timeout=30000)
    assert re.fullmatch(r"\d{3}-\d{6}-[\dX]", p.big.text())
    row = store_of(win).appeal(p.big.text().replace("-", ""))
    assert row is not None and row["kind"] == "complaint"
    bot.press(win, K.Key_Return)
    bot.at(win, "welcome")
    assert win.session.is_empty()


def test_status_by_keypad_unknown_number_then_back_home(qtbot: Any, bot: Any, make_window: Any) -> None:
    win = make_window(in_process=True)          # the terminal on the worker thread (kiosk --in-process)
    bot.press(win, K.Key_F1)                  # the first keypad key on welcome starts spoken mode (and does nothing else)
    assert win.speak_screens
    bot.press(win, K.Key_Down, 3)
    assert win.focusWidget().objectName() == "choice_status"
    bot.press(win, K.Key_Return)
    p = bot.at(win, "lookup")
    bot.typed(win, "0010000013")
    bot.press(win, K.Key_Return)
    qtbot.waitUntil(lambda: "код доступу" in p.error.text(), timeout=10000)      # the number alone: no
    bot.typed(win, " K7M2Q9XH4T")                                               # number and code
    bot.press(win, K.Key_Return)
    qtbot.waitUntil(lambda: "не знайдено" in p.error.text(), timeout=10000)
    assert win.nav.current == "lookup"
    bot.press(win, K.Key_Escape)
    bot.at(win, "welcome")
    assert win.session.is_empty()


def test_language_switch_by_keypad(qtbot: Any, bot: Any, window: Any) -> None:
    win = window
    p = win.nav.screen("welcome")
    p.lang_btn.setFocus()
    bot.press(win, K.Key_F1)                  # the first keypad key on welcome starts spoken mode (and does nothing else)
    assert win.speak_screens
    bot.press(win, K.Key_Return)
    assert p.title.text() == "Welcome! What would you like to do?"
    assert p.choices["status"].text() == "Get an answer or a status"
    bot.press(win, K.Key_Return)
    assert p.title.text() == "Вітаємо! Що ви хочете зробити?"


def test_in_english_a_foreign_name_in_latin_letters_goes_on(qtbot: Any, bot: Any, window: Any) -> None:
    """A foreign resident in English types the name in Latin letters (on a physical keyboard): it is
    accepted as written; in Ukrainian the same name is refused, the message naming the field."""
    win = window
    welcome = win.nav.screen("welcome")
    win.toggle_lang()
    welcome.choices["submit"].click()
    p = bot.at(win, "surname")
    assert p.body.text() == "In Latin or Ukrainian letters, as in your passport."
    bot.typed(win, "van der Berg")
    bot.press(win, K.Key_Return)
    bot.at(win, "name")
    assert win.session.data["surname"] == "van der Berg"
    bot.press(win, K.Key_Escape)
    p = bot.at(win, "surname")
    win.toggle_lang()                                            # now Ukrainian: Latin letters are refused
    bot.press(win, K.Key_Return)
    assert win.nav.current == "surname"
    assert p.error.text().startswith("Прізвище: лише українські літери")
    win.toggle_lang()
    assert p.error.text().startswith("Surname: ")               # the field in words, not "surname:"
