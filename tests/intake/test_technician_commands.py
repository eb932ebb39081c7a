"""The technician's commands against the simulator, and the devices issue's must-show 4 as a
tester does it: a sheet put in with ``hardware-sim feed``, labelled by the intake mechanism,
comes back through SANE (``scanimage`` and python-sane) with its label readable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import zxingcpp
from PIL import Image

from devices import intake_mechanism
from tests.intake.simproc import ROOT, SHEETS, Sim


def run(sim: Sim, store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk_app.cli", *args, "--sim", str(sim.dir), "--store", str(store)],
                          capture_output=True, text=True, cwd=ROOT, env=sim.env(store), timeout=180)


def hardware_sim(sim: Sim, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hardware_sim.cli", *args, "--dir", str(sim.dir)],
                          capture_output=True, text=True, cwd=ROOT, timeout=60, check=True)


def label_sheets(sim: Sim, payloads: list[str]) -> None:
    endpoint = json.loads((sim.dir / "endpoints.json").read_text())["devices"]["intake"]
    mech = intake_mechanism.from_config({"port": endpoint["link"]})
    try:
        mech.return_sheets()
        for payload in payloads:
            mech.feed()
            mech.label(f"№ {payload}", payload, 150, 8)
            mech.pass_to_scanner()
    finally:
        mech.close()


def test_hardware_sim_feed_then_scanimage_and_python_sane(sim: Sim, tmp_path: Path) -> None:
    sim.clear()
    hardware_sim(sim, "feed", str(SHEETS / "appeal-page1.png"), str(SHEETS / "appeal-page2.png"))
    label_sheets(sim, ["0170001234-01", "0170001234-02"])
    conf = tmp_path / "sane.d"
    conf.mkdir()
    (conf / "dll.conf").write_text("net\n")
    (conf / "net.conf").write_text("127.0.0.1\n")
    device = json.loads((sim.dir / "endpoints.json").read_text())["devices"]["scanner"]["device"]
    out = subprocess.run(["scanimage", "-d", device, "--source", "ADF", "--mode", "Gray", "--resolution", "300",
                          "--format=png", f"--batch={tmp_path}/scan-%d.png", "--batch-count=1"],
                         env={**os.environ, "SANE_CONFIG_DIR": str(conf)}, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    [page] = sorted(tmp_path.glob("scan-*.png"))
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(page))] == ["0170001234-01"]
    # The second sheet through the production python-sane driver (kioskctl test-scan); then the
    # batch ends cleanly: the feeder is empty.
    scanned = run(sim, tmp_path / "store", "test-scan")
    assert scanned.returncode == 0, scanned.stderr
    pages = json.loads(scanned.stdout)["pages"]
    assert [p["labels"] for p in pages] == [["0170001234-02"]]
    assert pages[0]["width"] == 2480 and pages[0]["height"] == 3508
    empty = json.loads(run(sim, tmp_path / "store", "test-scan").stdout)
    assert empty["ok"] is False and empty["error"]["code"] == "feeder_empty"


def test_devices_test_print_and_modem_check(sim: Sim, tmp_path: Path) -> None:
    sim.clear()
    store = tmp_path / "store"
    status = run(sim, store, "devices", "--json")
    assert status.returncode == 0, status.stdout + status.stderr
    devices = json.loads(status.stdout)
    assert set(devices) == {"receipt_printer", "form_printer", "scanner", "intake", "barcode_reader", "speech"}
    assert devices["speech"]["state"] == "ready" and devices["speech"]["consumables"]["uk_voice"] == "zle/uk"
    assert all(d["state"] in ("ready", "warning") for d in devices.values()), devices
    assert "staples_left" in devices["intake"]["consumables"]
    # A fault shows in the technician's view, with its state and detail.
    sim.fault("receipt_printer", "cover_open")
    faulty = run(sim, store, "devices", "--json")
    assert faulty.returncode == 1
    assert json.loads(faulty.stdout)["receipt_printer"]["state"] == "fault"
    assert json.loads(faulty.stdout)["receipt_printer"]["detail"] == "cover_open"
    sim.clear("receipt_printer")
    before = len(sim.receipts())
    printed = run(sim, store, "test-print", "--form")
    assert printed.returncode == 0, printed.stdout + printed.stderr
    assert len(sim.receipts()) == before + 1
    modem = run(sim, store, "modem-check")
    assert modem.returncode == 0, modem.stdout + modem.stderr
    check = json.loads(modem.stdout)
    assert check["ok"] and check["sim"] and check["operator"] and isinstance(check["signal_dbm"], int)
    sim.fault("modem", "no_sim")
    failing = run(sim, store, "modem-check")
    assert failing.returncode == 1 and json.loads(failing.stdout)["ok"] is False
