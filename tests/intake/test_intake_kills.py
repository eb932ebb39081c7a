"""Must-show 2 of the intake issue: SIGKILL the intake at each step in turn, and at random
points over at least 200 runs; after every restart the invariants hold:

* a receipt was printed only for a committed appeal, and every committed appeal is in the outbox;
* no appeal is lost (every one the intake saw committed is still there) or half-written
  (every referenced file is whole: the store's full check passes);
* no number is reused; an interrupted intake is listed with its sheets and its number is void.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk_app.core.numbering import parse
from kiosk_app.core.store import Store
from tests.intake.simproc import ROOT, Sim

ZYGOTE = Path(__file__).with_name("intake_zygote.py")


class Runner:
    def __init__(self, sim: Sim, base: Path) -> None:
        self.sim = sim
        self.store = base / "store"
        self.logs = base / "logs"
        self.logs.mkdir(parents=True)
        self.proc = subprocess.Popen([sys.executable, str(ZYGOTE), str(sim.dir)], cwd=ROOT, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=sim.env(self.store) | {"PYTHONPATH": str(ROOT)})
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "READY"
        self.runs = 0

    def start(self, count: int, killpoint: str = "-") -> tuple[int, Path]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.runs += 1
        log = self.logs / f"run-{self.runs:04d}.log"
        log.touch()
        self.proc.stdin.write(f"RUN {self.store} {log} {count} {killpoint}\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline().split()
        assert line[0] == "CHILD", line
        return int(line[1]), log

    def wait_exit(self, pid: int) -> None:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().split()
        assert line[:2] == ["EXIT", str(pid)], line

    def kill(self, pid: int) -> None:
        os.kill(pid, signal.SIGKILL)
        self.wait_exit(pid)

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)

    def lines(self, prefix: str) -> list[list[str]]:
        out = []
        for log in sorted(self.logs.glob("*.log")):
            out += [line.split()[1:] for line in log.read_text().splitlines() if line.startswith(prefix + " ")]
        return out


def wait_for(log: Path, text: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text():
            return
        time.sleep(0.02)
    raise AssertionError(f"{text!r} never appeared in {log}:\n{log.read_text()}")


def check_invariants(runner: Runner, receipts_before: int) -> dict:
    """What the restarted terminal finds (it runs recovery as the kiosk does at start)."""
    store = Store(runner.store, terminal=17)
    try:
        report = store.recover(full=True)
        assert report.problems == [], report.problems
        appeals = {r["document_id"]: r for r in store.db.query("SELECT * FROM appeals")}
        outbox = {r["document_id"] for r in store.db.query("SELECT document_id FROM outbox")}
        assert set(appeals) == outbox
        receipts = [r for r in runner.sim.receipts()[receipts_before:]]
        printed = [parse(r["barcodes"][0]).compact for r in receipts if r.get("barcodes")]
        assert len(printed) == len(set(printed)), "one number on two receipts"
        assert set(printed) <= set(appeals), f"receipt without a committed appeal: {set(printed) - set(appeals)}"
        confirmed = {c[0] for c in runner.lines("CONFIRMED")}
        assert confirmed <= set(appeals), f"lost: {confirmed - set(appeals)}"
        numbers = list(store.db.query("SELECT compact, state, void_reason FROM numbers"))
        assert len({n["compact"] for n in numbers}) == len(numbers)
        issued = {i[0] for i in runner.lines("ISSUED")}
        states = {n["compact"]: n["state"] for n in numbers}
        assert issued <= set(states)
        assert all(states[c] in ("used", "void") for c in issued), "a number left open after restart"
        assert {c for c, s in states.items() if s == "used"} == set(appeals)
        for row in store.db.query("SELECT number, state FROM intakes WHERE state IN ('interrupted', 'open')"):
            assert row["state"] == "interrupted" and states[row["number"]] == "void"
        return report.as_dict()
    finally:
        store.close()


@pytest.fixture
def runner(sim: Sim, tmp_path: Path) -> Iterator[Runner]:
    sim.clear()
    r = Runner(sim, tmp_path)
    yield r
    r.close()


STEPS_BEFORE_COMMIT = ["step:feed", "step:label", "step:scan", "step:verify", "step:build", "spool.mid_write",
                       "step:commit", "store.before_commit"]


@pytest.mark.parametrize("point", [*STEPS_BEFORE_COMMIT, "step:receipt", "step:archive", "step:done"])
def test_kill_at_each_step(runner: Runner, point: str) -> None:
    receipts_before = len(runner.sim.receipts())
    pid, log = runner.start(1, point)
    wait_for(log, f"AT {point}" if point.startswith("step:") else f"FAULTPOINT {point}")
    runner.kill(pid)
    check_invariants(runner, receipts_before)
    number = runner.lines("ISSUED")[-1][0]
    store = Store(runner.store, terminal=17)
    try:
        appeal = store.appeal(number)
        row = store.number_state(number)
        intakes = list(store.db.query("SELECT state, detail_json FROM intakes WHERE number=?", [number]))
        if point in STEPS_BEFORE_COMMIT:
            assert appeal is None and row["state"] == "void" and "interrupted" in row["void_reason"]
            assert [i["state"] for i in intakes] == ["interrupted"]
        else:
            assert appeal is not None and row["state"] == "used"
            printed = [r for r in runner.sim.receipts()[receipts_before:] if r.get("barcodes") == [number]]
            assert len(printed) == (0 if point == "step:receipt" else 1)
            archived = {e["document_id"] for e in store.db.query("SELECT document_id FROM box_entries")}
            assert (number in archived) == (point == "step:done")
    finally:
        store.close()
    # And the terminal goes on working after the restart.
    pid, log = runner.start(1)
    runner.wait_exit(pid)
    assert "CONFIRMED" in log.read_text(), log.read_text()
    check_invariants(runner, receipts_before)


@pytest.mark.timeout(900)
def test_two_hundred_random_kills(runner: Runner) -> None:
    rng = random.Random(int(os.environ.get("KILL_SEED", "4")))
    kills = int(os.environ.get("INTAKE_KILLS", "200"))
    receipts_before = len(runner.sim.receipts())
    for n in range(1, kills + 1):
        pid, log = runner.start(2)
        # Kill after a random number of log lines (one intake writes about 12), then a random short while.
        target = rng.randint(0, 14)
        deadline = time.monotonic() + 60
        while log.read_text().count("\n") < target and "FINISHED" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0, 0.05))
        runner.kill(pid)
        if n % 25 == 0:
            check_invariants(runner, receipts_before)
    check_invariants(runner, receipts_before)
    assert runner.lines("CONFIRMED"), "no intake ever completed between kills"
    assert sum(1 for _ in runner.lines("ISSUED")) > len(runner.lines("CONFIRMED")), "no kill ever landed mid-intake"
