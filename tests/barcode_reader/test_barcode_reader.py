"""The production barcode-reader driver against the simulated reader on a pseudo-terminal."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.barcode_reader import SETTINGS, BarcodeReader, from_config
from devices.state import DeviceState
from hardware_sim.barcode_reader import BarcodeReaderSim


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[BarcodeReaderSim]:
    s = BarcodeReaderSim(tmp_path)
    s.start()
    yield s
    s.stop()


@pytest.fixture
def reader(sim: BarcodeReaderSim) -> Iterator[BarcodeReader]:
    r = from_config({"connection": "serial", "port": str(sim.workdir / "barcode_reader.tty")})
    r.open()
    yield r
    r.close()


def test_endpoint_and_symlink(sim: BarcodeReaderSim) -> None:
    ep = sim.endpoint()
    assert ep["transport"] == "serial" and ep["link"] == str(sim.workdir / "barcode_reader.tty")
    assert Path(ep["link"]).resolve() == Path(ep["path"])


@pytest.mark.parametrize("terminator", ["CR", "LF", "CRLF"])
def test_codes_arrive_whole_and_in_order(sim: BarcodeReaderSim, reader: BarcodeReader, terminator: str) -> None:
    codes = ["0170001235-01", "0170001235-02", "017000124X-01"]
    for code in codes:
        sim.scan(code, terminator=terminator)
    assert [reader.read(timeout=1) for _ in codes] == codes
    assert reader.read(timeout=0.1) is None                     # the LF of a CRLF is not a code


def test_mixed_terminators_and_split_writes(sim: BarcodeReaderSim, reader: BarcodeReader) -> None:
    sim.send_raw(b"0170001")
    assert reader.read(timeout=0.1) is None                     # half a code is not a code
    sim.send_raw(b"235-01\r\n0170001235-02\n\n0170")
    sim.send_raw(b"001235-03\r")
    assert [reader.read(timeout=1) for _ in range(3)] == ["0170001235-01", "0170001235-02", "0170001235-03"]


def test_prefix_and_suffix_are_stripped(tmp_path: Path) -> None:
    sim = BarcodeReaderSim(tmp_path, terminator="CRLF", prefix="]C0", suffix="\t")
    sim.start()
    try:
        r = BarcodeReader(str(tmp_path / "barcode_reader.tty"), prefix="]C0", suffix="\t")
        r.open()
        sim.scan("0170001235-01")
        assert r.read(timeout=1) == "0170001235-01"
        r.close()
    finally:
        sim.stop()


def test_offline_reader_loses_scans(sim: BarcodeReaderSim, reader: BarcodeReader) -> None:
    sim.inject("offline")
    assert sim.scan("0170001235-01") is False
    assert reader.read(timeout=0.2) is None
    sim.clear("offline")
    sim.scan("0170001235-02")
    assert reader.read(timeout=1) == "0170001235-02"


def test_iterator_yields_until_closed(sim: BarcodeReaderSim, reader: BarcodeReader) -> None:
    got: list[str] = []
    t = threading.Thread(target=lambda: got.extend(reader))
    t.start()
    for n in range(1, 4):
        sim.scan(f"0170001235-0{n}")
    deadline = time.monotonic() + 2
    while len(got) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    reader.close()
    t.join(timeout=2)
    assert not t.is_alive()
    assert got == ["0170001235-01", "0170001235-02", "0170001235-03"]


def test_status(sim: BarcodeReaderSim, reader: BarcodeReader, tmp_path: Path) -> None:
    assert reader.status().state is DeviceState.READY
    missing = BarcodeReader(str(tmp_path / "nope.tty"))
    st = missing.status()
    assert st.state is DeviceState.OFFLINE and st.last_error is not None


def test_settings_are_documented() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "devices" / "barcode-reader.md").read_text(encoding="utf-8")
    for s in SETTINGS:
        assert f"`{s['key']}`" in doc, s["key"]
