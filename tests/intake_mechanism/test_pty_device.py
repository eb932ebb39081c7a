"""hardware_sim.pty_device: the pseudo-terminal base shared by the serial simulators."""

from __future__ import annotations

import time
from pathlib import Path

import serial

from hardware_sim.pty_device import PtyDevice


def _wait(pred: object, timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not pred() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.01)


def test_frames_symlink_raw_mode_and_close(tmp_path: Path) -> None:
    frames: list[bytes] = []
    dev = PtyDevice(tmp_path, "thing", lambda f: (frames.append(f), dev.write(b"got " + f + b"\r\n")))
    dev.open()
    assert dev.endpoint() == {"transport": "serial", "path": dev.path, "link": str(tmp_path / "thing.tty")}
    assert (tmp_path / "thing.tty").resolve() == Path(dev.path)
    with serial.Serial(str(dev.link), 115200, timeout=1) as port:
        port.write("№1\r\nB\nC\r".encode())
        assert [port.readline() for _ in range(3)] == ["got №1\r\n".encode(), b"got B\r\n", b"got C\r\n"]
    assert frames == ["№1".encode(), b"B", b"C"]                     # no echo, no CR/LF mangling
    with serial.Serial(str(dev.link), 115200, timeout=1) as port:   # the port survives a re-open
        port.write(b"D\r\n")
        assert port.readline() == b"got D\r\n"
    dev.close()
    assert not (tmp_path / "thing.tty").exists() and not dev.is_open


def test_terminators_can_change_from_the_callback(tmp_path: Path) -> None:
    frames: list[bytes] = []

    def on_frame(frame: bytes) -> None:
        frames.append(frame)
        if frame.startswith(b"AT+CMGS"):
            dev.terminators = b"\x1a"          # the SMS text runs to Ctrl-Z
        elif frame.endswith(b"\x1a"):
            dev.terminators = b"\r"

    dev = PtyDevice(tmp_path, "modem", on_frame, terminators=b"\r", keep_terminator=True)
    dev.open()
    try:
        with serial.Serial(str(dev.link), 115200, timeout=1) as port:
            port.write(b'AT+CMGS="+380"\rline one\rline two\x1aAT\r')
            _wait(lambda: len(frames) >= 3)
    finally:
        dev.close()
    assert frames == [b'AT+CMGS="+380"\r', b"line one\rline two\x1a", b"AT\r"]
