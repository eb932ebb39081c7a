"""A running ``hardware-sim`` process for tests, driven through its control API, as a tester would.

The scanner listens on 6566 (SANE's net backend knows no other port), so a lock file keeps two
test sessions on this machine from starting it at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hardware_sim.control_client import ControlClient
from tests.support.processes import stop

ROOT = Path(__file__).resolve().parents[2]
SHEETS = ROOT / "examples" / "sheets"
LOCK = Path("/tmp/appeal-terminal-saned-6566.lock")
DEVICES = ("receipt_printer", "form_printer", "scanner", "intake", "modem", "barcode_reader")


class Sim:
    def __init__(self, workdir: Path, proc: subprocess.Popen[bytes]) -> None:
        self.dir = workdir
        self.proc = proc
        self.control = ControlClient.for_bench(workdir, timeout=20)
        self.url = self.control.url.rstrip("/")

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.control.call(method, path, body)

    def feed(self, *files: str | Path) -> None:
        self.call("POST", "/api/feed", {"files": [str(Path(f).resolve()) for f in files]})

    def fault(self, device: str, fault: str) -> None:
        self.call("POST", "/api/fault", {"device": device, "fault": fault})

    def clear(self, device: str | None = None) -> None:
        for d in [device] if device else DEVICES:
            self.call("POST", "/api/clear", {"device": d})

    def state(self) -> dict[str, Any]:
        return self.call("GET", "/api/state")

    def receipts(self) -> list[dict[str, Any]]:
        return self.call("GET", "/api/receipts")

    def env(self, store: Path) -> dict[str, str]:
        from kiosk_app.core.config import sim_overrides

        return {**os.environ, **sim_overrides(self.dir), "KIOSK_STORE_DIR": str(store), "KIOSK_TERMINAL_CODE": "17"}


def _control_ready(path: Path) -> bool:
    """endpoints.json is written once the devices listen, and again with the control API's address."""
    try:
        return bool(json.loads(path.read_text(encoding="utf-8")).get("control", {}).get("url"))
    except (OSError, ValueError):
        return False


@contextlib.contextmanager
def running_sim(workdir: Path) -> Iterator[Sim]:
    LOCK.touch(exist_ok=True)
    with open(LOCK) as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        proc = subprocess.Popen(
            [sys.executable, "-m", "hardware_sim.cli", "start", "--dir", str(workdir), "--foreground",
             "--control-port", "0", "--receipt-port", "0", "--ipp-port", "0"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while not _control_ready(workdir / "endpoints.json"):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"hardware-sim did not start: see {workdir}/hardware-sim.log")
                time.sleep(0.1)
            yield Sim(workdir, proc)
        finally:
            stop(proc)
