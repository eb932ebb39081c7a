"""Privacy (the idle timeout wipes widgets and the session) and service mode behind the PIN."""

from __future__ import annotations

from typing import Any

from kiosk_app.ui.pin import hash_pin, verify_pin
from kiosk_app.ui.qt import Qt
from kiosk_app.ui.testing import at, press, tap, tap_keys, typed, visible_texts

K = Qt.Key
PERSONAL = ["Шевченко", "Тарас", "1759013776", "••••••••76", "дніпро, січеславська"]


def test_idle_timeout_countdown_stay_then_everything_is_gone(qtbot: Any, window: Any) -> None:
    win = window
    win.idle.configure(3.0, 2.0)                          # short for the test; the setting's default is 60 s / 15 s
    tap(qtbot, win.pages["welcome"].choices["submit"])
    p = at(qtbot, win, "surname")
    tap_keys(qtbot, p, "Шевченко")
    tap(qtbot, p.primary)
    typed(qtbot, win, "Тарас")
    press(qtbot, win, K.Key_Return)
    typed(qtbot, win, "")
    press(qtbot, win, K.Key_Return)
    typed(qtbot, win, "дніпро, січеславська 15")
    press(qtbot, win, K.Key_Return)
    press(qtbot, win, K.Key_Return)                        # РНОКПП
    p = at(qtbot, win, "rnokpp")
    typed(qtbot, win, "1759013776")
    assert p.field.displayText() == "1759013776"           # shown while it is typed
    press(qtbot, win, K.Key_Return)
    at(qtbot, win, "kind")
    assert p.field.displayText() != "1759013776"           # masked once the resident moved on
    press(qtbot, win, K.Key_Return)                        # application
    at(qtbot, win, "sms")
    press(qtbot, win, K.Key_Down)
    press(qtbot, win, K.Key_Return)                        # no SMS
    at(qtbot, win, "consent")
    press(qtbot, win, K.Key_Return)
    p = at(qtbot, win, "summary")
    assert "Шевченко Тарас" in p.info.text()
    assert win.session.personal_values()

    # the countdown is visible, in words; "Stay" keeps the session
    qtbot.waitUntil(lambda: win.banner.isVisible(), timeout=5000)
    assert "Сеанс завершиться через" in win.banner.label.text()
    assert win.banner.stay.text() == "Залишитися"
    tap(qtbot, win.banner.stay)
    assert not win.banner.isVisible() and win.current == "summary"
    assert win.session.data["surname"] == "Шевченко"

    # then nobody touches it
    qtbot.waitUntil(lambda: win.current == "welcome", timeout=8000)
    assert win.session.is_empty() and win.session.personal_values() == []
    texts = visible_texts(win)
    for value in PERSONAL:
        assert not [t for t in texts if value in t], f"{value!r} still on a widget"
    assert win.pages["rnokpp"].field.text() == "" and win.pages["surname"].field.text() == ""
    assert win.pages["summary"].info.text() == ""


def test_idle_timeout_mid_intake_voids_the_number(qtbot: Any, window: Any, bench: Any) -> None:
    from kiosk_app.ui.testbench import SHEETS
    win = window
    win.idle.configure(2.0, 1.0)
    bench.feed(SHEETS[:1])
    win.session.flow = "submit"
    win.session.data.update(surname="Шевченко", name="Тарас", address="дніпро, січеславська 15", idtype="rnokpp",
                            rnokpp="1759013776", kind="application", sms=False, consent=True)
    win.go("summary")
    tap(qtbot, win.pages["summary"].primary)
    tap(qtbot, at(qtbot, win, "tray").primary)
    at(qtbot, win, "sheets", timeout=30000)                 # the scan did not count as idleness
    number = win.session.intake.number.compact
    qtbot.waitUntil(lambda: win.current == "welcome", timeout=8000)
    assert win.session.is_empty()
    win.worker.wait()
    row = next(iter(win.t.store.db.query("SELECT state FROM numbers WHERE compact=?", [number])))
    assert row["state"] == "void"


def test_service_mode_pin_lockout_and_tools(qtbot: Any, make_window: Any, bench: Any) -> None:
    stored = hash_pin("2468", iterations=2000)
    assert verify_pin("2468", stored) and not verify_pin("2469", stored) and "2468" not in stored
    win = make_window(KIOSK_SERVICE_PIN_HASH=stored, KIOSK_SERVICE_MAX_PIN_ATTEMPTS="2")
    tap(qtbot, win.pages["welcome"].extra["service"])
    p = at(qtbot, win, "pin")
    assert p.field.echoMode() == p.field.EchoMode.Password
    for wrong in ("1111", "2222"):
        tap_keys(qtbot, p, wrong)
        tap(qtbot, p.primary)
        qtbot.waitUntil(lambda: p.error.text() != "", timeout=5000)
        assert win.current == "pin"
        if wrong == "1111":
            assert p.error.text() == "Неправильний PIN. Залишилось спроб: 1."
            p.error.clear()
    assert p.error.text().startswith("Заблоковано на ")
    tap_keys(qtbot, p, "2468")                               # the right PIN, but locked
    tap(qtbot, p.primary)
    assert win.current == "pin" and p.error.text().startswith("Заблоковано")
    win.gate.locked_until = 0                                # the lockout time passed
    tap_keys(qtbot, p, "2468")
    tap(qtbot, p.primary)
    p = at(qtbot, win, "service", timeout=10000)
    qtbot.waitUntil(lambda: "receipt_printer: ready" in p.info.text(), timeout=15000)
    text = p.info.text()
    assert "Скринька № 1" in text and "Черга передачі" in text and "Останні помилки" in text
    assert "service_pin_failed" in text or "service_locked" in text

    n = len(bench.receipts())
    tap(qtbot, p.choices["test_print"])
    qtbot.waitUntil(lambda: "Test print" in p.info.text(), timeout=15000)
    assert len(bench.receipts()) == n + 1
    tap(qtbot, p.choices["empty_box"])
    qtbot.waitUntil(lambda: "Manifest box 1" in p.info.text(), timeout=15000)
    qtbot.waitUntil(lambda: "Скринька № 2" in p.info.text(), timeout=15000)
    tap(qtbot, p.primary)
    at(qtbot, win, "welcome")
    win.worker.wait()
    events = [r["event"] for r in win.t.store.db.query("SELECT event FROM events WHERE event LIKE 'service%' ORDER BY id")]
    assert events == ["service_pin_failed", "service_locked", "service_pin_refused", "service_entered", "service_left"]
    assert [r["event"] for r in win.t.store.db.query("SELECT event FROM events WHERE event='box_emptied'")]
