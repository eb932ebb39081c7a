"""The production driver against the modem simulator over a real pseudo-terminal, and the
simulator against a plain pyserial dialogue as off-the-shelf software would hold it."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator

import pytest
import serial

from devices.errors import DeviceOffline, NoNetwork, NoSim, PinLocked, SmsRejected, WeakSignal
from devices.modem import GsmModem, from_config
from devices.state import DeviceState
from hardware_sim.modem import ModemSim
from tests.modem.texts import NUMBER, UA_200


@pytest.fixture
def driver(sim: ModemSim) -> Iterator[GsmModem]:
    m = from_config({"port": str(sim.workdir / "modem.tty"), "command_timeout": 0.5,
                     "delivery_timeout": 2.0})
    yield m
    m.close()


def test_200_ukrainian_characters_arrive_whole_in_order_as_three_parts(sim: ModemSim, driver: GsmModem) -> None:
    result = driver.send_sms(NUMBER, UA_200)
    assert result.parts == 3 and result.encoding == "ucs2"
    assert result.delivered == [True, True, True]
    [msg] = sim.sms_log()
    assert msg["text"] == UA_200
    assert msg["parts"] == 3 and msg["to"] == NUMBER
    assert msg["references"] == result.references
    # the same record on disk, one JSON per line
    [line] = (sim.workdir / "sms.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["text"] == UA_200


def test_parts_out_of_order_are_reassembled(sim: ModemSim) -> None:
    from devices.sms_pdu import encode_submit

    parts = encode_submit(NUMBER, UA_200, reference=9)
    with serial.Serial(str(sim.workdir / "modem.tty"), timeout=1) as port:
        port.write(b"ATE0\r")
        assert port.read_until(b"OK\r\n").endswith(b"OK\r\n")
        for p in (parts[2], parts[0], parts[1]):
            port.write(b"AT+CMGS=%d\r" % p.tpdu_length)
            assert port.read_until(b"> ").endswith(b"> ")
            port.write(p.pdu.encode() + b"\x1a")
            assert b"+CMGS:" in port.read_until(b"OK\r\n")
    [msg] = sim.sms_log()
    assert msg["text"] == UA_200 and msg["reference"] == 9


@pytest.mark.parametrize(("fault", "error"), [
    ("no_sim", NoSim), ("pin_locked", PinLocked), ("no_network", NoNetwork),
    ("weak_signal", WeakSignal), ("sms_rejected", SmsRejected), ("offline", DeviceOffline),
])
def test_every_fault_gives_its_typed_error(sim: ModemSim, driver: GsmModem, fault: str, error: type) -> None:
    driver.send_sms(NUMBER, "Перевірка")                  # works before the fault
    sim.inject(fault)
    with pytest.raises(error):
        driver.send_sms(NUMBER, "Перевірка")
    status = driver.status()
    expected = {"offline": DeviceState.OFFLINE, "weak_signal": DeviceState.WARNING}.get(fault, DeviceState.FAULT)
    if fault == "sms_rejected":
        expected = DeviceState.READY                       # the modem is fine; the network refused
    assert status.state == expected
    sim.clear(fault)
    assert driver.send_sms(NUMBER, "Знову працює").parts == 1
    assert [m["text"] for m in sim.sms_log()] == ["Перевірка", "Знову працює"]


def test_pin_from_config_unlocks_the_sim(sim: ModemSim) -> None:
    sim.inject("pin_locked")
    m = from_config({"port": str(sim.workdir / "modem.tty"), "pin": "1234", "command_timeout": 0.5,
                     "delivery_timeout": 1})
    try:
        assert m.send_sms(NUMBER, "PIN ok").delivered == [True]
    finally:
        m.close()
    assert sim.state()["sim"] == "READY"


def test_wrong_pin_costs_one_try_only(sim: ModemSim) -> None:
    sim.inject("pin_locked")
    m = from_config({"port": str(sim.workdir / "modem.tty"), "pin": "0000", "command_timeout": 0.5})
    try:
        for _ in range(3):
            with pytest.raises(PinLocked):
                m.send_sms(NUMBER, "x")
    finally:
        m.close()
    assert sim.engine.pin_tries == 2


def test_check_reports_the_modem(sim: ModemSim, driver: GsmModem) -> None:
    info = driver.check()
    assert info["ok"] and info["sim"] == "READY" and info["registration"] == "registered_home"
    assert info["operator"] == "SimNet UA" and info["signal_dbm"] == -71 and info["imei"] == "356938035643809"
    sim.inject("no_sim")
    info = driver.check()
    assert not info["ok"] and info["error"]["code"] == "no_sim"


def test_logs_hold_no_phone_number(sim: ModemSim, driver: GsmModem, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="devices")
    driver.send_sms(NUMBER, UA_200)
    text = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("devices"))
    assert "+CMGS:" in text and "380671234567" not in text and "7654" not in text   # nor swapped BCD


def test_plain_pyserial_text_mode_dialogue(sim: ModemSim) -> None:
    """What smstools or a technician with minicom would type: text mode, echo on."""
    with serial.Serial(str(sim.workdir / "modem.tty"), 115200, timeout=1) as port:
        def ask(cmd: bytes, until: bytes = b"OK\r\n") -> bytes:
            port.write(cmd + b"\r")
            return port.read_until(until)

        assert ask(b"AT") == b"AT\r\r\nOK\r\n"                  # echo on by default
        assert ask(b"ATE0") == b"ATE0\r\r\nOK\r\n"
        assert ask(b"AT+CGMI") == b"\r\nhardware-sim\r\n\r\nOK\r\n"
        assert ask(b"AT+CPIN?") == b"\r\n+CPIN: READY\r\n\r\nOK\r\n"
        assert ask(b"AT+CREG?") == b"\r\n+CREG: 0,1\r\n\r\nOK\r\n"
        assert ask(b"AT+CSQ") == b"\r\n+CSQ: 21,0\r\n\r\nOK\r\n"
        assert ask(b"AT+CMGF=1;+CSMP=49,167,0,0;+CNMI=2,1,0,1,0") == b"\r\nOK\r\n"
        assert ask(b"AT+CMGF?") == b"\r\n+CMGF: 1\r\n\r\nOK\r\n"
        assert ask(b'AT+CMGS="+380671234567"', b"> ") == b"\r\n> "
        port.write(b"Hello from smstools\x1a")
        reply = port.read_until(b"OK\r\n")
        assert reply.startswith(b"\r\n+CMGS: ")
        report = port.read_until(b",0\r\n")                     # +CDS: <fo>,<mr>,"<ra>",<tora>,...,<st>
        assert report.startswith(b"\r\n+CDS: 6,") and b'"+380671234567",145' in report
        # UCS2 character set in text mode (how ModemManager sends Cyrillic)
        assert ask(b'AT+CSCS="UCS2"') == b"\r\nOK\r\n"
        assert ask(b'AT+CMGS="+380671234567"', b"> ") == b"\r\n> "
        port.write("Привіт".encode("utf-16-be").hex().upper().encode() + b"\x1a")
        assert b"+CMGS:" in port.read_until(b"OK\r\n")
        # ESC cancels the message
        assert ask(b'AT+CMGS="+380671234567"', b"> ") == b"\r\n> "
        port.write(b"never mind\x1b")
        assert port.read_until(b"OK\r\n") == b"\r\nOK\r\n"
    assert [m["text"] for m in sim.sms_log()] == ["Hello from smstools", "Привіт"]


def test_unknown_and_bad_commands(sim: ModemSim) -> None:
    with serial.Serial(str(sim.workdir / "modem.tty"), timeout=1) as port:
        port.write(b"ATE0\r")
        port.read_until(b"OK\r\n")
        port.write(b"AT+FOOBAR\r")
        assert port.read_until(b"ERROR\r\n") == b"\r\nERROR\r\n"
        port.write(b"AT+CMEE=1\r")
        port.read_until(b"OK\r\n")
        port.write(b"AT+CMGS=20\r")                           # PDU mode; the length does not match
        assert port.read_until(b"> ") == b"\r\n> "
        port.write(b"0011000B916407281553F80000AA0AE8329BFD4697D9EC37\x1a")
        assert port.read_until(b"\r\n+CMS ERROR: 304\r\n").endswith(b"304\r\n")
        port.write(b"AT+CMGS=23\r")                           # the classic PDU, right length
        port.read_until(b"> ")
        port.write(b"0011000B916407281553F80000AA0AE8329BFD4697D9EC37\x1a")
        assert b"+CMGS: 0" in port.read_until(b"OK\r\n")
    time.sleep(0.05)
    [msg] = sim.sms_log()
    assert (msg["to"], msg["text"], msg["encoding"]) == ("+46708251358", "hellohello", "gsm7")


def test_offline_modem_answers_nothing(sim: ModemSim) -> None:
    sim.inject("offline")
    with serial.Serial(str(sim.workdir / "modem.tty"), timeout=0.3) as port:
        port.write(b"AT\r")
        assert port.read(10) == b""


def test_status_reports_wait_while_the_prompt_is_open(sim: ModemSim) -> None:
    from devices.sms_pdu import encode_submit

    p1, p2 = encode_submit(NUMBER, "ї" * 100, reference=3)
    with serial.Serial(str(sim.workdir / "modem.tty"), timeout=1) as port:
        port.write(b"ATE0;+CNMI=2,1,0,1,0\r")
        port.read_until(b"OK\r\n")
        port.write(b"AT+CMGS=%d\r" % p1.tpdu_length)
        port.read_until(b"> ")
        port.write(p1.pdu.encode() + b"\x1a")
        assert port.read_until(b"OK\r\n") == b"\r\n+CMGS: 0\r\n\r\nOK\r\n"
        port.write(b"AT+CMGS=%d\r" % p2.tpdu_length)
        assert port.read_until(b"> ") == b"\r\n> "
        time.sleep(0.15)                                   # the report of part 1 is due now
        assert port.in_waiting == 0                        # ...but the prompt holds it back
        port.write(p2.pdu.encode() + b"\x1a")
        after = port.read_until(b"OK\r\n") + port.read_until(b"\r\n+CDS: 25\r\n") + port.read_until(b"\r\n")
        assert after.startswith(b"\r\n+CMGS: 1\r\n\r\nOK\r\n\r\n+CDS: 25\r\n")
        assert after.split(b"\r\n")[-2].startswith(b"000600")   # SMS-STATUS-REPORT for reference 0
