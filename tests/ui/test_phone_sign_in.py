"""Sign in with BankID on the phone, end to end (issue #18, must-show 1): the scripted resident
chooses the phone path in the real kiosk window (offscreen; the terminal in its helper process,
against the simulated devices and the city server as a real process); a second HTTP client plays
the phone: it reads the QR code off the kiosk's screen, signs in through the BankID stand-in and
approves; the kiosk's summary shows the verified data; the sync agent puts the appeal in the drop
folder with ``identity_verified``; the resident's cabinet shows that the terminal got the data.
And the kiosk's words when the sign-in fails (denied, server away), with typing offered."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import zxingcpp
from PIL import Image

from hardware_sim.process import SHEETS
from kiosk_app.core.metadata import validate
from kiosk_app.core.numbering import parse
from kiosk_app.ui.scripted import Resident
from tests.identity.conftest import FAST, kiosk_env
from tests.server.citysrv_helpers import Server, run_server
from tests.server.test_device_flow import IVAN, Phone, state


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with run_server(tmp_path_factory.mktemp("city"), [], FAST) as srv:
        yield srv


def read_qr(png: Path) -> str:
    [code] = zxingcpp.read_barcodes(Image.open(png), formats=zxingcpp.BarcodeFormat.QRCode)
    return str(code.text)


def test_the_resident_signs_in_on_the_phone_and_the_appeal_says_verified(
        qtbot: Any, make_window: Any, bench: Any, city: Server, tmp_path: Path) -> None:
    win = make_window(**kiosk_env(tmp_path, city, "071"))
    bench.feed(SHEETS[:1])
    assert win.phone_sign_in
    phones: list[Phone] = []
    shown: list[str] = []

    def phone(qr_png: Path, code_on_screen: str) -> None:
        url = read_qr(qr_png)                         # what a phone's camera reads off the kiosk
        shown.append(url)
        assert url == f"{city.url}/device?user_code={code_on_screen}"
        p = Phone(city)
        phones.append(p)
        user_code = parse_qs(urlparse(url).query)["user_code"][0]
        page = p.sign_in(user_code, "test-0002")
        assert "<strong>071</strong>" in page.text                 # which terminal asks
        assert state(p.decide("approve")) == "approved"

    resident = Resident(win, tmp_path / "shots", timeout=60)
    number = resident.submit_appeal(phone=phone)
    assert shown and resident.seen[:4] == ["welcome", "identity", "device", "verified"]
    assert "surname" not in resident.seen and "rnokpp" not in resident.seen      # nothing of it typed
    # the summary showed the verified data, marked
    summary = "\n".join(resident.texts["summary"])
    assert f"{IVAN['surname']} {IVAN['given_name']} {IVAN['patronymic']}  ✓ BankID" in summary
    assert "••••••••76  ✓ BankID" in summary and f"{IVAN['address']}  ✓ BankID" in summary
    # the appeal, delivered by the sync agent, says the identity was verified, and by whom
    drop = tmp_path / "drop"
    drop.mkdir()
    from sync_agent.agent import Agent
    from sync_agent.config import load_config

    win.worker.wait()
    agent = Agent.from_config(load_config(str(tmp_path / "none.toml"), env={
        "SYNC_AGENT_STORE_DIR": win.cfg["store.dir"], "SYNC_AGENT_TERMINAL_CODE": "71",
        "SYNC_AGENT_DROP_DIR": str(drop), "SYNC_AGENT_DROP_MARKER": ""}), session=requests.Session())
    try:
        assert agent.run_once(force=True).delivery.delivered == 1
    finally:
        agent.close()
    record = json.loads((drop / f"{parse(number).compact}.json").read_text(encoding="utf-8"))
    validate(record)
    assert record["identity_verified"] is True and record["identity_verified_by"] == "bankid"
    assert record["address_verified"] is True and record["identity_verified_at"].endswith("Z")
    a = record["applicant"]
    assert (a["surname"], a["name"], a["patronymic"], a["address"]) == \
        (IVAN["surname"], IVAN["given_name"], IVAN["patronymic"], IVAN["address"])
    assert a["identity"] == {"type": "rnokpp", "value": IVAN["rnokpp"]} and a["phone"] == "+380671234567"
    # the resident's cabinet: terminal 071 received their identity
    me = phones[0].page("/api/cabinet/me").json()
    assert [r["accessor"] for r in me["data_access"] if "071" in r["accessor"]] == ["Термінал 071 / Terminal 071"]
    assert "Термінал 071 / Terminal 071" in phones[0].page("/cabinet/").text


def wait_for_code(qtbot: Any, win: Any) -> Any:
    device = win.nav.screen("device")
    qtbot.waitUntil(lambda: device.status is not None or bool(device.failure), timeout=20000)
    return device


def test_denied_on_the_phone_the_kiosk_says_so_and_offers_a_new_code_or_typing(
        qtbot: Any, bot: Any, make_window: Any, city: Server, tmp_path: Path) -> None:
    win = make_window(**kiosk_env(tmp_path, city, "072"))
    bot.tap(bot.at(win, "welcome").choices["submit"])
    bot.tap(bot.at(win, "identity").choices["phone"])
    device = wait_for_code(qtbot, win)
    code = device.big.text()
    assert device.qr.pixmap() is not None and not device.qr.pixmap().isNull()
    phone = Phone(city)

    def deny() -> None:
        phone.sign_in(code, "test-0001")
        phone.decide("deny")

    t = threading.Thread(target=deny)
    t.start()
    qtbot.waitUntil(lambda: bool(device.failure), timeout=30000)
    t.join()
    assert device.failure == "denied"
    assert device.error.text().startswith("Ви відмовили на телефоні")
    assert device.qr.pixmap().isNull() and device.big.text() == "" and code not in bot.visible_texts(win)
    assert win.session.verified is None and not win.session.signing_in
    assert device.primary.isVisible() and device.extra["type"].isVisible()
    bot.tap(device.primary)                                      # a new code
    qtbot.waitUntil(lambda: device.status is not None, timeout=20000)
    second = device.big.text()
    assert second not in ("", code)
    bot.tap(device.extra["type"])                                # or typing after all
    bot.at(win, "surname")
    assert win.session.verified is None and not win.session.signing_in
    win.worker.wait()
    assert state(Phone(city).enter(second)) == "ended"           # the server was told: a late phone gets nothing
    # the session ending (idle timeout) while a code is on screen ends the sign-in too
    bot.tap(win.nav.screen("surname").back)
    bot.tap(bot.at(win, "identity").choices["phone"])
    qtbot.waitUntil(lambda: device.status is not None, timeout=20000)
    third = device.big.text()
    win.end_session("idle timeout")
    win.worker.wait()
    assert win.session.is_empty() and device.big.text() == "" and device.qr.pixmap().isNull()
    assert state(Phone(city).enter(third)) == "ended"


def test_the_server_away_the_kiosk_says_so_and_offers_typing(
        qtbot: Any, bot: Any, make_window: Any, tmp_path: Path) -> None:
    with run_server(tmp_path, [], FAST) as srv:
        win = make_window(**kiosk_env(tmp_path, srv, "073"))
        bot.tap(bot.at(win, "welcome").choices["submit"])
        bot.tap(bot.at(win, "identity").choices["phone"])
        device = wait_for_code(qtbot, win)
        assert device.status is not None
        started = time.monotonic()
    # the server stopped while the kiosk polls
    qtbot.waitUntil(lambda: bool(device.failure), timeout=30000)
    assert time.monotonic() - started < 15
    assert device.failure == "unavailable"
    assert "Сервер міста зараз недоступний" in device.error.text()
    assert device.qr.pixmap().isNull() and device.big.text() == ""
    assert win.session.verified is None and not win.session.signing_in
    bot.tap(device.extra["type"])
    bot.at(win, "surname")
    # and the next try says so at once
    bot.tap(win.nav.screen("surname").back)
    bot.tap(bot.at(win, "identity").choices["phone"])
    qtbot.waitUntil(lambda: device.failure == "unavailable", timeout=30000)
