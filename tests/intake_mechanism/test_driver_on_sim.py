"""The production driver against the simulator, over the pseudo-terminal: the sheet cycle,
idempotent retries, and what the technician sees for every fault."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import pytest
import zxingcpp

from devices.errors import BinFull, DeviceOffline, DoorOpen, FeederEmpty, PaperJam, StaplesOut
from devices.intake_mechanism import IntakeCommandError
from devices.state import DeviceState

TEXT = "№ 017-000123-5 · арк. {n}/{total}"


def label_sheets(bench: Any, total: int) -> None:
    for n in range(1, total + 1):
        bench.driver.feed()
        bench.driver.label(TEXT.format(n=n, total=total), f"0170001235-{n:02d}", 150, 10)
        bench.driver.pass_to_scanner()


def test_full_cycle_leaves_one_stapled_set_with_the_right_labels(bench: Any) -> None:
    bench.load(3)
    assert bench.driver.tray_count() == 3
    label_sheets(bench, 3)
    scans = bench.scan_all()
    result = bench.driver.staple_and_bin(staple=True)

    assert result == {"sheets": 3, "stapled": 1, "bin_sheets": 3, "bin_fill_percent": 0, "staples_left": 4999}
    contents = bench.paper.state()["bin"]["contents"]
    assert len(contents) == 1 and contents[0]["stapled"] is True
    sheets = contents[0]["sheets"]
    assert [s["source"] for s in sheets] == ["sheet1", "sheet2", "sheet3"]
    assert [s["labels"] for s in sheets] == [
        [{"text": f"№ 017-000123-5 · арк. {n}/3", "barcode": f"0170001235-0{n}", "x_mm": 150.0, "y_mm": 10.0}]
        for n in (1, 2, 3)
    ]
    # What a person checks: the label on the scanned page reads back as the right barcode.
    decoded = [[r.text for r in zxingcpp.read_barcodes(img)] for _sheet, img in scans]
    assert decoded == [["0170001235-01"], ["0170001235-02"], ["0170001235-03"]]
    st = bench.driver.status()
    assert st.state is DeviceState.READY
    assert st.consumables == {"staples_left": 4999, "bin_fill_percent": 0, "bin_sheets": 3, "bin_capacity": 500}
    assert bench.paper.staples_used == 1


def test_lost_label_reply_is_retried_with_same_seq_and_labels_once(
    bench: Any, caplog: pytest.LogCaptureFixture
) -> None:
    bench.load(1)
    bench.driver.feed()
    bench.sim.drop_replies("LABEL")
    with caplog.at_level(logging.DEBUG, logger="devices.wire.intake"):
        bench.driver.label("№ 017-000123-5 · арк. 1/1", "0170001235-01", 150, 10)
    sent = [r.args[0] for r in caplog.records if r.msg.startswith(">>>")]
    assert len(sent) >= 2 and len(set(sent)) == 1 and b" LABEL " in sent[0]    # same frame, same seq
    assert len(bench.paper.label_station.labels) == 1                           # printed ONCE
    assert [c for _s, c in bench.sim.executed].count("LABEL") == 1


def test_lost_ack_and_reply_to_staple_staples_once(bench: Any) -> None:
    bench.load(2)
    label_sheets(bench, 2)
    bench.scan_all()
    bench.sim.drop_replies("STAPLE_BIN", ack=True)
    assert bench.driver.staple_and_bin()["sheets"] == 2
    assert bench.paper.staples_used == 1
    assert len(bench.paper.bin) == 1
    assert bench.driver.status().consumables["staples_left"] == 4999


def test_corrupted_frame_gets_nak_and_is_resent(bench: Any) -> None:
    bench.load(1)
    bench.sim.corrupt_frames("FEED")
    bench.driver.feed()
    assert bench.paper.label_station is not None
    assert [c for _s, c in bench.sim.executed] == ["FEED"]


def _stacker_with(bench: Any, n: int) -> None:
    bench.load(n)
    label_sheets(bench, n)
    bench.scan_all()


@pytest.mark.parametrize(
    ("fault", "action", "error", "detail"),
    [
        ("jam", "feed", PaperJam, "jam"),
        ("door_open", "feed", DoorOpen, "door_open"),
        ("staples_out", "staple", StaplesOut, "staples_out"),
        ("bin_full", "staple", BinFull, "bin_full"),
    ],
)
def test_fault_surfaces_as_typed_error_and_technician_status(
    bench: Any, fault: str, action: str, error: type[Exception], detail: str
) -> None:
    _stacker_with(bench, 2)
    bench.load(1)
    bench.sim.inject(fault)
    with pytest.raises(error) as info:
        bench.driver.feed() if action == "feed" else bench.driver.staple_and_bin()
    assert info.value.device == "intake"
    st = bench.driver.status()
    assert st.state is DeviceState.FAULT and st.detail == detail
    assert st.last_error is not None and st.last_error["code"] == error.code
    assert len(bench.paper.bin) == 0                     # nothing moved into the bin
    bench.sim.clear(fault)
    bench.driver.feed() if action == "feed" else bench.driver.staple_and_bin()
    assert bench.driver.status().state is DeviceState.READY


def test_staples_out_still_bins_unstapled(bench: Any) -> None:
    _stacker_with(bench, 2)
    bench.sim.inject("staples_out")
    assert bench.driver.staple_and_bin(staple=False)["stapled"] == 0
    assert bench.paper.bin[0]["stapled"] is False and len(bench.paper.bin[0]["sheets"]) == 2


def test_offline_device_raises_and_status_says_offline(bench: Any) -> None:
    bench.driver.hello()
    bench.load(1)
    bench.sim.inject("offline")
    started = time.monotonic()
    with pytest.raises(DeviceOffline):
        bench.driver.feed()
    assert time.monotonic() - started < 3.0             # 3 attempts x 0.25 s ack timeout, no hang
    st = bench.driver.status()
    assert st.state is DeviceState.OFFLINE and st.detail == "offline"
    assert bench.paper.label_station is None
    bench.sim.clear("offline")
    bench.driver.feed()                                  # re-HELLO and carry on
    assert bench.paper.label_station is not None


def test_missing_port_is_device_not_found(tmp_path: Any) -> None:
    from devices.errors import DeviceNotFound
    from devices.intake_mechanism import from_config

    drv = from_config({"connection": "serial", "port": str(tmp_path / "nothing.tty")})
    with pytest.raises(DeviceNotFound):
        drv.feed()
    assert drv.status().state is DeviceState.OFFLINE


def test_bin_capacity_warning_full_and_emptied(make: Callable[..., Any]) -> None:
    bench = make(bin_capacity=4)
    _stacker_with(bench, 2)
    bench.driver.staple_and_bin()
    _stacker_with(bench, 2)
    assert bench.driver.staple_and_bin()["bin_fill_percent"] == 100
    st = bench.driver.status()
    assert (st.state, st.detail) == (DeviceState.FAULT, "bin_full")
    _stacker_with(bench, 1)
    with pytest.raises(BinFull):
        bench.driver.staple_and_bin()
    assert bench.driver.bin_emptied() == {"sheets": 4, "sets": 2}
    assert bench.paper.bin == []
    assert bench.driver.status().consumables["bin_sheets"] == 0
    assert bench.driver.staple_and_bin()["bin_sheets"] == 1


def test_nearly_full_bin_is_a_warning(make: Callable[..., Any]) -> None:
    bench = make(bin_capacity=10, nearly_full_percent=50)
    for _ in range(3):
        _stacker_with(bench, 2)
        bench.driver.staple_and_bin()
    st = bench.driver.status()
    assert (st.state, st.detail, st.consumables["bin_fill_percent"]) == (DeviceState.WARNING, "bin_nearly_full", 60)
    assert st.ready


def test_misuse_is_refused_with_stable_codes(bench: Any) -> None:
    with pytest.raises(FeederEmpty):
        bench.driver.feed()
    with pytest.raises(IntakeCommandError) as info:
        bench.driver.label("x", "0170001235-01", 10, 10)
    assert info.value.code == "no_sheet"
    with pytest.raises(IntakeCommandError) as info:
        bench.driver.label("x", "кирилиця", 10, 10)           # Code128 carries ASCII only
    assert info.value.code == "bad_args"
    with pytest.raises(IntakeCommandError) as info:
        bench.driver.label("ж" * 300, "0170001235-01", 10, 10)   # would not fit in a frame
    assert info.value.code == "bad_args"
    bench.load(2)
    bench.driver.feed()
    with pytest.raises(IntakeCommandError) as info:
        bench.driver.feed()
    assert info.value.code == "sheet_present"
    with pytest.raises(IntakeCommandError) as info:
        bench.driver.staple_and_bin()
    assert info.value.code == "no_sheet"


def test_return_gives_back_every_sheet_in_the_machine(bench: Any) -> None:
    bench.load(3)
    label_sheets(bench, 2)
    bench.paper.scan_next()
    bench.driver.feed()
    assert bench.driver.return_sheets() == 3
    assert [s.source for s in bench.paper.returned] == ["sheet3", "sheet2", "sheet1"]
    assert bench.paper.state()["stacker"] == [] and bench.paper.label_station is None


def test_events_reach_the_driver(bench: Any) -> None:
    bench.driver.hello()
    bench.sim.inject("door_open")
    time.sleep(0.2)
    bench.sim.clear("door_open")
    time.sleep(0.2)
    events = [e["event"] for e in bench.driver.poll_events(0.1)]
    assert events == ["DOOR_OPEN", "DOOR_CLOSED"]
