"""End to end: the production driver (python-sane) and ``scanimage`` scan the virtual paper
through SANE's own net backend, talking to SanedSim on 127.0.0.1:6566 inside a private network
namespace (so the fixed saned port collides with nothing). One subprocess runs every scenario
(netns_run.py); the tests below check what it brought back, including the scanned pictures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image

from tests.support.tools import missing, require_tool

HERE = Path(__file__).resolve().parent
LABEL_CODE = "0170001235-01"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    if os.geteuid() != 0:
        missing("needs root for unshare --net")
    for tool, package in (("unshare", "util-linux"), ("ip", "iproute2"), ("scanimage", "sane-utils")):
        require_tool(tool, package)
    out = tmp_path_factory.mktemp("netns-scan")
    proc = subprocess.run(["unshare", "--net", sys.executable, str(HERE / "netns_run.py"), str(out)],
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-4000:]
    results = json.loads((out / "results.json").read_text())
    return results, out


def result(run: tuple[dict[str, Any], Path], name: str) -> dict[str, Any]:
    r = run[0][name]
    assert "crash" not in r, r.get("crash")
    return r


def codes(path: Path) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(path))]


def test_a_labelled_sheet_comes_back_through_python_sane(run: tuple[dict[str, Any], Path]) -> None:
    r = result(run, "label_by_driver")
    assert (r["pages"], r["error"], r["modes"]) == (1, None, ["L"])
    assert r["sizes"] == [[2480, 3508]]                       # A4 at 300 dpi
    assert codes(run[1] / "driver-label-1.png") == [LABEL_CODE]


def test_a_labelled_sheet_comes_back_through_scanimage(run: tuple[dict[str, Any], Path]) -> None:
    r = result(run, "scanimage_label")
    assert r["rc"] == 0, r["stderr"]
    assert "net:127.0.0.1:sim-adf" in r["list"]
    assert r["files"] == ["scanimage-1.png", "scanimage-2.png"]
    assert "Batch terminated, 2 pages scanned" in r["stderr"]
    img = Image.open(run[1] / "scanimage-1.png")
    assert (img.mode, img.size) == ("L", (2480, 3508))
    assert codes(run[1] / "scanimage-1.png") == [LABEL_CODE]
    assert codes(run[1] / "scanimage-2.png") == ["0170001235-02"]


def test_three_sheets_come_back_in_order_and_the_batch_ends_cleanly(run: tuple[dict[str, Any], Path]) -> None:
    r = result(run, "batch3")
    assert (r["pages"], r["error"]) == (3, None)
    assert [codes(run[1] / f"driver-batch-{i}.png") for i in (1, 2, 3)] == [
        ["0170001235-01"], ["0170001235-02"], ["0170001235-03"]]
    assert r["feeder_left"] == 0 and len(r["stacker"]) == 3
    assert r["status_before"]["state"] == "ready"
    assert r["status_before"]["consumables"] == {"paper_in_feeder": True}
    assert r["status_after"]["consumables"] == {"paper_in_feeder": False}


def test_without_a_device_name_the_first_scanner_with_a_feeder_is_used(run: tuple[dict[str, Any], Path]) -> None:
    r = result(run, "first_with_feeder")
    assert [d["name"] for d in r["devices"]] == ["net:127.0.0.1:sim-adf"]
    assert (r["pages"], r["error"], r["codes"]) == (1, None, [[LABEL_CODE]])


def test_duplex_gives_front_and_back_of_each_sheet(run: tuple[dict[str, Any], Path]) -> None:
    r = result(run, "duplex")
    assert (r["pages"], r["error"]) == (4, None)
    assert r["codes"] == [["0170001235-01"], [], ["0170001235-02"], []]   # backs are blank


def test_an_empty_feeder_is_feeder_empty(run: tuple[dict[str, Any], Path]) -> None:
    r = result(run, "feeder_empty")
    assert (r["pages"], r["error"]) == (0, "FeederEmpty")
    assert r["status"]["last_error"]["code"] == "feeder_empty"


@pytest.mark.parametrize(("fault", "error", "state"), [
    ("jam", "PaperJam", "ready"),             # SANE has no jam sensor: status cannot see it before a scan
    ("double_feed", "DoubleFeed", "fault"),
    ("cover_open", "CoverOpen", "fault"),
])
def test_a_fault_at_the_first_sheet_is_its_typed_error(run: tuple[dict[str, Any], Path], fault: str,
                                                       error: str, state: str) -> None:
    r = result(run, fault)
    assert (r["pages"], r["error"]) == (0, error)
    assert r["status"]["state"] == state
    if state == "fault":
        assert r["status"]["detail"] == fault
    assert r["feeder_left"] == 1                                 # the sheet did not go through
    assert r["after_clear"] == {"pages": 1, "error": None, "codes": [[LABEL_CODE]]}


@pytest.mark.parametrize("when", ["jam_on_sheet2_start", "jam_on_sheet2_mid_page"])
def test_a_jam_on_sheet_2_leaves_page_1_with_the_caller(run: tuple[dict[str, Any], Path], when: str) -> None:
    r = result(run, when)
    assert (r["pages"], r["error"]) == (1, "PaperJam")
    assert r["codes"] == [["0170001235-01"]]
    assert r["last_error"]["code"] == "jam" and "sheet 2" in r["last_error"]["message"]
    # at START the sheet stays in the feeder; mid-page it was already pulled in
    assert r["feeder_left"] == (2 if when.endswith("start") else 1)


def test_unplugged_mid_batch(run: tuple[dict[str, Any], Path]) -> None:
    r = result(run, "unplugged")
    assert (r["pages"], r["error"], r["codes"]) == (1, "Unplugged", [["0170001235-01"]])
    assert r["devices_while_gone"] == []
    assert r["status"]["state"] == "offline"
    assert r["status_after_clear"]["state"] == "ready"
    assert r["after_clear"] == {"pages": 2, "error": None, "codes": [["0170001235-02"], ["0170001235-03"]]}


def test_offline_scanner_is_not_found_quickly_and_comes_back(run: tuple[dict[str, Any], Path]) -> None:
    r = result(run, "offline")
    assert (r["pages"], r["error"]) == (0, "DeviceNotFound")
    assert r["error_seconds"] < 5
    assert r["status"]["state"] == "offline"
    assert r["status_after_clear"]["state"] == "ready"
    assert r["after_clear"] == {"pages": 1, "error": None}


def test_scanimage_reports_a_jam(run: tuple[dict[str, Any], Path]) -> None:
    r = result(run, "scanimage_jam")
    assert r["rc"] != 0
    assert "Document feeder jammed" in r["stderr"]
