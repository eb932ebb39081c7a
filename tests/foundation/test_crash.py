"""SIGKILL a writer in the middle of a spool write and of a store transaction; the restarted
store must be consistent: no half file referenced, no row pointing at a missing or corrupt file,
every appeal the writer saw committed still there, no number used twice."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk_app.core.store import Store

WRITER = Path(__file__).with_name("crash_writer.py")
ROOT = Path(__file__).resolve().parents[2]


def start(store_dir: Path, count: int, faultpoint: str | None = None) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("KIOSK_FAULTPOINT", None)
    if faultpoint:
        env["KIOSK_FAULTPOINT"] = faultpoint
    return subprocess.Popen([sys.executable, str(WRITER), str(store_dir), str(count)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def wait_for_faultpoint(proc: subprocess.Popen[str], name: str) -> None:
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if line.startswith(f"FAULTPOINT {name}"):
            return
        if not line and proc.poll() is not None:
            break
    raise AssertionError(f"writer never reached {name}")


def kill(proc: subprocess.Popen[str]) -> list[str]:
    proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate()
    return [line.split()[1] for line in out.splitlines() if line.startswith("COMMITTED ")]


def assert_consistent(store_dir: Path, committed: set[str]) -> dict:
    store = Store(store_dir, terminal=7)
    try:
        report = store.recover(full=True, orphan_grace=0)   # as a start long after the crash
        assert report.problems == []
        assert store.check(full=True) == []
        assert list((store_dir / "spool" / "tmp").glob("*.part")) == []
        rows = {r["document_id"] for r in store.db.query("SELECT document_id FROM appeals")}
        assert committed <= rows, f"lost: {committed - rows}"
        outbox = {r["document_id"] for r in store.db.query("SELECT document_id FROM outbox")}
        assert outbox == rows
        used = [r["compact"] for r in store.db.query("SELECT compact FROM numbers WHERE state='used'")]
        assert sorted(used) == sorted(rows)
        issued = list(store.db.query("SELECT compact FROM numbers WHERE state='issued'"))
        assert issued == []
        return report.as_dict()
    finally:
        store.close()


@pytest.mark.parametrize("point", ["spool.mid_write", "store.before_commit"])
def test_kill_at_faultpoint(tmp_path: Path, point: str) -> None:
    committed: set[str] = set()
    first = start(tmp_path, 2)
    first.wait(timeout=60)
    assert first.stdout is not None
    committed |= {line.split()[1] for line in first.stdout.read().splitlines() if line.startswith("COMMITTED")}
    assert len(committed) == 2
    proc = start(tmp_path, 5, faultpoint=point)
    wait_for_faultpoint(proc, point)
    committed |= set(kill(proc))
    report = assert_consistent(tmp_path, committed)
    if point == "spool.mid_write":
        assert report["partial_files_removed"] == 1
    else:
        # The killed transaction left no appeal row; its number is void, its files unreferenced.
        assert len(report["voided_numbers"]) == 1
        assert report["orphan_files_removed"]


def test_random_kills(tmp_path: Path) -> None:
    """Kill at a random moment after a random number of commits (timing relative to the
    writer's own progress, so a loaded machine changes nothing)."""
    rng = random.Random(int(os.environ.get("CRASH_SEED", "20261128")))
    committed: set[str] = set()
    for _ in range(12):
        proc = start(tmp_path, 50)
        assert proc.stdout is not None
        seen: list[str] = []
        for _ in range(rng.randint(0, 2)):
            line = proc.stdout.readline()
            if line.startswith("COMMITTED "):
                seen.append(line.split()[1])
        time.sleep(rng.uniform(0.0, 0.3))
        committed |= set(seen) | set(kill(proc))
        assert_consistent(tmp_path, committed)
    assert committed, "the writer never committed anything between kills"


def test_fresh_unreferenced_files_are_left_for_their_writer(tmp_path: Path) -> None:
    """Another process (the sync agent) may have just written a file whose row is not committed
    yet: recovery at the kiosk's start must not take it for an orphan."""
    store = Store(tmp_path, terminal=7)
    try:
        ref = store.spool.write(b"an answer being stored", kind="answer", suffix=".pdf")
        assert store.recover().orphan_files_removed == []
        assert store.spool.path_of(ref).exists()
        assert store.recover(orphan_grace=0).orphan_files_removed == [ref.path]
    finally:
        store.close()
