"""Privacy (the idle timeout wipes widgets and the session) and service mode behind the PIN."""

from __future__ import annotations

import re
import time
from typing import Any

from kiosk_app.ui.pin import hash_pin, verify_pin
from kiosk_app.ui.qt import Qt

K = Qt.Key
PERSONAL = ["Шевченко", "Тарас", "1759013776", "••••••••76", "дніпро, січеславська"]


def test_idle_timeout_countdown_stay_then_everything_is_gone(qtbot: Any, bot: Any, window: Any) -> None:
    win = window
    win.idle.configure(3.0, 2.0)                          # short for the test; the setting's default is 60 s / 15 s
    bot.tap(win.nav.screen("welcome").choices["submit"])
    p = bot.at(win, "surname")
    bot.tap_keys(p, "Шевченко")
    bot.tap(p.primary)
    bot.typed(win, "Тарас")
    bot.press(win, K.Key_Return)
    bot.typed(win, "")
    bot.press(win, K.Key_Return)
    bot.typed(win, "дніпро, січеславська 15")
    bot.press(win, K.Key_Return)
    bot.press(win, K.Key_Return)                        # РНОКПП
    p = bot.at(win, "rnokpp")
    bot.typed(win, "1759013776")
    assert p.field.displayText() == "1759013776"           # shown while it is typed
    bot.press(win, K.Key_Return)
    bot.at(win, "kind")
    assert p.field.displayText() != "1759013776"           # masked once the resident moved on
    bot.press(win, K.Key_Return)                        # application
    bot.at(win, "sms")
    bot.press(win, K.Key_Down)
    bot.press(win, K.Key_Return)                        # no SMS
    bot.at(win, "consent")
    bot.press(win, K.Key_Return)
    p = bot.at(win, "summary")
    assert "Шевченко Тарас" in p.info.text()
    assert win.session.personal_values()

    # the countdown is visible, in words; "Stay" keeps the session
    qtbot.waitUntil(lambda: win.banner.isVisible(), timeout=5000)
    assert re.fullmatch(r"Ви ще тут\? За [12] с ваші дані буде стерто\.", win.banner.label.text())
    assert win.nav.current_screen().head.isHidden()            # the banner stands in the top row's place
    assert win.banner.stay.text() == "Залишитися"
    bot.tap(win.banner.stay)
    assert not win.banner.isVisible() and win.nav.current == "summary"
    assert not win.nav.current_screen().head.isHidden()
    assert win.session.data["surname"] == "Шевченко"

    # then nobody touches it
    qtbot.waitUntil(lambda: win.nav.current == "welcome", timeout=8000)
    assert win.session.is_empty() and win.session.personal_values() == []
    texts = bot.visible_texts(win)
    for value in PERSONAL:
        assert not [t for t in texts if value in t], f"{value!r} still on a widget"
    assert win.nav.screen("rnokpp").field.text() == "" and win.nav.screen("surname").field.text() == ""
    assert win.nav.screen("summary").info.text() == ""


def test_idle_timeout_mid_intake_voids_the_number(qtbot: Any, bot: Any, window: Any, bench: Any, store_of: Any) -> None:
    from hardware_sim.process import SHEETS
    win = window
    win.idle.configure(2.0, 1.0)
    bench.feed(SHEETS[:1])
    win.session.flow = "submit"
    win.session.data.update(surname="Шевченко", name="Тарас", address="дніпро, січеславська 15", idtype="rnokpp",
                            rnokpp="1759013776", kind="application", sms=False, consent=True)
    win.nav.go("summary")
    bot.tap(win.nav.screen("summary").primary)
    bot.tap(bot.at(win, "tray").primary)
    bot.at(win, "sheets", timeout=30000)                 # the scan did not count as idleness
    number = win.session.intake.number.compact
    qtbot.waitUntil(lambda: win.nav.current == "welcome", timeout=8000)
    assert win.session.is_empty()
    win.worker.wait()
    row = next(iter(store_of(win).db.query("SELECT state FROM numbers WHERE compact=?", [number])))
    assert row["state"] == "void"


