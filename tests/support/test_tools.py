"""A missing tool skips a test on a developer's machine and fails it under CI=true: checked on the
real gammu test with a PATH that lacks gammu, in a pytest of its own."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.tools import find_tool, require_tool

ROOT = Path(__file__).resolve().parents[2]


def outcome(tmp_path: Path, ci: str | None) -> dict[str, int]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PATH"] = str(tmp_path)                       # nothing on it: no gammu
    if ci is not None:
        env["CI"] = ci
    out = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--no-header",
                          "tests/modem/test_gammu.py"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120, check=False)
    counts = {word: int(n) for n, word in re.findall(r"(\d+) (passed|failed|skipped|errors?)", out.stdout)}
    assert counts, out.stdout + out.stderr
    return counts


def test_a_missing_tool_skips_on_a_developers_machine(tmp_path: Path) -> None:
    counts = outcome(tmp_path, None)
    assert counts.get("skipped", 0) >= 1 and "failed" not in counts and "error" not in counts, counts


def test_a_missing_tool_fails_under_ci(tmp_path: Path) -> None:
    counts = outcome(tmp_path, "true")
    assert counts.get("errors", counts.get("error", 0)) + counts.get("failed", 0) >= 1, counts
    assert "skipped" not in counts and "passed" not in counts, counts


def test_require_tool_finds_a_tool_on_path_or_at_a_full_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tool = tmp_path / "bin" / "frobnicate"
    tool.parent.mkdir()
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", str(tool.parent))
    assert require_tool("frobnicate", "frob") == str(tool)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_tool("frobnicate") is None
    assert find_tool("frobnicate", also=[str(tool)]) == str(tool)
