"""Store-then-send (AT+CMGW / CMGR / CMSS / CMGD): the driver against the simulator on a pty,
including a sender that dies between sending a part and recording it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import serial

from devices.errors import ModemError, NoNetwork, NoSim, SmsRejected
from devices.modem import GsmModem, from_config
from hardware_sim.modem import ModemSim
from tests.modem.texts import NUMBER, UA_200


def driver(sim: ModemSim) -> GsmModem:
    return from_config({"port": str(sim.workdir / "modem.tty"), "command_timeout": 0.5, "delivery_timeout": 0})


def test_store_then_send_a_three_part_message(sim: ModemSim) -> None:
    m = driver(sim)
    try:
        indexes = m.store_sms(NUMBER, UA_200)
        assert indexes == [1, 2, 3]
        assert [m.stored_state(i) for i in indexes] == ["unsent"] * 3
        assert sim.sms_log() == []                         # stored is not sent
        refs = [m.send_stored(i) for i in indexes]
        assert [m.stored_state(i) for i in indexes] == ["sent"] * 3
        for i in indexes:
            m.delete_stored(i)
        assert [m.stored_state(i) for i in indexes] == [None] * 3
    finally:
        m.close()
    [msg] = sim.sms_log()
    assert (msg["text"], msg["parts"], msg["references"]) == (UA_200, 3, refs)


def test_a_sender_killed_after_a_part_went_resumes_without_duplicates(sim: ModemSim) -> None:
    first = driver(sim)
    indexes = first.store_sms(NUMBER, UA_200)
    first.send_stored(indexes[0])
    first.close()                                          # the process dies here, before recording
    second = driver(sim)
    try:
        states = [second.stored_state(i) for i in indexes]
        assert states == ["sent", "unsent", "unsent"]
        for i, st in zip(indexes, states, strict=True):
            if st == "unsent":
                second.send_stored(i)
    finally:
        second.close()
    [msg] = sim.sms_log()
    assert msg["text"] == UA_200 and msg["parts"] == 3


def test_storage_outlives_a_simulator_restart(tmp_path: Path) -> None:
    sim = ModemSim(tmp_path)
    sim.start()
    m = driver(sim)
    [index] = m.store_sms(NUMBER, "Збережено")
    m.close()
    sim.stop()
    again = ModemSim(tmp_path)
    again.start()
    m = driver(again)
    try:
        assert m.stored_state(index) == "unsent"
        m.send_stored(index)
    finally:
        m.close()
        again.stop()
    assert again.sms_log()[-1]["text"] == "Збережено"


def test_faults_while_storing_and_sending(sim: ModemSim) -> None:
    m = driver(sim)
    try:
        sim.inject("no_network")
        [index] = m.store_sms(NUMBER, "Мережі немає")      # storage is local: works
        with pytest.raises(NoNetwork):
            m.send_stored(index)
        sim.clear()
        sim.inject("sms_rejected")
        with pytest.raises(SmsRejected):
            m.send_stored(index)
        assert m.stored_state(index) == "unsent"
        sim.clear()
        m.send_stored(index)
        sim.inject("no_sim")
        with pytest.raises(NoSim):
            m.store_sms(NUMBER, "x")
    finally:
        m.close()
    assert [x["text"] for x in sim.sms_log()] == ["Мережі немає"]


def test_full_storage_leaves_nothing_half_stored(tmp_path: Path) -> None:
    sim = ModemSim(tmp_path, storage_slots=2)
    sim.start()
    m = driver(sim)
    try:
        with pytest.raises(ModemError) as err:
            m.store_sms(NUMBER, UA_200)                    # 3 parts, 2 slots
        assert err.value.number == 322                     # type: ignore[attr-defined]
        assert json.loads((tmp_path / "modem_storage.json").read_text()) == {}
    finally:
        m.close()
        sim.stop()


def test_storage_commands_in_plain_pdu_and_text_mode(sim: ModemSim) -> None:
    with serial.Serial(str(sim.workdir / "modem.tty"), timeout=1) as port:
        def ask(cmd: bytes, until: bytes = b"OK\r\n") -> bytes:
            port.write(cmd + b"\r")
            return port.read_until(until)

        ask(b"ATE0;+CMEE=1")
        assert ask(b"AT+CPMS?") == b'\r\n+CPMS: "SM",0,50,"SM",0,50,"SM",0,50\r\n\r\nOK\r\n'
        assert ask(b"AT+CMGW=23", b"> ") == b"\r\n> "
        port.write(b"0011000B916407281553F80000AA0AE8329BFD4697D9EC37\x1a")
        assert port.read_until(b"OK\r\n") == b"\r\n+CMGW: 1\r\n\r\nOK\r\n"
        assert ask(b"AT+CMGR=1") == b"\r\n+CMGR: 2,,23\r\n0011000B916407281553F80000AA0AE8329BFD4697D9EC37\r\n\r\nOK\r\n"
        assert ask(b"AT+CMSS=1") == b"\r\n+CMSS: 0\r\n\r\nOK\r\n"
        assert ask(b"AT+CMGL=4") == b"\r\n+CMGL: 1,3,,23\r\n0011000B916407281553F80000AA0AE8329BFD4697D9EC37\r\n\r\nOK\r\n"
        assert ask(b"AT+CMGD=1") == b"\r\nOK\r\n"
        assert ask(b"AT+CMGR=1", b"\r\n") + port.read_until(b"\r\n") == b"\r\n+CMS ERROR: 321\r\n"
        assert ask(b'AT+CMGF=1;+CSCS="UCS2";+CMGW="+380671234567"', b"> ") == b"\r\n> "
        port.write(b"041F04400438043204560442\x1a")                   # "Привіт" in UCS2 hex
        assert port.read_until(b"OK\r\n") == b"\r\n+CMGW: 1\r\n\r\nOK\r\n"
        assert ask(b'AT+CMGL="STO UNSENT"') == \
            b'\r\n+CMGL: 1,"STO UNSENT","+380671234567",,\r\n041F04400438043204560442\r\n\r\nOK\r\n'
        assert ask(b"AT+CMGF=0;+CMGR=1", b"\r\n") + port.read_until(b"\r\n") == b"\r\n+CMS ERROR: 303\r\n"
