"""The command layer, byte for byte, against a recorded transcript (fixtures/cycle_transcript.txt,
re-recorded by fixtures/record.py), plus the device-side rules that need raw frames (BUSY, NAK)."""

from __future__ import annotations

import ast
import time
from pathlib import Path
from typing import Any

import pytest
import serial

from devices.intake_protocol import (
    FrameError,
    crc16_ccitt_false,
    encode_command,
    encode_label,
    escape,
    format_mm,
    next_seq,
    parse_reply,
    unescape,
)
from hardware_sim.intake_wire import crc16 as sim_crc16

TRANSCRIPT = Path(__file__).with_name("fixtures") / "cycle_transcript.txt"


def transcript() -> list[tuple[str, bytes]]:
    out = []
    for line in TRANSCRIPT.read_text(encoding="utf-8").splitlines():
        direction, literal = line.split(" ", 1)
        out.append((direction, ast.literal_eval(literal)))
    return out


def test_crc_is_ccitt_false() -> None:
    assert crc16_ccitt_false(b"123456789") == 0x29B1          # the catalogue check value
    assert crc16_ccitt_false(b"") == 0xFFFF
    for data in (b"41 HELLO", "12 LABEL 1 2 №|x".encode(), bytes(range(256))):
        assert crc16_ccitt_false(data) == sim_crc16(data)    # two independent implementations agree


def test_host_frames_match_the_recording_exactly() -> None:
    intents = [
        encode_command(41, "HELLO"),
        encode_command(42, "STATUS"),
        encode_command(43, "FEED"),
        encode_label(44, "№ 017-000123-5 · арк. 1/2", "0170001235-01", 150, 10),
        encode_command(45, "PASS"),
        encode_command(46, "FEED"),
        encode_label(47, "№ 017-000123-5 · арк. 2/2", "0170001235-02", 150.0, 10.0),
        encode_command(48, "PASS"),
        encode_command(49, "STAPLE_BIN", "staple=1"),
        encode_command(50, "FEED"),
        encode_command(51, "STATUS"),
    ]
    sent = [frame for d, frame in transcript() if d == ">>>"]
    unique = [f for i, f in enumerate(sent) if i == 0 or f != sent[i - 1]]    # retransmissions
    assert unique == intents
    assert sent.count(intents[6]) == 2 and sent.count(intents[8]) == 2


def test_label_frame_bytes() -> None:
    frame = encode_label(44, "№ 017-000123-5 · арк. 1/2", "0170001235-01", 150, 10)
    assert frame == (
        b"44 LABEL 150 10 \xe2\x84\x96%20017-000123-5%20\xc2\xb7%20\xd0\xb0\xd1\x80\xd0\xba.%201/2"
        b"|0170001235-01*195D\r\n"
    )


def test_device_frames_of_the_recording_parse() -> None:
    replies = [parse_reply(f) for d, f in transcript() if d == "<<<"]
    kinds = [(r.seq, r.kind, r.code) for r in replies]
    assert (47, "ACK", "") in kinds and (None, "EVENT", "TRAY_EMPTY") in kinds
    assert (49, "NAK", "BAD_CRC") in kinds and (50, "ERR", "TRAY_EMPTY") in kinds
    hello = next(r for r in replies if r.seq == 41 and r.kind == "OK")
    assert hello.fields == {"model": "DNIPRO-INTAKE-1", "fw": "1.0.0-sim", "proto": "1",
                            "serial": "SIM-0001", "cap": "500"}
    staple = next(r for r in replies if r.seq == 49 and r.kind == "OK")
    assert staple.fields == {"sheets": "2", "stapled": "1", "bin": "2", "fill": "0", "staples": "4811"}
    err = next(r for r in replies if r.kind == "ERR")
    assert err.fields == {"msg": "no sheet in the tray"}
    status = next(r for r in replies if r.seq == 51 and r.kind == "OK")
    assert status.fields["door"] == "open" and status.fields["errors"] == "DOOR_OPEN"


