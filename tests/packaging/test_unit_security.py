"""Must-show 1 of the fleet issue, the sandbox half: ``systemd-analyze security --offline=yes`` on
each unit as the package installs it. Each service scores at most 2.0, the kiosk session (cage,
the screen and the devices it owns) at most 4.5. The scores are printed (pytest -s shows them)
and listed in docs/technicians.md."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

UNITS = Path(__file__).resolve().parents[2] / "packaging" / "systemd"
LIMITS = {"appeal-city-server.service": 2.0, "appeal-sync-agent.service": 2.0, "appeal-kiosk.service": 4.5}


def score(unit: Path) -> tuple[float, str]:
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze is missing (Debian: systemd; packaging/dev/debian-packages.txt)")
    out = subprocess.run(["systemd-analyze", "security", "--offline=yes", "--no-pager", str(unit)],
                         text=True, capture_output=True, timeout=60)
    m = re.search(r"Overall exposure level for \S+: (\d+\.\d+) (\w+)", out.stdout)
    assert m, out.stdout[-2000:] + out.stderr[-2000:]
    return float(m[1]), out.stdout


def test_each_unit_is_sandboxed() -> None:
    scores = {}
    for name, limit in LIMITS.items():
        value, report = score(UNITS / name)
        scores[name] = value
        print(f"{name}: {value:.1f} (limit {limit})")
        assert value <= limit, f"{name} scores {value}:\n{report}"
    docs = (UNITS.parents[1] / "docs" / "technicians.md").read_text(encoding="utf-8")
    for name, value in scores.items():
        assert f"| `{name}` | {value:.1f} |" in docs, f"docs/technicians.md does not list {name} at {value:.1f}"


def test_the_score_sees_a_missing_sandbox(tmp_path: Path) -> None:
    """The measure can fail: the server unit without its sandbox lines scores as exposed as before."""
    text = (UNITS / "appeal-city-server.service").read_text()
    bare = "\n".join(line for line in text.splitlines()
                     if not line.startswith(("Protect", "Private", "Restrict", "SystemCall", "Capability",
                                             "Lock", "Memory", "RemoveIPC", "Ambient", "UMask", "ReadWrite")))
    (tmp_path / "appeal-city-server.service").write_text(bare + "\n")
    assert score(tmp_path / "appeal-city-server.service")[0] > 5.0