def test_service_mode_pin_lockout_and_tools(qtbot: Any, bot: Any, make_window: Any, bench: Any, store_of: Any) -> None:
    stored = hash_pin("2468", iterations=2000)
    assert verify_pin("2468", stored) and not verify_pin("2469", stored) and "2468" not in stored
    win = make_window(KIOSK_SERVICE_PIN_HASH=stored, KIOSK_SERVICE_MAX_PIN_ATTEMPTS="2")
    bot.tap(win.nav.screen("welcome").extra["service"])
    p = bot.at(win, "pin")
    assert p.field.echoMode() == p.field.EchoMode.Password
    for wrong in ("1111", "2222"):
        bot.tap_keys(p, wrong)
        bot.tap(p.primary)
        qtbot.waitUntil(lambda: p.error.text() != "", timeout=5000)
        assert win.nav.current == "pin"
        if wrong == "1111":
            assert p.error.text() == "Неправильний PIN. Залишилось спроб: 1."
            p.error.clear()
    assert p.error.text().startswith("Заблоковано на ")
    bot.tap_keys(p, "2468")                               # the right PIN, but locked
    bot.tap(p.primary)
    assert win.nav.current == "pin" and p.error.text().startswith("Заблоковано")
    win.worker.wait()
    # the lockout is kept in the terminal store (tests/ui/test_units.py restarts on it)
    failures, until = store_of(win).pin_lockout()
    assert failures == 0 and until > time.time() + 200
    store_of(win).set_pin_lockout(0, 0)                      # the lockout time passed
    bot.tap_keys(p, "2468")
    bot.tap(p.primary)
    p = bot.at(win, "service", timeout=10000)
    qtbot.waitUntil(lambda: "receipt_printer: ready" in p.info.text(), timeout=15000)
    text = p.info.text()
    assert "Скринька № 1" in text and "Черга передачі" in text and "Останні помилки" in text
    assert "service_pin_failed" in text or "service_locked" in text

    n = len(bench.receipts())
    bot.tap(p.choices["test_print"])
    qtbot.waitUntil(lambda: "Test print" in p.info.text(), timeout=15000)
    assert len(bench.receipts()) == n + 1
    bot.tap(p.choices["empty_box"])
    qtbot.waitUntil(lambda: "Manifest box 1" in p.info.text(), timeout=15000)
    qtbot.waitUntil(lambda: "Скринька № 2" in p.info.text(), timeout=15000)
    bot.tap(p.primary)
    bot.at(win, "welcome")
    win.worker.wait()
    events = [r["event"] for r in store_of(win).db.query("SELECT event FROM events WHERE event LIKE 'service%' ORDER BY id")]
    assert events == ["service_pin_failed", "service_locked", "service_pin_refused", "service_entered", "service_left"]
    assert [r["event"] for r in store_of(win).db.query("SELECT event FROM events WHERE event='box_emptied'")]


def test_service_mode_does_not_time_out_while_a_device_job_runs(qtbot: Any, window: Any) -> None:
    """A test scan or an emptied box may take longer than the idle timeout: the technician's screen
    stays while the job runs, and the timeout counts again from its end."""
    from kiosk_app.ui.service import ServiceScreen

    win = window
    win.idle.configure(1.0, 0.5)
    service = win.nav.get("service", ServiceScreen)
    service.in_service = True
    win.nav.go("service")
    service._job(lambda t: time.sleep(2.5) or {"slow": True}, lambda r: "slow job done")
    t0 = time.monotonic()
    qtbot.waitUntil(lambda: time.monotonic() - t0 > 2.0, timeout=5000)
    assert win.nav.current == "service" and service.in_service       # twice the timeout, still there
    qtbot.waitUntil(lambda: not win.worker.busy, timeout=60000)      # then it asks every device
    assert service.info_data.get("note") == "slow job done", service.info_data
    qtbot.waitUntil(lambda: win.nav.current == "welcome", timeout=10000)  # idle again: the timeout ends it
    assert not service.in_service
