"""Must-show 2 of the intake issue: SIGKILL the intake at each step in turn, and at random
points over at least 200 runs, half of them steered into the build/commit window (PDF built,
files written, the commit's transaction); after EVERY kill and restart the invariants hold:

* a receipt was printed only for a committed appeal, and every committed appeal is in the outbox;
* no appeal is lost (every one the intake saw committed is still there) or half-written
  (every referenced file is whole: the store's full check passes);
* no number is issued twice (numbers are compared as sequences, not sets) and the issued ones
  run without a gap; an interrupted intake is listed with its sheets and its number is void;
* no orphan: a spool file nobody references is only what the killed run was writing (its PDF and
  metadata), and the restart's recovery leaves none; no row points at a missing file;
* every child ended as the test ended it: killed by SIGKILL, or (when it finished first) exit 0.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk_app.core.numbering import parse
from kiosk_app.core.store import Store
from tests.intake.simproc import ROOT, Sim

ZYGOTE = Path(__file__).with_name("intake_zygote.py")
WINDOW = ("build", "commit")          # the steps from "PDF being built" to "appeal committed"


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

    def wait_exit(self, pid: int, log: Path | None = None) -> int:
        """The child's raw wait status; a child that ended by itself must have exited 0."""
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().split()
        assert line[:2] == ["EXIT", str(pid)], line
        status = int(line[2])
        if not os.WIFSIGNALED(status):
            text = log.read_text() if log is not None else ""
            assert os.WEXITSTATUS(status) == 0, f"child {pid} failed: {text}"
            assert log is None or "FINISHED" in text, text
        return status

    def kill(self, pid: int, log: Path) -> bool:
        """SIGKILL the child; True when it was killed, False when it had finished first (exit 0)."""
        with contextlib.suppress(ProcessLookupError):      # it ended (and was reaped) first
            os.kill(pid, signal.SIGKILL)
        status = self.wait_exit(pid, log)
        if os.WIFSIGNALED(status):
            assert os.WTERMSIG(status) == signal.SIGKILL, f"child {pid} ended by signal {os.WTERMSIG(status)}"
            assert "ERROR" not in log.read_text(), log.read_text()
            return True
        return False

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)

    def lines(self, prefix: str, logs: list[Path] | None = None) -> list[list[str]]:
        out = []
        for log in logs if logs is not None else sorted(self.logs.glob("*.log")):
            out += [line.split()[1:] for line in log.read_text().splitlines() if line.startswith(prefix + " ")]
        return out


