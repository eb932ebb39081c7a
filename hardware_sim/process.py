"""A ``hardware-sim`` started as a real process and driven through its control API, for the UI
tests and benchmarks/ui.py. Standard library only.

SANE's net backend reaches saned only on port 6566, and other engineers' benches bind
127.0.0.1:6566. So each bench here listens on its own loopback address (127.a.b.c, all of
127/8 is loopback on Linux) and holds an fcntl lock named after that address for its life; the
scanner device is then ``net:127.a.b.c:sim-adf``."""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from hardware_sim.control_client import ControlClient

ROOT = Path(__file__).resolve().parents[1]
SHEETS = [ROOT / "examples" / "sheets" / "appeal-page1.png", ROOT / "examples" / "sheets" / "appeal-page2.png"]


_LIBC = ctypes.CDLL(None)       # loaded before any fork: the child only makes one system call


def _die_with_parent() -> None:
    """In the child: SIGTERM when the test process dies, so a crashed run leaves no bench behind."""
    with contextlib.suppress(AttributeError):
        _LIBC.prctl(1, signal.SIGTERM)     # PR_SET_PDEATHSIG


class SimBench:
    def __init__(self, workdir: Path) -> None:
        self.workdir = Path(workdir)
        self.proc: subprocess.Popen[bytes] | None = None
        self.lock: Any = None
        self.host = ""
        self.url = ""

    def start(self, timeout: float = 30) -> SimBench:
        self.workdir.mkdir(parents=True, exist_ok=True)
        for _ in range(50):
            host = f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}"
            lock = open(f"/tmp/appeal-terminal-saned-6566-{host}.lock", "w")  # noqa: SIM115 - held for the bench's life
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                lock.close()
                continue
            self.lock, self.host = lock, host
            break
        else:
            raise RuntimeError("no free loopback address for saned")
        log = open(self.workdir / "bench.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hardware_sim.cli", "start", "--foreground", "--dir", str(self.workdir),
             "--host", self.host, "--control-port", "0", "--receipt-port", "0", "--ipp-port", "0"],
            stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, preexec_fn=_die_with_parent)
        ep = self.workdir / "endpoints.json"
        deadline = time.monotonic() + timeout
        while not ep.exists() or '"url": "http' not in ep.read_text():
            if self.proc.poll() is not None:
                raise RuntimeError((self.workdir / "bench.log").read_text(errors="replace"))
            if time.monotonic() > deadline:
                raise RuntimeError("hardware-sim did not start")
            time.sleep(0.05)
        self.endpoints = json.loads(ep.read_text())
        self.url = self.endpoints["control"]["url"].rstrip("/")
        scanner = self.endpoints["devices"]["scanner"]
        if not scanner.get("available"):
            raise RuntimeError(f"simulated scanner not available: {scanner}")
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.lock is not None:
            self.lock.close()
            self.lock = None

    # -- control API -----------------------------------------------------------------------
    def call(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return ControlClient(self.url, timeout=10).call("POST" if body is not None else "GET", path, body)

    def feed(self, files: list[Path] | None = None, blank: int = 0) -> Any:
        return self.call("/api/feed", {"files": [str(Path(f).resolve()) for f in (files or [])], "blank": blank})

    def fault(self, device: str, fault: str, **kw: Any) -> Any:
        return self.call("/api/fault", {"device": device, "fault": fault, **kw})

    def clear(self, device: str, fault: str | None = None) -> Any:
        return self.call("/api/clear", {"device": device, **({"fault": fault} if fault else {})})

    def receipts(self) -> list[dict[str, Any]]:
        return self.call("/api/receipts")

    def jobs(self) -> list[dict[str, Any]]:
        return self.call("/api/jobs")

    def barcode(self, code: str) -> Any:
        return self.call("/api/barcode", {"code": code})

    def state(self) -> Any:
        return self.call("/api/state")
