"""Programs the tests start as real processes: wait for the line that says where they listen,
and stop them (SIGTERM, then SIGKILL if they linger)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path


def read_until(proc: subprocess.Popen[str], pattern: str, timeout: float, log: Path | None = None) -> re.Match[str]:
    """Read ``proc``'s stdout line by line until one matches ``pattern``; raise with the end of
    ``log`` when the process exits first, or when ``timeout`` seconds pass."""
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:] if log else ""
            raise RuntimeError(f"{proc.args[:4]} exited with {proc.returncode} before saying {pattern!r}:\n{tail}")
        if m := re.search(pattern, line.strip()):
            return m
    proc.kill()
    raise RuntimeError(f"{proc.args[:4]} did not say {pattern!r} within {timeout:.0f} s")


def stop(proc: subprocess.Popen[str] | subprocess.Popen[bytes], timeout: float = 10, *,
         sig: signal.Signals = signal.SIGTERM, group: bool = False) -> int:
    """``sig`` (SIGTERM), wait up to ``timeout`` seconds, then SIGKILL; the exit status. ``group``:
    signal the process group the process leads (started with ``start_new_session=True``)."""

    def send(s: signal.Signals) -> None:
        if group:
            os.killpg(proc.pid, s)
        else:
            proc.send_signal(s)

    send(sig)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        send(signal.SIGKILL)
        return proc.wait()
