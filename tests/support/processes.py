"""Programs the tests start as real processes: wait for the line that says where they listen,
and stop them (SIGTERM, then SIGKILL if they linger)."""

from __future__ import annotations

import re
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


def stop(proc: subprocess.Popen[str] | subprocess.Popen[bytes], timeout: float = 10) -> int:
    """SIGTERM, wait up to ``timeout`` seconds, then SIGKILL; the exit status."""
    proc.terminate()
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()
