"""Single screens, each built on its own (no kiosk window): a small shell gives it a session, a
language and the one worker; the navigator builds only the screens asked for."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk_app.core import messages
from kiosk_app.core.answers import AnswerLookup
from kiosk_app.core.numbering import parse
from kiosk_app.ui.intake_screens import FaultScreen, StatusScreen
from kiosk_app.ui.nav import Navigator, ScreenId
from kiosk_app.ui.qt import QStackedWidget
from kiosk_app.ui.resident import ChoiceQuestion, NumberEntry, TextQuestion
from kiosk_app.ui.service import PinScreen, ServiceScreen
from kiosk_app.ui.session import Session
from kiosk_app.ui.theme import Theme
from kiosk_app.ui.window import SCREENS
from kiosk_app.ui.worker import Worker


class LoneShell:
    """Just enough of the app around a screen (kiosk_app.ui.nav.Shell), with a record of what
    the screens said and which sessions they ended."""

    def __init__(self, cfg: Any = None, t: Any = None) -> None:
        self.session = Session()
        self.lang = "uk"
        self.speech_enabled = True
        self.cfg, self.t = cfg, t
        self.stack = QStackedWidget()
        self.worker = Worker(self.stack)          # goes with the screens
        self.nav = Navigator(self, self.stack, SCREENS)
        self.said: list[str] = []
        self.ended: list[str] = []

    def target_px(self) -> int:
        return Theme().target_px()

    def refresh(self) -> None:
        self.nav.current_screen().render(self.lang)

    def say(self, text: str) -> None:
        self.said.append(text)

    def end_session(self, reason: str) -> None:
        self.ended.append(reason)

    def close(self) -> None:
        for s in self.nav.screens.values():
            if isinstance(s, NumberEntry):
                s.reader.stop()
        self.worker.wait()


@pytest.fixture
def shell(qtbot: Any) -> Iterator[LoneShell]:
    s = LoneShell()
    qtbot.addWidget(s.stack)
    yield s
    s.close()


def test_a_text_question_alone_checks_its_answer_in_both_languages(shell: LoneShell) -> None:
    shell.session.flow = "submit"
    shell.session.data.update(idtype="rnokpp")
    shell.nav.go(ScreenId.RNOKPP)
    q = shell.nav.get(ScreenId.RNOKPP, TextQuestion)
    assert list(shell.nav.screens) == [ScreenId.RNOKPP]            # nothing else was built
    assert q.field is not None and q.pad is not None and q.keyboard is None
    q.field.setText("1759013775")                                  # a wrong check digit
    q.primary.click()
    assert shell.nav.current == ScreenId.RNOKPP
    assert "контрольною цифрою" in q.error.text() and shell.said == [q.error.text()]
    shell.lang = "en"
    shell.refresh()
    assert q.title.text() == "Your taxpayer number"
    assert "check digit" in q.error.text()
    q.field.setText("1759013776")
    q.primary.click()
    assert shell.nav.current == ScreenId.KIND and shell.session.data["rnokpp"] == "1759013776"
    assert q.error.text() == ""


def test_a_choice_alone_records_it_and_skips_the_phone(shell: LoneShell) -> None:
    shell.session.flow = "submit"
    shell.session.data.update(phone="0671234567")
    shell.nav.go(ScreenId.SMS)
    q = shell.nav.get(ScreenId.SMS, ChoiceQuestion)
    assert q.title.text() == "Надіслати SMS, коли буде відповідь?"
    assert set(q.choices) == {"yes", "no"} and q.primary.isHidden()
    q.choices["no"].click()
    assert shell.session.data["sms"] is False and "phone" not in shell.session.data
    assert shell.nav.current == ScreenId.CONSENT                   # no phone question without SMS
    shell.nav.current_screen().back.click()
    assert shell.nav.current == ScreenId.SMS


def test_the_fault_screen_alone_offers_continue_only_when_it_can(shell: LoneShell) -> None:
    fault = shell.nav.get(ScreenId.FAULT, FaultScreen)
    calls: list[str] = []
    fault.show_fault(messages.for_code("scanner", "jam"), True, lambda: calls.append("retry"),
                     lambda: calls.append("cancel"), sheet=2)
    assert shell.nav.current == ScreenId.FAULT
    assert fault.info is not None and fault.info.text() == messages.for_code("scanner", "jam").text("uk", sheet=2)
    assert not fault.primary.isHidden() and fault.primary.text() == "Продовжити"
    fault.primary.click()
    fault.extra["cancel"].click()
    assert calls == ["retry", "cancel"]
    fault.show_fault(messages.GENERIC, True, None, lambda: calls.append("home"))
    assert fault.primary.isHidden() and fault.extra["cancel"].text() == "На головну"
    fault.reset()
    assert fault.fault == {} and fault.info.text() == ""


def test_the_status_screen_alone_in_english(shell: LoneShell) -> None:
    shell.lang = "en"
    shell.session.status = AnswerLookup(parse("0010000013"), "imported", dt.date(2026, 12, 28), "М-20", None, "local")
    shell.nav.go(ScreenId.STATUS)
    st = shell.nav.get(ScreenId.STATUS, StatusScreen)
    assert st.title.text() == "Appeal No 001-000001-3"
    assert st.info is not None and "28.12.2026" in st.info.text()
    st.primary.click()
    assert shell.ended == ["status shown"]
    st.back.click()
    assert shell.nav.current == ScreenId.LOOKUP


def test_a_number_entry_alone_refuses_a_mistyped_number_and_listens_to_the_reader(shell: LoneShell) -> None:
    shell.session.flow = "add"
    shell.nav.go(ScreenId.PARENT)
    p = shell.nav.get(ScreenId.PARENT, NumberEntry)
    assert p.reader.isActive()
    assert p.field is not None
    p.field.setText("001-000001-4")                                # the check character is wrong
    p.primary.click()
    assert shell.nav.current == ScreenId.PARENT and p.error.text()
    p.got_barcode("0010000013")                                     # as the handheld reader reads a receipt
    assert shell.session.parent == "0010000013" and not p.reader.isActive()
    assert shell.nav.current == ScreenId.SURNAME


def test_the_pin_and_service_screens_alone_against_a_terminal(qtbot: Any, bench: Any, tmp_path: Path) -> None:
    """PIN and service mode over the facade, in-process, with the simulated devices."""
    from kiosk_app.core.config import load_kiosk_config, sim_overrides
    from kiosk_app.core.store import Store
    from kiosk_app.core.terminal import Terminal
    from kiosk_app.ui.pin import hash_pin

    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update(sim_overrides(bench.workdir), KIOSK_STORE_DIR=str(tmp_path / "store"), KIOSK_INTAKE_OCR="false",
               KIOSK_SERVICE_PIN_HASH=hash_pin("2468", iterations=2000))
    cfg = load_kiosk_config("/nonexistent/kiosk.toml", env=env)
    t = Terminal(cfg)
    shell = LoneShell(cfg, t)
    qtbot.addWidget(shell.stack)
    try:
        shell.nav.go(ScreenId.PIN)
        pin = shell.nav.get(ScreenId.PIN, PinScreen)
        assert pin.field is not None
        pin.field.setText("1111")
        pin.primary.click()
        qtbot.waitUntil(lambda: pin.error.text() != "", timeout=10000)
        assert pin.error.text().startswith("Неправильний PIN") and shell.nav.current == ScreenId.PIN
        pin.field.setText("2468")
        pin.primary.click()
        qtbot.waitUntil(lambda: shell.nav.current == ScreenId.SERVICE, timeout=10000)
        svc = shell.nav.get(ScreenId.SERVICE, ServiceScreen)
        assert svc.info is not None
        qtbot.waitUntil(lambda: "receipt_printer: ready" in svc.info.text(), timeout=15000)
        assert "service_pin_failed" in svc.info.text()                 # the wrong PIN, among recent errors
        svc.reset()                                                    # the session ended: service mode left
        shell.worker.wait()
        store = Store(cfg["store.dir"], terminal=cfg["terminal.code"])
        try:
            events = [r["event"] for r in store.db.query("SELECT event FROM events WHERE event LIKE 'service%' ORDER BY id")]
        finally:
            store.close()
        assert events == ["service_pin_failed", "service_entered", "service_left"]
    finally:
        shell.close()
        t.close()
