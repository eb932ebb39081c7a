"""Every resident flow by touch, against the simulator: submit (with a scanner jam mid-flow),
print a pre-filled form (with the form printer out of paper), look the appeal up by the receipt's
barcode and print its status, add documents to it."""

from __future__ import annotations

import re
from typing import Any

from hardware_sim.process import SHEETS
from kiosk_app.core import messages

RNOKPP = "1759013776"


def fill_identity(bot: Any, win: Any, *, sms: bool) -> None:
    p = bot.at(win, "surname")
    assert p.step.text() == "Крок 1 з 11" if win.session.flow == "submit" else p.step.text().startswith("Крок")
    bot.tap_keys(p, "Шевченко")
    assert p.field.text() == "Шевченко"
    bot.tap(p.primary)
    p = bot.at(win, "name")
    bot.tap_keys(p, "тарас")
    bot.tap(p.primary)
    p = bot.at(win, "patronymic")
    bot.tap(p.extra["skip"])
    p = bot.at(win, "address")
    bot.tap_keys(p, "дніпро, січеславська 15")
    bot.tap(p.primary)
    p = bot.at(win, "idtype")
    bot.tap(p.choices["rnokpp"])
    p = bot.at(win, "rnokpp")
    bot.tap_keys(p, "1759013775")             # a wrong check digit first
    bot.tap(p.primary)
    assert win.nav.current == "rnokpp" and "контрольною цифрою" in p.error.text()
    bot.tap(p.pad.keys["backspace"])
    bot.tap_keys(p, "6")
    bot.tap(p.primary)
    p = bot.at(win, "kind")
    bot.tap(p.choices["complaint"])
    if win.session.flow != "form":
        p = bot.at(win, "sms")
        bot.tap(p.choices["yes" if sms else "no"])
        if sms:
            p = bot.at(win, "phone")
            bot.tap_keys(p, "0671234567")
            bot.tap(p.primary)
    p = bot.at(win, "consent")
    bot.tap(p.choices["yes"])


