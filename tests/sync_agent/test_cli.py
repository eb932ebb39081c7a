"""The `sync-agent` command as a process: help with examples, docs complete, status --json,
drain with its progress bar, run --once, the daemon with systemd notify/watchdog and SIGTERM,
and a bad setting named in one line."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from kiosk_app.core.store import Store
from sync_agent.cli import COMMANDS, build_parser
from sync_agent.config import schema
from sync_agent.migrations import ALL
from tests.support.appeals import AppealMaker
from tests.sync_agent.sa_fixtures import MARKER, TERMINAL

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "sync-agent.md").read_text(encoding="utf-8")


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "SYNC_AGENT_CONFIG": str(tmp / "none.toml"),
            "SYNC_AGENT_STORE_DIR": str(tmp / "store"), "SYNC_AGENT_TERMINAL_CODE": str(TERMINAL),
            "SYNC_AGENT_DROP_DIR": str(tmp / "drop"), "SYNC_AGENT_SMS_ENABLED": "false", **extra}


def _agent(tmp: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sync_agent.cli", *args], env=_env(tmp, **extra), cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def _queue(tmp: Path, n: int) -> list[str]:
    (tmp / "drop").mkdir(exist_ok=True)
    (tmp / "drop" / MARKER).touch()
    store = Store(tmp / "store", terminal=TERMINAL, migrations=ALL)
    maker = AppealMaker(store, pdf_size=(3_000, 6_000))
    docs = [maker.make() for _ in range(n)]
    store.close()
    return docs


def test_every_command_has_an_example_and_is_documented() -> None:
    parser = build_parser()
    assert "Example:" in parser.format_help()
    sub = next(a for a in parser._actions if a.dest == "command")
    for c in COMMANDS:
        text = sub.choices[c.name].format_help()                      # type: ignore[union-attr]
        assert "Example: sync-agent" in text, c.name
        assert f"`{c.name}`" in DOC, f"{c.name} missing from docs/sync-agent.md"
    assert {c.name for c in COMMANDS} >= {"run", "status", "drain", "redeliver"}
    for s in schema():
        assert f"`{s.key}`" in DOC, f"setting {s.key} missing from docs/sync-agent.md"


def test_status_drain_run_once(tmp_path: Path) -> None:
    docs = _queue(tmp_path, 12)
    st = json.loads(_agent(tmp_path, "status", "--json").stdout)
    assert st["queue_depth"] == 12 and st["outbox"]["pending"] == 12
    assert st["oldest_undelivered"]["number"] == docs[0]
    out = _agent(tmp_path, "drain")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["delivered"] == 12
    assert "12/12 appeals" in out.stderr and "[####" in out.stderr              # the progress bar
    assert len([n for n in os.listdir(tmp_path / "drop") if n.endswith(".json")]) == 12
    once = _agent(tmp_path, "run", "--once")
    assert once.returncode == 0 and json.loads(once.stdout)["delivered"] == 0
    (tmp_path / "drop" / MARKER).unlink()                            # the share went away
    down = _agent(tmp_path, "status")
    assert down.returncode == 0                                      # nothing failed yet: no delivery tried
    redo = _agent(tmp_path, "redeliver", docs[0])
    assert redo.returncode == 1 and json.loads(redo.stdout)["fault"]["code"] == "missing_mount"
    st = _agent(tmp_path, "status", "--json")
    assert st.returncode == 1
    assert json.loads(st.stdout)["drop_folder"]["fault"]["code"] == "missing_mount"
    text = _agent(tmp_path, "status").stdout
    assert "Папку СЕД не змонтовано" in text and "ALERT" in text


def test_bad_setting_is_one_line(tmp_path: Path) -> None:
    cfg = tmp_path / "agent.toml"
    cfg.write_text('[drop]\nack_mode = "email"\n')
    out = _agent(tmp_path, "--config", str(cfg), "status")
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0
    assert "drop.ack_mode" in out.stderr and str(cfg) in out.stderr and "ack-file" in out.stderr


def test_daemon_notifies_systemd_and_stops_on_sigterm(tmp_path: Path) -> None:
    docs = _queue(tmp_path, 3)
    sock_path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(sock_path))
    sock.settimeout(20)
    proc = subprocess.Popen([sys.executable, "-m", "sync_agent.cli", "run"], cwd=ROOT, text=True,
                            env=_env(tmp_path, NOTIFY_SOCKET=str(sock_path), WATCHDOG_USEC="400000",
                                     SYNC_AGENT_RUN_TICK="0.05"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    got: list[str] = []
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (any(m == "READY=1" for m in got) and
                                                   sum(m == "WATCHDOG=1" for m in got) >= 2):
            got.append(sock.recv(4096).decode())
        assert "READY=1" in got and got.count("WATCHDOG=1") >= 2
        assert any(m.startswith("STATUS=queue 3") for m in got)       # delivered, not yet imported
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
        sock.settimeout(0.5)
        try:
            while True:
                got.append(sock.recv(4096).decode())
        except TimeoutError:
            pass
        assert got[-1] == "STOPPING=1"
    finally:
        if proc.poll() is None:
            proc.kill()
        sock.close()
    assert proc.returncode == 0
    lines = [json.loads(ln) for ln in err.splitlines() if ln.strip()]
    assert any(ln["msg"] == "stopping" and ln.get("signal") == "SIGTERM" for ln in lines)
    assert lines[-1]["msg"] == "stopped"
    assert sorted(n for n in os.listdir(tmp_path / "drop") if n.endswith(".json")) == sorted(f"{d}.json" for d in docs)
