"""The README's first command, as CI can run it: the whole appliance on simulated hardware with
no display; a scripted resident hands in an appeal; the paths printed at the end exist and are
not empty (the appliance issue, must-show 2)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(900)
def test_demo_runs_the_whole_appliance(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    out = subprocess.run([sys.executable, str(ROOT / "packaging" / "dev" / "demo.py"), "--dir", str(tmp_path / "demo"), "--exit"],
                         cwd=ROOT, capture_output=True, text=True, env=env, timeout=880)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    text = out.stdout
    for step in ("accepted; receipt printed", "registered by the EDMS as", "SMS to the resident: 'Надано відповідь",
                 "the resident prints the answer"):
        assert step in text, text
    where = text.split("Where to look:")[1]
    paths = {m.group(1).strip(): Path(m.group(2)) for m in re.finditer(r"^  (.+?)\s{2,}(/\S+)", where, flags=re.M)}
    for name in ("kiosk screens", "the resident's walk", "receipts (PNG + text)", "printed forms/answers", "imported by the EDMS", "SMS log", "terminal store"):
        p = paths[name]
        assert p.exists(), name
        assert (p.stat().st_size > 0) if p.is_file() else any(p.iterdir()), f"{name}: {p} is empty"
    assert paths["EDMS drop folder"].is_dir()
    assert len(list(paths["kiosk screens"].glob("*.png"))) >= 10
    urls = re.findall(r"https?://127\.0\.0\.1:\d+/", where)
    assert len(urls) >= 2                           # the city server and the test bench
