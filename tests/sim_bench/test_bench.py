"""The `hardware-sim` bench as a real process: CLI, control API, the test-bench page."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import serial

from hardware_sim.base import FAULTS
from hardware_sim.paper import blank_page
from tests.support.chromium import chromium, screenshot

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".venv" / "bin" / "hardware-sim"
CLI = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "hardware_sim.cli"]


def run(*args: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args, "--dir", str(workdir)], capture_output=True, text=True, timeout=60,
                          cwd=ROOT)


class Bench:
    def __init__(self, workdir: Path, proc: subprocess.Popen[str]) -> None:
        self.workdir = workdir
        self.proc = proc
        self.endpoints = json.loads((workdir / "endpoints.json").read_text())
        self.url = self.endpoints["control"]["url"]

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=10) as r:
            return json.loads(r.read())

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        req = urllib.request.Request(self.url + path.lstrip("/"), data=json.dumps(body).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    workdir = tmp_path_factory.mktemp("bench")
    proc = subprocess.Popen(
        [*CLI, "start", "--foreground", "--dir", str(workdir), "--control-port", "0", "--receipt-port", "0",
         "--ipp-port", "0", "--saned-port", "0", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    deadline = time.monotonic() + 30
    while not (workdir / "endpoints.json").exists() or "url\": \"http" not in (workdir / "endpoints.json").read_text():
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert time.monotonic() < deadline, "bench did not start"
        time.sleep(0.1)
    b = Bench(workdir, proc)
    yield b
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert not (workdir / "endpoints.json").exists()         # a clean stop removes it


def test_start_prints_the_endpoints_and_every_device_runs(bench: Bench) -> None:
    assert bench.proc.stdout is not None
    devices = bench.endpoints["devices"]
    assert set(devices) == set(FAULTS)
    for name, d in devices.items():
        assert d["available"], f"{name}: {d.get('reason')}"
    assert Path(devices["modem"]["link"]) == bench.workdir / "modem.tty"
    assert os.path.realpath(devices["modem"]["link"]) == devices["modem"]["path"]
    assert bench.get("/api/endpoints")["devices"]["modem"]["path"] == devices["modem"]["path"]


def test_fault_and_clear_through_the_cli(bench: Bench) -> None:
    r = run("fault", "receipt_printer", "paper_out", workdir=bench.workdir)
    assert r.returncode == 0, r.stderr
    assert bench.get("/api/state")["devices"]["receipt_printer"]["faults"] == ["paper_out"]
    r = run("clear", "receipt_printer", workdir=bench.workdir)
    assert r.returncode == 0
    assert bench.get("/api/state")["devices"]["receipt_printer"]["faults"] == []


def test_unknown_device_or_fault_is_one_clear_line_and_exit_2(bench: Bench) -> None:
    r = run("fault", "toaster", "burnt", workdir=bench.workdir)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        "hardware-sim: unknown device 'toaster'; choose one of: " + ", ".join(FAULTS)]
    r = run("fault", "modem", "burnt", workdir=bench.workdir)
    assert r.returncode == 2 and "no_sim, pin_locked, no_network, weak_signal, sms_rejected, offline" in r.stderr
    status, body = bench.post("/api/fault", {"device": "modem", "fault": "burnt"})
    assert status == 400 and body["error"]["code"] == "unknown_fault"


def test_fault_through_the_api_reaches_the_device(bench: Bench) -> None:
    status, body = bench.post("/api/fault", {"device": "modem", "fault": "no_sim"})
    assert status == 200 and body["faults"] == ["no_sim"] and body["sim"] == "none"
    with serial.Serial(bench.endpoints["devices"]["modem"]["link"], timeout=1) as port:
        port.write(b"ATE0;+CMEE=1\r")
        port.read_until(b"OK\r\n")
        port.write(b"AT+CPIN?\r")
        assert port.read_until(b"\r\n+CME ERROR: 10\r\n").endswith(b"+CME ERROR: 10\r\n")
    status, body = bench.post("/api/clear", {"device": "modem", "fault": "no_sim"})
    assert status == 200 and body["faults"] == []


def test_feed_sheets_cli_and_api(bench: Bench, tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.png"
    blank_page(["Прошу відремонтувати ліфт"]).save(sheet, dpi=(300, 300))
    before = len(bench.get("/api/state")["paper"]["tray"])
    r = run("feed", str(sheet), workdir=bench.workdir)
    assert r.returncode == 0, r.stderr
    status, body = bench.post("/api/feed", {"blank": 2})
    assert status == 200 and len(body["sheets"]) == 2
    tray = bench.get("/api/state")["paper"]["tray"]
    assert len(tray) == before + 3
    assert tray[before]["source"] == str(sheet)
    r = run("feed", str(tmp_path / "missing.png"), workdir=bench.workdir)
    assert r.returncode == 2 and "no such file" in r.stderr


def test_sms_log_bin_and_barcode(bench: Bench) -> None:
    with serial.Serial(bench.endpoints["devices"]["modem"]["link"], timeout=1) as port:
        port.write(b'ATE0;+CMGF=1;+CMGS="+380501112233"\r')
        assert port.read_until(b"> ").endswith(b"> ")
        port.write(b"Bench SMS\x1a")
        assert b"+CMGS:" in port.read_until(b"OK\r\n")
    r = run("sms", "--json", workdir=bench.workdir)
    assert r.returncode == 0
    assert json.loads(r.stdout)[-1]["text"] == "Bench SMS"
    assert bench.get("/api/bin")["sets"] == 0
    with serial.Serial(bench.endpoints["devices"]["barcode_reader"]["link"], timeout=2) as reader:
        r = run("scan-barcode", "0170001235-01", workdir=bench.workdir)
        assert r.returncode == 0, r.stderr
        assert reader.read_until(b"\r") == b"0170001235-01\r"
    status, body = bench.post("/api/bin/empty", {})
    assert status == 200 and body == {"emptied_sets": 0, "emptied_sheets": 0}


def test_page_and_form_posts(bench: Bench) -> None:
    with urllib.request.urlopen(bench.url, timeout=10) as r:
        html = r.read().decode()
    assert "Випробувальний стенд" in html and "GSM-модем" in html and "немає SIM-картки" in html
    body = b"device=scanner&fault=jam"
    req = urllib.request.Request(bench.url + "api/fault", data=body, method="POST",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(req, timeout=10)
    assert redirect.value.code == 303 and redirect.value.headers["Location"].startswith("/?msg=")
    assert bench.get("/api/state")["devices"]["scanner"]["faults"] == ["jam"]
    bench.post("/api/clear", {"device": "scanner"})
    # the page's upload form: multipart/form-data with an image file
    import io

    png = io.BytesIO()
    blank_page(["Завантажений аркуш"]).save(png, format="PNG", dpi=(300, 300))
    boundary = "----bench-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"upload.png\"\r\n"
            f"Content-Type: image/png\r\n\r\n").encode() + png.getvalue() + f"\r\n--{boundary}--\r\n".encode()
    req = urllib.request.Request(bench.url + "api/feed", data=body, method="POST",
                                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with pytest.raises(urllib.error.HTTPError) as fed:
        opener.open(req, timeout=10)
    assert fed.value.code == 303
    tray = bench.get("/api/state")["paper"]["tray"]
    assert tray[-1]["source"].endswith("-upload.png") and Path(tray[-1]["source"]).is_file()
    with pytest.raises(urllib.error.HTTPError) as outside:
        urllib.request.urlopen(bench.url + "files/..%2F..%2Fetc%2Fpasswd", timeout=10)
    assert outside.value.code == 404


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@pytest.mark.browser
def test_page_in_headless_chromium(bench: Bench, tmp_path: Path) -> None:
    chromium()  # before the fault: a missing browser leaves the bench as it was
    bench.post("/api/fault", {"device": "modem", "fault": "weak_signal"})
    shot = screenshot(bench.url, tmp_path / "bench.png", (1280, 1600), tmp_path / "profile")
    bench.post("/api/clear", {"device": "modem"})
    from PIL import Image

    img = Image.open(shot).convert("RGB")
    assert img.size == (1280, 1600)
    # the header band is the page's blue (#0b4f8a), and the fault button shows red (#c62828)
    assert img.getpixel((5, 5)) == (11, 79, 138)
    reds = sum(1 for x in range(0, 1280, 4) for y in range(100, 800, 4) if img.getpixel((x, y)) == (198, 40, 40))
    assert reds > 20
    if os.environ.get("KEEP_SCREENSHOT"):
        shutil.copy(shot, os.environ["KEEP_SCREENSHOT"])


def test_every_command_has_an_example_in_its_help() -> None:
    from hardware_sim.cli import COMMANDS

    for name in COMMANDS:
        r = subprocess.run([*CLI, name, "--help"], capture_output=True, text=True, timeout=30, cwd=ROOT)
        assert r.returncode == 0 and f"example:\n  hardware-sim {name}" in r.stdout


def test_client_without_a_bench_says_how_to_start_one(tmp_path: Path) -> None:
    r = run("status", workdir=tmp_path)
    assert r.returncode == 1
    assert r.stderr.strip() == f"hardware-sim: no bench running in {tmp_path} (no endpoints.json); " \
                               f"start one with: hardware-sim start --dir {tmp_path}"


def test_driver_sms_through_the_bench_shows_in_the_cli(bench: Bench) -> None:
    from devices.modem import from_config

    modem = from_config({"port": bench.endpoints["devices"]["modem"]["link"], "command_timeout": 1,
                         "delivery_timeout": 2})
    text = "Відповідь на звернення № 017-000123-5 готова. Роздрукуйте її в терміналі за номером квитанції."
    try:
        assert modem.send_sms("+380671234567", text).delivered == [True, True]
    finally:
        modem.close()
    r = run("sms", "--json", workdir=bench.workdir)
    last = json.loads(r.stdout)[-1]
    assert (last["text"], last["parts"], last["encoding"]) == (text, 2, "ucs2")


def test_background_start_control_url_and_stop(tmp_path: Path) -> None:
    r = run("start", "--control-port", "0", "--receipt-port", "0", "--ipp-port", "0", "--saned-port", "0",
            "--json", workdir=tmp_path)
    assert r.returncode == 0, r.stderr
    ep = json.loads(r.stdout[: r.stdout.rindex("}") + 1])
    pid = ep["pid"]
    try:
        again = run("start", "--control-port", "0", workdir=tmp_path)
        assert again.returncode == 1 and "already running" in again.stderr
        st = subprocess.run([*CLI, "status", "--json", "--control", ep["control"]["url"]], capture_output=True,
                            text=True, timeout=30, cwd=ROOT)
        assert st.returncode == 0 and json.loads(st.stdout)["devices"]["modem"]["available"]
        stop = run("stop", workdir=tmp_path)
        assert stop.returncode == 0, stop.stderr
        assert not (tmp_path / "endpoints.json").exists()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and Path(f"/proc/{pid}").exists() and \
                "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]:
            time.sleep(0.1)
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
    finally:
        if Path(f"/proc/{pid}").exists():
            os.kill(pid, signal.SIGKILL)


def test_the_control_client_reads_the_bench_and_types_its_errors(bench: Bench, tmp_path: Path) -> None:
    from hardware_sim.control_client import BenchNotFound, BenchUnreachable, ControlClient, ControlError

    client = ControlClient.for_bench(bench.workdir)
    assert client.url == bench.url
    assert client.get("/api/state")["devices"]["modem"]["available"] is True
    with pytest.raises(ControlError) as err:
        client.post("/api/fault", {"device": "modem", "fault": "burnt"})
    assert (err.value.status, err.value.code) == (400, "unknown_fault") and "no_sim" in str(err.value)
    with pytest.raises(BenchNotFound, match=r"no endpoints\.json"):
        ControlClient.for_bench(tmp_path)
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    with pytest.raises(BenchUnreachable, match="does not answer"):
        ControlClient(f"http://127.0.0.1:{port}/", timeout=2).get("/api/state")
