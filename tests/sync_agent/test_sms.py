"""SMS through the production modem driver and the modem simulator (a real pseudo-terminal):
store-then-send, the Ukrainian texts, a modem fault retried and shown as a failure after
sms.alert_after, phone numbers never in the logs."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.modem import GsmModem, from_config
from hardware_sim.modem import ModemSim
from kiosk_app.core.store import Store
from sync_agent import status as status_mod
from sync_agent.sms import SmsSender
from sync_agent.state import Backoff
from tests.support.appeals import AppealMaker
from tests.sync_agent.sa_fixtures import FakeEdms, make_delivery

PHONE = "+380671234567"


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[ModemSim]:
    s = ModemSim(tmp_path / "modem", report_delay=0.01)
    s.start()
    yield s
    s.stop()


@pytest.fixture
def modem(sim: ModemSim) -> Iterator[GsmModem]:
    m = from_config({"port": str(sim.workdir / "modem.tty"), "command_timeout": 0.5, "delivery_timeout": 0})
    yield m
    m.close()


def _registered(store: Store, drop_dir: Path, n: int, phone: str | None = PHONE) -> list[str]:
    maker = AppealMaker(store, pdf_size=(3_000, 5_000), phone=phone)
    docs = [maker.make() for _ in range(n)]
    delivery = make_delivery(store, drop_dir)
    delivery.deliver_pass()
    FakeEdms(drop_dir).once()
    delivery.ack_pass()
    return docs


def test_registered_sms_sent_once_in_ukrainian(store: Store, drop_dir: Path, sim: ModemSim, modem: GsmModem,
                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    docs = _registered(store, drop_dir, 2)
    sender = SmsSender(store, modem, backoff=Backoff(0.01, 0.05, 0))
    assert sender.send_pass() == 2
    assert sender.send_pass() == 0                                   # nothing twice
    log = sim.sms_log()
    assert [m["to"] for m in log] == [PHONE, PHONE]
    assert all(m["encoding"] == "ucs2" and m["parts"] == 2 for m in log)
    assert "Звернення 017-000001-2 зареєстровано (реєстр. № К-1)" in log[0]["text"]
    assert "rada.example.ua/a/0170000012" in log[0]["text"]
    rows = store.conn.execute("SELECT document_id, state, sent_at FROM sync_sms ORDER BY id").fetchall()
    assert [(d, s) for d, s, _ in rows] == [(docs[0], "sent"), (docs[1], "sent")] and all(r[2] for r in rows)
    # the storage slots were freed
    assert all(modem.stored_state(i) is None for i in range(1, 6))
    # the phone number never appears in clear in any log line (the wire log included)
    assert PHONE not in caplog.text and "671234567" not in caplog.text
    events = [r[0] for r in store.conn.execute("SELECT body_json FROM sync_events_out WHERE body_json LIKE '%sms_sent%'")]
    assert len(events) == 2 and all("+380" not in e for e in events)


def test_modem_fault_is_retried_and_shown_after_alert_after(store: Store, drop_dir: Path, sim: ModemSim,
                                                             modem: GsmModem) -> None:
    [doc] = _registered(store, drop_dir, 1)
    sim.inject("no_network")
    sender = SmsSender(store, modem, backoff=Backoff(0.05, 0.2, 0), alert_after=0.3)
    assert sender.send_pass() == 0
    row = store.conn.execute("SELECT state, attempts, last_error, next_attempt_at FROM sync_sms").fetchone()
    assert row[0] == "stored" and row[1] == 1 and row[2].startswith("no_network") and row[3]   # in the modem, unsent
    st = status_mod.collect(store, modem_configured=True)
    assert st["sms"]["failures"][0]["document_id"] == doc and not any(a["key"] == "sms.failing" for a in st["alerts"])
    time.sleep(0.35)
    sender.send_pass()                                               # still failing, now past sms.alert_after
    st = status_mod.collect(store, modem_configured=True)
    assert any(a["key"] == "sms.failing" for a in st["alerts"])
    assert st["sms"]["modem"]["state"] == "fault" and st["sms"]["modem"]["detail"] == "no_network"
    hb = status_mod.heartbeat_body(store, drop_dir / "none.json", modem_configured=True)
    assert next(d for d in hb["devices"] if d["device"] == "modem")["state"] == "fault"
    assert sim.sms_log() == []
    sim.clear("no_network")
    time.sleep(0.25)
    assert sender.send_pass() == 1
    assert len(sim.sms_log()) == 1
    assert not any(a["key"] == "sms.failing" for a in status_mod.collect(store, modem_configured=True)["alerts"])


def test_gives_up_after_give_up_after_and_no_phone(store: Store, drop_dir: Path, sim: ModemSim, modem: GsmModem) -> None:
    _registered(store, drop_dir, 1)
    sim.inject("sms_rejected")
    sender = SmsSender(store, modem, backoff=Backoff(0.01, 0.02, 0), give_up_after=60)
    sender.send_pass()
    assert store.conn.execute("SELECT state FROM sync_sms").fetchone()[0] == "stored"
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=120)
    sender.send_pass(now=later)
    state, err = store.conn.execute("SELECT state, last_error FROM sync_sms").fetchone()
    assert state == "failed" and "gave up" in err
    assert all(modem.stored_state(i) is None for i in range(1, 4))      # its slots freed
    assert status_mod.collect(store, modem_configured=True)["sms"]["counts"]["failed"] == 1


def test_appeal_without_phone_owes_no_sms(store: Store, drop_dir: Path) -> None:
    _registered(store, drop_dir, 1, phone="")
    assert store.conn.execute("SELECT COUNT(*) FROM sync_sms").fetchone()[0] == 0


def test_prompt_left_open_by_a_killed_process_is_cancelled(store: Store, drop_dir: Path, sim: ModemSim) -> None:
    import serial

    _registered(store, drop_dir, 1)
    with serial.Serial(str(sim.workdir / "modem.tty"), timeout=0.5) as port:   # a process that died mid-CMGW
        port.write(b"AT+CMGF=0\r")
        time.sleep(0.1)
        port.write(b"AT+CMGW=30\r")
        time.sleep(0.1)
        assert b"> " in port.read(200)
    m = from_config({"port": str(sim.workdir / "modem.tty"), "command_timeout": 0.5, "delivery_timeout": 0})
    try:
        assert SmsSender(store, m, backoff=Backoff(0.01, 0.02, 0)).send_pass() == 1
    finally:
        m.close()
    assert len(sim.sms_log()) == 1


def test_slots_left_by_a_crash_before_the_commit_are_reclaimed(store: Store, drop_dir: Path, sim: ModemSim,
                                                               modem: GsmModem) -> None:
    _registered(store, drop_dir, 1)
    orphans = modem.store_sms(PHONE, "залишок від збою")      # stored, then the process died: indexes never recorded
    assert modem.list_stored(2) == orphans
    sender = SmsSender(store, modem, backoff=Backoff(0.01, 0.02, 0))
    assert sender.send_pass() == 1
    assert all(modem.stored_state(i) is None for i in orphans)
    assert modem.list_stored(4) == []                            # the sent message's slots freed too
    assert [m["text"] for m in sim.sms_log()] != [] and all("залишок" not in m["text"] for m in sim.sms_log())
