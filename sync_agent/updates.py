"""What the heartbeat says about the terminal's own software: the installed version of the package,
the newer one the city's repository offers (an update pending), and how the last unattended upgrade
ended.

Sources (docs/technicians.md "Updates"): ``dpkg-query`` for the installed version, ``apt-cache
policy`` for the candidate (from the lists ``apt-daily.timer`` fetched), and the log
unattended-upgrades writes, ``/var/log/unattended-upgrades/unattended-upgrades.log``: its last run
(from the last "Starting unattended upgrades script" line) ended "All upgrades installed"
(``installed``), found nothing to do (``nothing``), or logged an ERROR (``failed``, with the first
error's text). Every source may be missing (a development machine): the answer then says so.
"""

from __future__ import annotations

import logging
import re
import subprocess
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)
TAIL_BYTES = 256 * 1024  # the last run is near the end; the log is never read whole
LINE = re.compile(r"^(?P<at>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?:,\d+)? (?P<level>[A-Z]+) (?P<text>.*)$")
START = "Starting unattended upgrades script"
Runner = Callable[[Sequence[str]], str]


def _run(cmd: Sequence[str]) -> str:
    return subprocess.run(list(cmd), capture_output=True, text=True, timeout=20, check=True).stdout


def installed_version(package: str, run: Runner = _run) -> str:
    try:
        out = run(["dpkg-query", "-W", "-f", "${Status}\t${Version}", package])
    except (OSError, subprocess.SubprocessError):
        return ""
    status, _, version = out.partition("\t")
    return version.strip() if status.endswith(" installed") else ""


def candidate_version(package: str, run: Runner = _run) -> str:
    try:
        out = run(["apt-cache", "policy", package])
    except (OSError, subprocess.SubprocessError):
        return ""
    m = re.search(r"^\s*Candidate:\s*(\S+)", out, re.M)
    return "" if not m or m.group(1) == "(none)" else m.group(1)


def newer(candidate: str, installed: str, run: Runner = _run) -> bool:
    """dpkg's own order of versions (``dpkg --compare-versions``)."""
    if not candidate or not installed or candidate == installed:
        return False
    try:
        run(["dpkg", "--compare-versions", candidate, "gt", installed])
    except subprocess.CalledProcessError:
        return False
    except (OSError, subprocess.SubprocessError):
        return candidate != installed
    return True


def _local_iso(stamp: str) -> str:
    """unattended-upgrades logs the machine's local time without an offset: add it."""
    return datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").astimezone().astimezone(UTC).isoformat()


def last_update(log: Path) -> dict[str, Any]:
    """How the last unattended-upgrades run ended: {"result", "at", "detail", "packages"}."""
    try:
        with open(log, "rb") as fh:
            fh.seek(0, 2)
            fh.seek(max(0, fh.tell() - TAIL_BYTES))
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        return {"result": "unknown", "at": None, "detail": "no unattended-upgrades log", "packages": []}
    run: list[re.Match[str]] = []
    for line in text.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        if m.group("text").startswith(START):
            run = []
        run.append(m)
    if not run:
        return {"result": "unknown", "at": None, "detail": "no run in the log", "packages": []}
    packages: list[str] = []
    result, detail = "running", ""
    for m in run:
        text = m.group("text")
        if text.startswith("Packages that will be upgraded:"):
            packages = text.split(":", 1)[1].split()
        if m.group("level") in ("ERROR", "CRITICAL") and result != "failed":
            result, detail = "failed", text
        elif result != "failed" and text.startswith("All upgrades installed"):
            result = "installed"
        elif result != "failed" and text.startswith("No packages found that can be upgraded"):
            result = "nothing"
    return {"result": result, "at": _local_iso(run[-1].group("at")), "detail": detail[:400], "packages": packages[:20]}


def package_state(package: str, log: Path, run: Runner = _run) -> dict[str, Any]:
    installed = installed_version(package, run)
    candidate = candidate_version(package, run)
    return {"name": package, "installed": installed, "candidate": candidate,
            "pending": newer(candidate, installed, run), "last_update": last_update(log)}
