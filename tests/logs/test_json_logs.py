"""Every log line of every process is one JSON object (journald and the technician's tools read
them): each program runs briefly as a real process, doing some work that logs, and every line it
writes on stderr must parse as JSON with the common fields ``t``, ``level``, ``logger``, ``msg``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from hardware_sim.control_client import ControlClient, ControlError
from tests.support.processes import read_until, stop

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
FIELDS = {"t", "level", "logger", "msg"}


def json_lines(stderr: str, program: str) -> list[dict[str, Any]]:
    """Each non-empty line of ``stderr`` as a JSON object; fails naming the first line that is not."""
    records = []
    for n, line in enumerate(stderr.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError:
            pytest.fail(f"{program}: stderr line {n} is not JSON: {line[:300]!r}", pytrace=False)
        assert isinstance(rec, dict) and set(rec) >= FIELDS, f"{program}: line {n} lacks {FIELDS}: {line[:300]}"
        records.append(rec)
    assert records, f"{program} wrote no log line, so nothing was checked"
    return records


def test_the_rule_itself_refuses_a_text_line_and_a_repr_message() -> None:
    good = '{"t": "2026-01-01T00:00:00", "level": "INFO", "logger": "x", "msg": "ok"}'
    assert json_lines(good + "\n\n", "p")[0]["msg"] == "ok"
    for bad in ("2026-01-01 00:00:00 INFO x: text", '{"t":"2026","level":"INFO","logger":"x","msg":\'repr\'}',
                '{"level": "INFO"}', ""):
        with pytest.raises((pytest.fail.Exception, AssertionError)):
            json_lines(good + "\n" + bad, "p") if bad else json_lines(bad, "p")


def test_kioskctl_logs_json(tmp_path: Path) -> None:
    env = {**os.environ, "KIOSK_STORE_DIR": str(tmp_path / "store"), "KIOSK_DEVICES_SCANNER_NET_TIMEOUT_S": "1"}
    out = subprocess.run([PY, "-m", "kiosk_app.cli", "-v", "devices"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120, check=False)
    records = json_lines(out.stderr, "kioskctl")
    assert any(r["msg"] == "applied migration core:001_initial" for r in records)
    assert any(r["logger"].startswith("devices.") for r in records)


def test_sync_agent_logs_json(tmp_path: Path) -> None:
    env = {**os.environ, "SYNC_AGENT_STORE_DIR": str(tmp_path / "store"), "SYNC_AGENT_DROP_DIR": str(tmp_path / "none")}
    with open(tmp_path / "stderr", "w") as err:
        proc = subprocess.Popen([PY, "-m", "sync_agent.cli", "-v", "run"], cwd=ROOT, env=env, stderr=err,
                                stdout=subprocess.DEVNULL, text=True)
    deadline = time.monotonic() + 30
    while "drop folder fault" not in (tmp_path / "stderr").read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0
    records = json_lines((tmp_path / "stderr").read_text(), "sync-agent")
    assert [r["msg"] for r in records if r["logger"] == "sync_agent"][-1] == "stopped"
    assert any(r["level"] == "WARNING" and "missing_mount" in r["msg"] for r in records)


def test_hardware_sim_logs_json(tmp_path: Path) -> None:
    workdir = tmp_path / "sim"
    with open(tmp_path / "stderr", "w") as err:
        proc = subprocess.Popen([PY, "-m", "hardware_sim.cli", "start", "--foreground", "--dir", str(workdir),
                                 "--control-port", "0", "--receipt-port", "0", "--ipp-port", "0", "--saned-port", "0",
                                 "--log-level", "debug"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                client = ControlClient.for_bench(workdir, timeout=10)
                client.get("/api/state")
                break
            except ControlError:
                assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "stderr").read_text()[-2000:]
                time.sleep(0.2)
        client.post("/api/feed", {"files": [], "blank": 1})
        client.post("/api/fault", {"device": "modem", "fault": "no_sim"})
    finally:
        stop(proc, 30)
    records = json_lines((tmp_path / "stderr").read_text(), "hardware-sim")
    assert any(r["logger"].startswith("hardware_sim") for r in records)


def test_city_server_logs_json(tmp_path: Path) -> None:
    import requests

    env = {**os.environ, "CITY_SERVER_LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1"}
    with open(tmp_path / "stderr", "w") as err:
        proc = subprocess.Popen([PY, "-m", "server_stub.cli", "run", "--port", "0", "--no-demo", "--db",
                                 f"sqlite:///{tmp_path / 'city.sqlite3'}", "--data-dir", str(tmp_path / "data")],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=err, text=True)
    try:
        url = read_until(proc, r"listening on (http://\S+?)/?$", 90, tmp_path / "stderr").group(1)
        assert requests.get(url + "/", timeout=20).status_code == 200
        assert requests.get(url + "/api/terminal/v1/answers/", timeout=20).status_code in (401, 404)
    finally:
        stop(proc, 30)
    records = json_lines((tmp_path / "stderr").read_text(), "city-server")
    assert any(r["logger"].startswith("server_stub") for r in records)


def test_the_kiosk_helper_process_logs_json(tmp_path: Path) -> None:
    """The kiosk's helper (``python -m kiosk_app.ui.host``) warns when the server credential is
    missing during an answer lookup (number and a well-formed receipt code: without a code nothing
    is asked); its stderr is the kiosk's."""
    code = (
        "import os\n"
        "from kiosk_app.core import access\n"
        "from kiosk_app.core.numbering import AppealNumber\n"
        "from kiosk_app.ui.host import HostedTerminal\n"
        f"env = {{**os.environ, 'KIOSK_STORE_DIR': {str(tmp_path / 'store')!r},\n"
        "       'KIOSK_SERVER_URL': 'http://127.0.0.1:9/', 'KIOSK_SERVER_TOKEN_FILE': '/nonexistent/token'}\n"
        "h = HostedTerminal(None, env)\n"
        "try:\n"
        "    h.call('lookup', AppealNumber(1, 5).compact, access.new_code())\n"
        "except LookupError:\n"
        "    pass\n"
        "h.call('close')\n"
        "h.proc.wait(30)\n"
    )
    out = subprocess.run([PY, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    records = json_lines(out.stderr, "kiosk helper")
    assert any(r["level"] == "WARNING" and "/nonexistent/token" in r["msg"] for r in records)
