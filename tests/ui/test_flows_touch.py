"""Every resident flow by touch, against the simulator: submit (with a scanner jam mid-flow),
print a pre-filled form (with the form printer out of paper), look the appeal up by the receipt's
barcode and print its status, add documents to it."""

from __future__ import annotations

import re
from typing import Any

from kiosk_app.core import messages
from kiosk_app.ui.testbench import SHEETS
from kiosk_app.ui.testing import at, tap, tap_keys

RNOKPP = "1759013776"


def fill_identity(qtbot: Any, win: Any, *, sms: bool) -> None:
    p = at(qtbot, win, "surname")
    assert p.step.text() == "Крок 1 з 11" if win.session.flow == "submit" else p.step.text().startswith("Крок")
    tap_keys(qtbot, p, "Шевченко")
    assert p.field.text() == "Шевченко"
    tap(qtbot, p.primary)
    p = at(qtbot, win, "name")
    tap_keys(qtbot, p, "тарас")
    tap(qtbot, p.primary)
    p = at(qtbot, win, "patronymic")
    tap(qtbot, p.extra["skip"])
    p = at(qtbot, win, "address")
    tap_keys(qtbot, p, "дніпро, січеславська 15")
    tap(qtbot, p.primary)
    p = at(qtbot, win, "idtype")
    tap(qtbot, p.choices["rnokpp"])
    p = at(qtbot, win, "rnokpp")
    tap_keys(qtbot, p, "1759013775")             # a wrong check digit first
    tap(qtbot, p.primary)
    assert win.current == "rnokpp" and "контрольною цифрою" in p.error.text()
    tap(qtbot, p.pad.keys["backspace"])
    tap_keys(qtbot, p, "6")
    tap(qtbot, p.primary)
    p = at(qtbot, win, "kind")
    tap(qtbot, p.choices["complaint"])
    if win.session.flow != "form":
        p = at(qtbot, win, "sms")
        tap(qtbot, p.choices["yes" if sms else "no"])
        if sms:
            p = at(qtbot, win, "phone")
            tap_keys(qtbot, p, "0671234567")
            tap(qtbot, p.primary)
    p = at(qtbot, win, "consent")
    tap(qtbot, p.choices["yes"])