def test_parse_rejects_damaged_frames() -> None:
    good = b"43 OK tray=1 station=1*7CA1\r\n"
    assert parse_reply(good).fields == {"tray": "1", "station": "1"}
    with pytest.raises(FrameError) as info:
        parse_reply(b"43 OK tray=2 station=1*7CA1\r\n")
    assert info.value.reason == "BAD_CRC"
    for bad in (b"43 OK tray=1 station=1*7ca1", b"43 OK tray=1 station=1", b"x OK*0000"):
        with pytest.raises(FrameError):
            parse_reply(bad)


@pytest.mark.parametrize(
    ("text", "escaped"),
    [("a b|c", "a%20b%7Cc"), ("50%*2", "50%25%2A2"), ("№ 1\r\n", "№%201%0D%0A"), ("арк.", "арк.")],
)
def test_escaping(text: str, escaped: str) -> None:
    assert escape(text) == escaped
    assert unescape(escaped) == text
    with pytest.raises(FrameError):
        unescape("50%2")


def test_limits() -> None:
    with pytest.raises(ValueError):
        encode_command(0, "HELLO")
    with pytest.raises(ValueError):
        encode_command(10000, "HELLO")
    with pytest.raises(ValueError):
        encode_command(1, "FLY")
    with pytest.raises(ValueError):
        encode_label(1, "ж" * 300, "1", 1, 1)
    assert next_seq(9999) == 1 and next_seq(41) == 42
    assert [format_mm(v) for v in (150, 12.25, 0.04, 7.5)] == ["150", "12.2", "0", "7.5"]


# -- device-side rules, with raw frames on the pseudo-terminal -------------------------------
def _exchange(port: serial.Serial, frame: bytes, wait: float = 0.3) -> list[Any]:
    port.write(frame)
    deadline = time.monotonic() + wait
    out = []
    while time.monotonic() < deadline:
        line = port.readline()
        if line:
            reply = parse_reply(line)
            if not reply.is_event:              # sensor events (TRAY_LOADED...) may come any time
                out.append(reply)
    return out


def test_busy_and_replay_with_raw_frames(make: Any) -> None:
    bench = make(label_seconds=1.0)
    bench.load(2)
    with serial.Serial(str(bench.workdir / "intake.tty"), 115200, timeout=0.05) as port:
        assert [(r.kind) for r in _exchange(port, encode_command(7, "HELLO"))] == ["ACK", "OK"]
        assert [r.kind for r in _exchange(port, encode_command(8, "FEED"))] == ["ACK", "OK"]
        label = encode_label(9, "№ 1", "0170001235-01", 20, 20)
        assert [r.kind for r in _exchange(port, label, 0.15)] == ["ACK"]         # working...
        status = _exchange(port, encode_command(10, "STATUS"), 0.15)
        assert status[-1].fields["state"] == "BUSY"                               # queries still answered
        busy = _exchange(port, encode_command(11, "PASS"), 0.15)
        assert [(r.kind, r.code) for r in busy] == [("ACK", ""), ("ERR", "BUSY")]
        again = _exchange(port, label, 1.2)                                       # retry while running
        assert [(r.seq, r.kind) for r in again] == [(9, "ACK"), (9, "OK")]
        replay = _exchange(port, label, 0.2)                                      # retry after done
        assert [(r.seq, r.kind) for r in replay] == [(9, "ACK"), (9, "OK")]
        assert replay[1].raw == again[1].raw
        assert [(r.kind) for r in _exchange(port, encode_command(11, "PASS"))] == ["ACK", "OK"]
        nak = _exchange(port, b"12 PASS*0000\r\n")
        assert [(r.seq, r.kind, r.code) for r in nak] == [(12, "NAK", "BAD_CRC")]
        unknown = _exchange(port, b"13 FLY*" + b"%04X" % crc16_ccitt_false(b"13 FLY") + b"\r\n")
        assert [(r.kind, r.code) for r in unknown] == [("ACK", ""), ("ERR", "UNKNOWN_COMMAND")]
    assert len(bench.paper.scanner_input[0].labels) == 1
    assert [c for _s, c in bench.sim.executed] == ["FEED", "LABEL", "PASS"]