def wait_for(log: Path, text: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text():
            return
        time.sleep(0.02)
    raise AssertionError(f"{text!r} never appeared in {log}:\n{log.read_text()}")


def orphans(store: Store) -> list[str]:
    """Spool files no row references (before the restart's recovery removes them)."""
    referenced = {r["path"] for r in store.db.query("SELECT path FROM files")}
    return sorted(rel for rel in store.spool.all_files() if rel not in referenced)


def check_invariants(runner: Runner, receipts_before: int, last_log: Path | None = None) -> dict:
    """What the restarted terminal finds (it runs recovery as the kiosk does at start, here as
    long after the crash: unreferenced files are orphans at once)."""
    store = Store(runner.store, terminal=17)
    try:
        return _check(store, runner, receipts_before, last_log)
    finally:
        store.close()


def _check(store: Store, runner: Runner, receipts_before: int, last_log: Path | None) -> dict:
    if last_log is not None:
        run_issued = {i[0] for i in runner.lines("ISSUED", [last_log])}
        committed = {r["document_id"] for r in store.db.query("SELECT document_id FROM appeals")}
        for rel in orphans(store):
            kind = rel.split("/", 1)[0]
            if kind == "tmp":                                   # a PDF build or OCR run it interrupted
                continue
            assert kind in ("pdf", "metadata"), f"orphan {rel}: only the killed run's PDF and metadata may be"
            if kind == "metadata":
                doc = json.loads((runner.store / "spool" / rel).read_text(encoding="utf-8"))["document_id"]
                assert doc in run_issued or doc in committed, f"orphan {rel} of {doc}: not of the killed run " \
                    f"{run_issued}, nor an OCR rewrite of a committed appeal"
    report = store.recover(full=True, orphan_grace=0)
    assert report.problems == [], report.problems           # no row points at a missing or torn file
    referenced = {r["path"] for r in store.db.query("SELECT path FROM files WHERE purged_at IS NULL")}
    assert sorted(store.spool.all_files()) == sorted(referenced), "orphans left after recovery"
    appeals = {r["document_id"]: r for r in store.db.query("SELECT * FROM appeals")}
    outbox = [r["document_id"] for r in store.db.query("SELECT document_id FROM outbox")]
    assert sorted(outbox) == sorted(appeals)
    receipts = [r for r in runner.sim.receipts()[receipts_before:]]
    printed = [parse(r["barcodes"][0]).compact for r in receipts if r.get("barcodes")]
    assert len(printed) == len(set(printed)), "one number on two receipts"
    assert set(printed) <= set(appeals), f"receipt without a committed appeal: {set(printed) - set(appeals)}"
    confirmed = [c[0] for c in runner.lines("CONFIRMED")]
    assert len(confirmed) == len(set(confirmed)), "one number confirmed twice"
    assert set(confirmed) <= set(appeals), f"lost: {set(confirmed) - set(appeals)}"
    numbers = list(store.db.query("SELECT compact, seq, state, void_reason FROM numbers ORDER BY seq"))
    assert [n["seq"] for n in numbers] == list(range(1, len(numbers) + 1)), "numbers issued with a gap"
    issued = [i[0] for i in runner.lines("ISSUED")]
    assert len(issued) == len(set(issued)), "a number issued twice"
    order = {n["compact"]: n["seq"] for n in numbers}
    assert all(c in order for c in issued)
    assert [order[c] for c in issued] == sorted(order[c] for c in issued), "numbers issued out of order"
    states = {n["compact"]: n["state"] for n in numbers}
    assert all(s in ("used", "void") for s in states.values()), "a number left open after restart"
    assert sorted(c for c, s in states.items() if s == "used") == sorted(appeals)
    for row in store.db.query("SELECT number, state FROM intakes WHERE state IN ('interrupted', 'open')"):
        assert row["state"] == "interrupted" and states[row["number"]] == "void"
    return report.as_dict()


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
    assert runner.kill(pid, log)
    check_invariants(runner, receipts_before, log)
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
    runner.wait_exit(pid, log)
    assert "CONFIRMED" in log.read_text(), log.read_text()
    check_invariants(runner, receipts_before, log)


def step_at_kill(text: str) -> str:
    """Where the last intake of a run was when it died: its last progress step, or ``between``
    (no intake open: before the first, after a confirmation or a stop) or ``finished``."""
    for line in reversed(text.splitlines()):
        word = line.split(" ", 1)[0]
        if word == "FINISHED":
            return "finished"
        if word in ("CONFIRMED", "STOPPED", "RECOVERED"):
            return "between"
        if word == "PROGRESS":
            return line.split()[1]
        if word == "ISSUED":
            return "issued"
    return "starting"


def step_spans(text: str) -> dict[str, list[float]]:
    """Seconds each intake spent in ``build`` and in ``commit`` (to the next progress line)."""
    spans: dict[str, list[float]] = {"build": [], "commit": []}
    prev: tuple[str, float] | None = None
    for line in text.splitlines():
        parts = line.split()
        if parts[:1] == ["PROGRESS"]:
            if prev is not None and prev[0] in spans:
                spans[prev[0]].append(float(parts[3]) - prev[1])
            prev = (parts[1], float(parts[3]))
        elif parts[:1] in (["CONFIRMED"], ["STOPPED"]):
            prev = None
    return spans


def poll(log: Path, done: Callable[[str], bool], timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while True:
        text = log.read_text()
        if done(text) or "FINISHED" in text or "ERROR" in text or time.monotonic() > deadline:
            return text
        time.sleep(0.002)


@pytest.mark.timeout(900)
def test_two_hundred_random_kills(runner: Runner) -> None:
    """Every fourth kill is steered into the build/commit window of the run's first intake (alternately into ``build``,
    which writes the PDF and metadata to the spool, and into ``commit``, the transaction), at a
    uniformly random moment of that step as long as it lasted in the runs so far; the others
    fall after a random number of log lines, anywhere in the run."""
    rng = random.Random(int(os.environ.get("KILL_SEED", "4")))
    kills = int(os.environ.get("INTAKE_KILLS", "200"))
    receipts_before = len(runner.sim.receipts())
    spans: dict[str, list[float]] = {"build": [0.15], "commit": [0.02]}
    landed: dict[str, int] = {}
    killed = 0
    t0 = time.monotonic()
    for n in range(1, kills + 1):
        pid, log = runner.start(2)
        if n % 4 == 0:
            step = WINDOW[(n // 4) % 2]
            text = poll(log, lambda t, step=step: f"PROGRESS {step} " in t)
            starts = [float(line.split()[3]) for line in text.splitlines() if line.startswith(f"PROGRESS {step} ")]
            if starts:
                time.sleep(max(0.0, starts[0] + rng.uniform(0, statistics.median(spans[step])) - time.monotonic()))
        else:
            target = rng.randint(0, 14)
            poll(log, lambda t, target=target: t.count("\n") >= target)
            time.sleep(rng.uniform(0, 0.05))
        killed += runner.kill(pid, log)
        text = log.read_text()
        for step, seen in step_spans(text).items():
            spans[step] += seen
        where = step_at_kill(text)
        landed[where] = landed.get(where, 0) + 1
        check_invariants(runner, receipts_before, log)
    print(f"\n{kills} runs in {time.monotonic() - t0:.1f} s, {killed} killed; where the last intake was: "
          f"{dict(sorted(landed.items()))}; median build {statistics.median(spans['build']):.3f} s, "
          f"commit {statistics.median(spans['commit']):.3f} s")
    # The commit step lasts milliseconds: most kills aimed at it land just after it (receipt).
    assert landed.get("build", 0) >= 0.1 * kills, f"too few kills in the build step: {landed}"
    assert landed.get("build", 0) + landed.get("commit", 0) >= 0.15 * kills, f"too few in the window: {landed}"
    assert landed.get("commit", 0) >= 1, f"no kill in the commit step: {landed}"
    assert sum(landed.get(s, 0) for s in ("feed", "label", "scan", "verify")) >= 0.1 * kills, landed
    assert killed >= 0.9 * kills, f"only {killed} of {kills} runs were still running when killed"
    assert runner.lines("CONFIRMED"), "no intake ever completed between kills"