def test_submit_by_touch_with_a_scanner_jam_then_status_by_receipt(qtbot: Any, bot: Any, window: Any, bench: Any, store_of: Any) -> None:
    win = window
    receipts_before = len(bench.receipts())
    bench.feed(SHEETS)
    bench.fault("scanner", "jam", after_pages=1)
    bot.tap(win.nav.screen("welcome").choices["submit"])
    fill_identity(bot, win, sms=True)

    p = bot.at(win, "summary")
    assert p.step.text() == "Крок 11 з 11"
    summary = p.info.text()
    assert "Шевченко Тарас" in summary and "Скарга" in summary and "+380671234567" in summary
    assert RNOKPP not in summary and "••••••••76" in summary          # masked on screen
    bot.tap(p.primary)

    p = bot.at(win, "tray")
    assert p.title.text() == "Покладіть підписані аркуші в лоток"
    bot.tap(p.primary)

    # the jam: plain words, what to do, Continue after it is cleared
    p = bot.at(win, "fault", timeout=30000)
    jam = messages.for_code("scanner", "jam")
    assert win.nav.screen("fault").fault["sheet"] == 2
    assert p.info.text() == jam.text("uk", sheet=2) and p.info.text().startswith("Аркуш 2 застряг у сканері.")
    assert p.title.text() == "Потрібна ваша дія"
    assert win.session.intake is not None and len(win.session.previews) == 1      # the first sheet is kept
    bench.clear("scanner")
    bot.tap(p.primary)

    p = bot.at(win, "sheets", timeout=30000)
    assert p.title.text() == "Відскановано аркушів: 2" and len(p.thumbs) == 2
    assert not p.thumbs[0].pixmap().isNull()
    bot.tap(p.primary)

    p = bot.at(win, "number", timeout=30000)
    number = p.big.text()
    assert re.fullmatch(r"\d{3}-\d{6}-[\dX]", number)
    assert "Заберіть чек" in p.info.text()
    receipts = bench.receipts()
    assert len(receipts) == receipts_before + 1
    assert number in receipts[-1]["text"]
    bot.tap(p.primary)
    bot.at(win, "welcome")
    assert win.session.is_empty()

    # status: the number alone (the receipt's Code128) shows nothing; the receipt's QR code,
    # held to the handheld reader, carries number and access code (docs/receipt.md)
    code = re.search(r"Код доступу / Access code\n([0-9A-Z]{5}-[0-9A-Z]{5})\n", receipts[-1]["text"])
    assert code, receipts[-1]["text"]
    bot.tap(win.nav.screen("welcome").choices["status"])
    p = bot.at(win, "lookup")
    compact = number.replace("-", "")
    polls = win.nav.screen("lookup").reader_polls
    qtbot.waitUntil(lambda: win.nav.screen("lookup").reader_polls > polls, timeout=5000)
    bench.barcode(compact)
    qtbot.waitUntil(lambda: "код доступу" in p.error.text(), timeout=10000)
    assert win.nav.current == "lookup"
    polls = win.nav.screen("lookup").reader_polls
    qtbot.waitUntil(lambda: win.nav.screen("lookup").reader_polls > polls, timeout=5000)
    bench.barcode(f"https://rada.example.ua/a/{compact}?k={code[1].replace('-', '')}")
    p = bot.at(win, "status", timeout=15000)
    assert p.title.text() == f"Звернення № {number}"
    assert p.body.text().startswith("Стан: прийняте терміналом")
    assert "Строк відповіді: до " in p.info.text()
    n = len(bench.receipts())
    bot.tap(p.extra["print"])
    qtbot.waitUntil(lambda: "Надруковано" in p.info.text(), timeout=15000)
    assert number in bench.receipts()[n]["text"]
    bot.tap(p.primary)
    bot.at(win, "welcome")

    # add documents to that appeal: typed on the number pad
    bench.feed(SHEETS[:1])
    bot.tap(win.nav.screen("welcome").choices["add"])
    p = bot.at(win, "parent")
    assert p.step.text() == "Крок 1 з 12"
    bot.tap_keys(p, "12345")
    bot.tap(p.primary)
    assert win.nav.current == "parent" and p.error.text()             # not a number: said why
    bot.tap(p.pad.keys["clear"])
    bot.tap_keys(p, compact)
    bot.tap(p.primary)
    fill_identity(bot, win, sms=False)
    p = bot.at(win, "summary")
    assert f"До звернення: {number}" in p.info.text()
    bot.tap(p.primary)
    bot.tap(bot.at(win, "tray").primary)
    p = bot.at(win, "sheets", timeout=30000)
    bot.tap(p.primary)
    p = bot.at(win, "number", timeout=30000)
    assert p.big.text() != number
    assert f"Документи додано до звернення № {number}." in p.info.text()
    row = store_of(win).appeal(p.big.text().replace("-", ""))
    assert row["parent"] == compact


def test_print_form_by_touch_with_the_printer_out_of_paper(qtbot: Any, bot: Any, window: Any, bench: Any) -> None:
    win = window
    jobs_before = len(bench.jobs())
    bench.fault("form_printer", "paper_out")
    bot.tap(win.nav.screen("welcome").choices["form"])
    fill_identity(bot, win, sms=False)
    p = bot.at(win, "summary")
    assert p.step.text() == "Крок 9 з 9"
    bot.tap(p.primary)
    p = bot.at(win, "fault", timeout=30000)
    assert p.info.text() == messages.for_code("form_printer", "paper_out").text("uk")
    assert p.title.text() == "Потрібен технік"
    bench.clear("form_printer")
    bot.tap(p.primary)                                   # Continue: print again
    p = bot.at(win, "form_done", timeout=30000)
    assert "підпишіть" in p.body.text()
    assert len(bench.jobs()) == jobs_before + 1
    bot.tap(p.primary)
    bot.at(win, "welcome")
    assert win.session.is_empty()


def test_empty_tray_says_what_to_do_and_cancel_returns_home(qtbot: Any, bot: Any, window: Any, bench: Any) -> None:
    win = window
    win.session.flow = "submit"
    win.session.data.update(surname="Шевченко", name="Тарас", address="дніпро, січеславська 15", idtype="rnokpp",
                            rnokpp=RNOKPP, kind="application", sms=False, consent=True)
    win.nav.go("summary")
    bot.tap(win.nav.screen("summary").primary)
    state = bench.state()["paper"]
    assert not state["tray"], "the tray must be empty for this test"
    bot.tap(bot.at(win, "tray").primary)
    p = bot.at(win, "fault", timeout=20000)
    assert p.info.text() == messages.for_code("intake", "tray_empty").text("uk")
    bot.tap(p.extra["cancel"])
    bot.at(win, "welcome")
    assert win.session.is_empty()
