"""The same flows by the physical keypad alone: Tab/arrows move the focus in a logical order,
Enter presses, Escape goes back; no touch at all."""

from __future__ import annotations

import re
from typing import Any

from kiosk_app.ui.qt import Qt
from kiosk_app.ui.testbench import SHEETS
from kiosk_app.ui.testing import at, press, typed

K = Qt.Key


def test_submit_by_keypad_alone_with_back_by_escape(qtbot: Any, window: Any, bench: Any) -> None:
    win = window
    bench.feed(SHEETS[:1])
    welcome = win.pages["welcome"]
    assert win.focusWidget() is welcome.choices["submit"]            # the first thing to do has the focus
    # focus order on the welcome screen: the four flows, then the accessibility choices, then the technician
    order = []
    for _ in range(8):
        order.append(win.focusWidget().objectName())
        press(qtbot, win, K.Key_Tab)
    assert order == ["choice_submit", "choice_form", "choice_add", "choice_status", "extra_hc", "extra_large",
                     "extra_speech", "small_service"]
    press(qtbot, win, K.Key_Backtab, 8)
    assert win.focusWidget() is welcome.choices["submit"]
    press(qtbot, win, K.Key_Return)

    at(qtbot, win, "surname")
    typed(qtbot, win, "Франко")
    press(qtbot, win, K.Key_Return)
    at(qtbot, win, "name")
    press(qtbot, win, K.Key_Escape)                                  # Escape = Back
    p = at(qtbot, win, "surname")
    assert p.field.text() == "Франко"                                # what was typed is kept
    press(qtbot, win, K.Key_Return)
    at(qtbot, win, "name")
    typed(qtbot, win, "Іван")
    press(qtbot, win, K.Key_Return)
    at(qtbot, win, "patronymic")
    typed(qtbot, win, "Якович")
    press(qtbot, win, K.Key_Return)
    at(qtbot, win, "address")
    typed(qtbot, win, "м. Дніпро, вул. Короленка, 2")
    press(qtbot, win, K.Key_Return)
    at(qtbot, win, "idtype")
    assert win.focusWidget().objectName() == "choice_rnokpp"
    press(qtbot, win, K.Key_Down)                                    # arrows move between choices
    assert win.focusWidget().objectName() == "choice_passport"
    press(qtbot, win, K.Key_Return)
    p = at(qtbot, win, "passport")
    typed(qtbot, win, "мк123456")
    press(qtbot, win, K.Key_Return)
    at(qtbot, win, "kind")
    press(qtbot, win, K.Key_Down, 2)
    assert win.focusWidget().objectName() == "choice_complaint"
    press(qtbot, win, K.Key_Return)
    at(qtbot, win, "sms")
    press(qtbot, win, K.Key_Down)
    press(qtbot, win, K.Key_Return)                                  # no SMS: the phone step is skipped
    p = at(qtbot, win, "consent")
    assert p.step.text() == "Крок 9 з 10"
    press(qtbot, win, K.Key_Return)
    p = at(qtbot, win, "summary")
    assert "ПІБ: Франко Іван Якович" in p.info.text() and "Паспорт: " in p.info.text()
    assert "МК123456" not in p.info.text()
    assert win.focusWidget() is p.primary
    press(qtbot, win, K.Key_Return)
    p = at(qtbot, win, "tray")
    press(qtbot, win, K.Key_Return)
    p = at(qtbot, win, "sheets", timeout=30000)
    assert win.focusWidget() is p.primary                             # Enter confirms, it does not cancel
    press(qtbot, win, K.Key_Return)
    p = at(qtbot, win, "number", timeout=30000)
    assert re.fullmatch(r"\d{3}-\d{6}-[\dX]", p.big.text())
    row = win.t.store.appeal(p.big.text().replace("-", ""))
    assert row is not None and row["kind"] == "complaint"
    press(qtbot, win, K.Key_Return)
    at(qtbot, win, "welcome")
    assert win.session.is_empty()


def test_status_by_keypad_unknown_number_then_back_home(qtbot: Any, make_window: Any) -> None:
    win = make_window(in_process=True)          # the terminal on the worker thread (kiosk --in-process)
    press(qtbot, win, K.Key_Down, 3)
    assert win.focusWidget().objectName() == "choice_status"
    press(qtbot, win, K.Key_Return)
    p = at(qtbot, win, "lookup")
    typed(qtbot, win, "0010000013")
    press(qtbot, win, K.Key_Return)
    qtbot.waitUntil(lambda: "не знайдено" in p.error.text(), timeout=10000)
    assert win.current == "lookup"
    press(qtbot, win, K.Key_Escape)
    at(qtbot, win, "welcome")
    assert win.session.is_empty()


def test_language_switch_by_keypad(qtbot: Any, window: Any) -> None:
    win = window
    p = win.pages["welcome"]
    p.lang_btn.setFocus()
    press(qtbot, win, K.Key_Return)
    assert p.title.text() == "Welcome! What would you like to do?"
    assert p.choices["status"].text() == "Get an answer or a status"
    press(qtbot, win, K.Key_Return)
    assert p.title.text() == "Вітаємо! Що ви хочете зробити?"