def test_submit_by_touch_with_a_scanner_jam_then_status_by_receipt(qtbot: Any, window: Any, bench: Any) -> None:
    win = window
    receipts_before = len(bench.receipts())
    bench.feed(SHEETS)
    bench.fault("scanner", "jam", after_pages=1)
    tap(qtbot, win.pages["welcome"].choices["submit"])
    fill_identity(qtbot, win, sms=True)

    p = at(qtbot, win, "summary")
    assert p.step.text() == "Крок 11 з 11"
    summary = p.info.text()
    assert "Шевченко Тарас" in summary and "Скарга" in summary and "+380671234567" in summary
    assert RNOKPP not in summary and "••••••••76" in summary          # masked on screen
    tap(qtbot, p.primary)

    p = at(qtbot, win, "tray")
    assert p.title.text() == "Покладіть підписані аркуші в лоток"
    tap(qtbot, p.primary)

    # the jam: plain words, what to do, Continue after it is cleared
    p = at(qtbot, win, "fault", timeout=30000)
    jam = messages.for_code("scanner", "jam")
    assert win.fault["sheet"] == 2
    assert p.info.text() == jam.text("uk", sheet=2) and p.info.text().startswith("Аркуш 2 застряг у сканері.")
    assert p.title.text() == "Потрібна ваша дія"
    assert win.session.intake is not None and len(win.session.previews) == 1      # the first sheet is kept
    bench.clear("scanner")
    tap(qtbot, p.primary)

    p = at(qtbot, win, "sheets", timeout=30000)
    assert p.title.text() == "Відскановано аркушів: 2" and len(p.thumbs) == 2
    assert not p.thumbs[0].pixmap().isNull()
    tap(qtbot, p.primary)

    p = at(qtbot, win, "number", timeout=30000)
    number = p.big.text()
    assert re.fullmatch(r"\d{3}-\d{6}-[\dX]", number)
    assert "Заберіть чек" in p.info.text()
    receipts = bench.receipts()
    assert len(receipts) == receipts_before + 1
    assert number in receipts[-1]["text"]
    tap(qtbot, p.primary)
    at(qtbot, win, "welcome")
    assert win.session.is_empty()

    # status: the resident holds the receipt's barcode to the handheld reader
    tap(qtbot, win.pages["welcome"].choices["status"])
    p = at(qtbot, win, "lookup")
    compact = number.replace("-", "")
    polls = getattr(win, "reader_polls", 0)
    qtbot.waitUntil(lambda: getattr(win, "reader_polls", 0) > polls, timeout=5000)
    bench.barcode(compact)
    p = at(qtbot, win, "status", timeout=15000)
    assert p.title.text() == f"Звернення № {number}"
    assert p.body.text().startswith("Стан: прийняте терміналом")
    assert "Строк відповіді: до " in p.info.text()
    n = len(bench.receipts())
    tap(qtbot, p.extra["print"])
    qtbot.waitUntil(lambda: "Надруковано" in p.info.text(), timeout=15000)
    assert number in bench.receipts()[n]["text"]
    tap(qtbot, p.primary)
    at(qtbot, win, "welcome")

    # add documents to that appeal: typed on the number pad
    bench.feed(SHEETS[:1])
    tap(qtbot, win.pages["welcome"].choices["add"])
    p = at(qtbot, win, "parent")
    assert p.step.text() == "Крок 1 з 12"
    tap_keys(qtbot, p, "12345")
    tap(qtbot, p.primary)
    assert win.current == "parent" and p.error.text()             # not a number: said why
    tap(qtbot, p.pad.keys["clear"])
    tap_keys(qtbot, p, compact)
    tap(qtbot, p.primary)
    fill_identity(qtbot, win, sms=False)
    p = at(qtbot, win, "summary")
    assert f"До звернення: {number}" in p.info.text()
    tap(qtbot, p.primary)
    tap(qtbot, at(qtbot, win, "tray").primary)
    p = at(qtbot, win, "sheets", timeout=30000)
    tap(qtbot, p.primary)
    p = at(qtbot, win, "number", timeout=30000)
    assert p.big.text() != number
    assert f"Документи додано до звернення № {number}." in p.info.text()
    row = win.t.store.appeal(p.big.text().replace("-", ""))
    assert row["parent"] == compact


def test_print_form_by_touch_with_the_printer_out_of_paper(qtbot: Any, window: Any, bench: Any) -> None:
    win = window
    jobs_before = len(bench.jobs())
    bench.fault("form_printer", "paper_out")
    tap(qtbot, win.pages["welcome"].choices["form"])
    fill_identity(qtbot, win, sms=False)
    p = at(qtbot, win, "summary")
    assert p.step.text() == "Крок 9 з 9"
    tap(qtbot, p.primary)
    p = at(qtbot, win, "fault", timeout=30000)
    assert p.info.text() == messages.for_code("form_printer", "paper_out").text("uk")
    assert p.title.text() == "Потрібен технік"
    bench.clear("form_printer")
    tap(qtbot, p.primary)                                   # Continue: print again
    p = at(qtbot, win, "form_done", timeout=30000)
    assert "підпишіть" in p.body.text()
    assert len(bench.jobs()) == jobs_before + 1
    tap(qtbot, p.primary)
    at(qtbot, win, "welcome")
    assert win.session.is_empty()


def test_empty_tray_says_what_to_do_and_cancel_returns_home(qtbot: Any, window: Any, bench: Any) -> None:
    win = window
    win.session.flow = "submit"
    win.session.data.update(surname="Шевченко", name="Тарас", address="дніпро, січеславська 15", idtype="rnokpp",
                            rnokpp=RNOKPP, kind="application", sms=False, consent=True)
    win.go("summary")
    tap(qtbot, win.pages["summary"].primary)
    state = bench.state()["paper"]
    assert not state["tray"], "the tray must be empty for this test"
    tap(qtbot, at(qtbot, win, "tray").primary)
    p = at(qtbot, win, "fault", timeout=20000)
    assert p.info.text() == messages.for_code("intake", "tray_empty").text("uk")
    tap(qtbot, p.extra["cancel"])
    at(qtbot, win, "welcome")
    assert win.session.is_empty()
