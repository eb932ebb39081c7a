"""The driver against recorded AT dialogues: exact bytes out, replies in (no simulator)."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest

from devices.errors import (
    DeviceProtocolError,
    DeviceTimeout,
    NoNetwork,
    NoSim,
    PinLocked,
    SmsRejected,
)
from devices.modem import SETTINGS, GsmModem, rssi_to_dbm
from devices.modem_at import error_for
from devices.sms_pdu import encode_submit

OK = b"\r\nOK\r\n"
# SMS-STATUS-REPORT for MR 07 to +380671234567, delivered (ST 00), times 2026-11-28 12:46:05 UTC
CDS_PDU = b"000607" b"0C91836017325476" b"62118221645000" b"62118221645000" b"00"


class TranscriptPort:
    """A serial port that plays a recorded modem: each write must be exactly the next expected
    bytes; the recorded answer then becomes readable."""

    timeout = 0

    def __init__(self, script: list[tuple[bytes, bytes]]) -> None:
        self.script = list(script)
        self.buf = b""
        self.written: list[bytes] = []
        self.lock = threading.Lock()

    def write(self, data: bytes) -> int:
        self.written.append(data)
        assert self.script, f"unexpected write {data!r}"
        expected, reply = self.script.pop(0)
        assert data == expected, f"driver wrote {data!r}, the modem expected {expected!r}"
        with self.lock:
            self.buf += reply
        return len(data)

    def flush(self) -> None:
        pass

    @property
    def in_waiting(self) -> int:
        return len(self.buf)

    def read(self, n: int = 1) -> bytes:
        with self.lock:
            out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def close(self) -> None:
        pass


START_WITH_PIN = [
    (b"AT\r", b"AT\r" + OK),                              # echo still on
    (b"ATE0\r", b"ATE0\r" + OK),
    (b"AT+CMEE=1\r", OK),
    (b"AT+CPIN?\r", b"\r\n+CPIN: SIM PIN\r\n" + OK),
    (b'AT+CPIN="1234"\r', OK),
    (b"AT+CPIN?\r", b"\r\n+CPIN: READY\r\n" + OK),
    (b"AT+CMGF=0\r", OK),
    (b"AT+CNMI=2,1,0,1,0\r", OK),
]
PREFLIGHT = [
    (b"AT+CPIN?\r", b"\r\n+CPIN: READY\r\n" + OK),
    (b"AT+CREG?\r", b"\r\n+CREG: 0,5\r\n" + OK),           # registered, roaming
    (b"AT+CSQ\r", b"\r\n+CSQ: 18,99\r\n" + OK),
]
READY_START = [*START_WITH_PIN[:3], (b"AT+CPIN?\r", b"\r\n+CPIN: READY\r\n" + OK), *START_WITH_PIN[6:]]
PRIVIT_PDU = b"0031000C9183601732547600 08A70C041F0440043804320456 0442".replace(b" ", b"")


def modem(script: list[tuple[bytes, bytes]], **settings: Any) -> tuple[GsmModem, TranscriptPort]:
    port = TranscriptPort(script)
    cfg = {"command_timeout": 0.5, "delivery_timeout": 0.5, **settings}
    return GsmModem(lambda: port, cfg), port


def test_start_up_send_and_delivery_report_exact_bytes(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    m, port = modem([*START_WITH_PIN, *PREFLIGHT,
        (b"AT+CMGS=26\r", b"\r\n> "),
        (PRIVIT_PDU + b"\x1a", b"\r\n+CMGS: 7\r\n" + OK + b"\r\n+CDS: 25\r\n" + CDS_PDU + b"\r\n")],
        pin="1234")
    m._concat = iter([0])                                  # type: ignore[assignment]
    result = m.send_sms("+380671234567", "Привіт")
    assert port.script == []
    assert (result.parts, result.references, result.delivered, result.encoding) == (1, [7], [True], "ucs2")
    wire = "\n".join(r.getMessage() for r in caplog.records)
    assert ">>> AT+CMGS=26" in wire and "<<< +CMGS: 7" in wire
    # personal data never in the log: number, PIN, PDU
    assert "380671234567" not in wire and "1234" not in wire and "041F" not in wire
    assert "+**********67" in wire and "AT+CPIN=****" in wire


def test_wrong_pin_is_tried_once_only() -> None:
    m, port = modem([
        *START_WITH_PIN[:4],
        (b'AT+CPIN="9999"\r', b"\r\n+CME ERROR: 16\r\n"),
        (b"AT\r", OK), (b"ATE0\r", OK), (b"AT+CMEE=1\r", OK),
        (b"AT+CPIN?\r", b"\r\n+CPIN: SIM PIN\r\n" + OK),  # second attempt: no PIN sent again
    ], pin="9999")
    with pytest.raises(PinLocked) as first:
        m.open()
    assert first.value.number == 16                                # type: ignore[attr-defined]
    with pytest.raises(PinLocked, match="refused"):
        m.open()
    assert port.script == []


def test_no_sim_is_cme_error_10() -> None:
    m, _ = modem([*START_WITH_PIN[:3], (b"AT+CPIN?\r", b"\r\n+CME ERROR: 10\r\n")])
    with pytest.raises(NoSim) as err:
        m.open()
    assert err.value.number == 10 and err.value.at_error == "+CME ERROR: 10"  # type: ignore[attr-defined]


def test_searching_network_is_no_network() -> None:
    m, _ = modem([*READY_START, (b"AT+CPIN?\r", b"\r\n+CPIN: READY\r\n" + OK),
                  (b"AT+CREG?\r", b"\r\n+CREG: 0,2\r\n" + OK)])
    with pytest.raises(NoNetwork, match="searching"):
        m.send_sms("+380671234567", "hi")


def test_network_refusal_after_pdu_is_sms_rejected_with_code() -> None:
    [part] = encode_submit("+380671234567", "hi", reference=0)
    m, _ = modem([*READY_START, *PREFLIGHT,
        (b"AT+CMGS=%d\r" % part.tpdu_length, b"\r\n> "),
        (part.pdu.encode() + b"\x1a", b"\r\n+CMS ERROR: 21\r\n")])
    m._concat = iter([0])                                  # type: ignore[assignment]
    with pytest.raises(SmsRejected) as err:
        m.send_sms("+380671234567", "hi")
    assert err.value.number == 21                          # type: ignore[attr-defined]
    assert "380671234567" not in str(err.value)


def test_missing_prompt_is_cancelled_with_esc() -> None:
    m, port = modem([*READY_START, *PREFLIGHT, (b"AT+CMGS=16\r", b""), (b"\x1b", b""), (b"AT\r", OK)],
                    delivery_timeout=0)
    with pytest.raises(DeviceTimeout, match="prompt"):
        m.send_sms("+380671234567", "hi")
    assert b"\x1b" in port.written


@pytest.mark.parametrize(("line", "cls", "number"), [
    ("+CME ERROR: 10", NoSim, 10), ("+CME ERROR: 11", PinLocked, 11), ("+CME ERROR: 12", PinLocked, 12),
    ("+CME ERROR: 30", NoNetwork, 30), ("+CMS ERROR: 310", NoSim, 310), ("+CMS ERROR: 311", PinLocked, 311),
    ("+CMS ERROR: 331", NoNetwork, 331), ("+CMS ERROR: 21", SmsRejected, 21), ("+CMS ERROR: 42", SmsRejected, 42),
    ("+CMS ERROR: 500", SmsRejected, 500), ("+CMS ERROR: 304", DeviceProtocolError, 304),
    ("+CMS ERROR: 332", DeviceTimeout, 332), ("ERROR", DeviceProtocolError, None),
])
def test_error_codes_map_to_typed_errors(line: str, cls: type, number: int | None) -> None:
    err = error_for(line, 'AT+CMGS="+380671234567"')
    assert type(err) is cls
    assert err.number == number                            # type: ignore[attr-defined]
    assert "380671234567" not in str(err)


def test_rssi_to_dbm() -> None:
    assert [rssi_to_dbm(x) for x in (0, 3, 21, 31, 99)] == [-113, -107, -71, -51, None]


def test_every_setting_documented() -> None:
    for s in SETTINGS:
        assert set(s) == {"key", "default", "unit", "help"} and s["help"]


def test_bad_number_is_a_value_error_before_any_traffic() -> None:
    from devices.sms_pdu import PduError

    m, port = modem([])
    with pytest.raises(PduError, match=r"\+\*+12"):
        m.send_sms("+38067abc12", "hi")
    assert port.written == []
