"""Must-show 3 of the fleet issue: the kiosk's event loop frozen mid-intake under a systemd-like
watchdog; the kiosk is killed and started again, on its welcome screen, the intake recovered.

The harness does what systemd does for appeal-kiosk.service (Type=notify, WatchdogSec,
Restart=always): it binds a notification socket, starts the program with ``NOTIFY_SOCKET``,
``WATCHDOG_USEC`` and ``WATCHDOG_PID`` (set by a shell that then execs the program, as systemd sets
it for the process it forks), reads READY=1, STATUS= and WATCHDOG=1 datagrams, and when no ping
came for WatchdogSec sends SIGABRT (then SIGKILL) and starts the program again.

The real kiosk process (offscreen) runs against a hardware-sim bench; a scripted resident (the
demo's) walks through an appeal; ``KIOSK_FAULTPOINT=ui.sheets`` makes the UI thread hang as the
sheets screen shows, the scanned pages in an open intake. The restarted kiosk is the unit's
program alone (the resident has walked away)."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from hardware_sim.process import SimBench
from tests.support.processes import stop as stop_process

ROOT = Path(__file__).resolve().parents[2]
SHEETS = ROOT / "examples" / "sheets"
WATCHDOG_SEC = 8.0


@dataclass
class Notify:
    at: float
    pid: int
    fields: dict[str, str]


@dataclass
class SystemdLike:
    tmp: Path
    env: dict[str, str]
    watchdog_sec: float
    messages: list[Notify] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    proc: subprocess.Popen[bytes] | None = None

    def __post_init__(self) -> None:
        self.path = self.tmp / "notify.sock"
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(self.path))
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self.sock.settimeout(0.2)

    def start(self, argv: list[str], **extra: str) -> None:
        self.starts = getattr(self, "starts", 0) + 1
        log = open(self.tmp / f"run-{self.starts}.log", "wb")  # noqa: SIM115 - closed with the process
        env = {**self.env, **extra, "NOTIFY_SOCKET": str(self.path), "WATCHDOG_USEC": str(int(self.watchdog_sec * 1e6))}
        self.proc = subprocess.Popen(["sh", "-c", 'WATCHDOG_PID=$$; export WATCHDOG_PID; exec "$@"', "sh", *argv],
                                     env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)
        self.started = time.monotonic()
        self.last_ping: float | None = None
        self.events.append(f"start {self.proc.pid}")

    def log(self, n: int) -> str:
        return (self.tmp / f"run-{n}.log").read_text(errors="replace")

    def receive(self) -> None:
        try:
            data, anc, _flags, _addr = self.sock.recvmsg(4096, socket.CMSG_SPACE(12))
        except TimeoutError:
            return
        pid = 0
        for level, kind, payload in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = int.from_bytes(payload[:4], "little")
        fields = dict(line.split("=", 1) for line in data.decode().splitlines() if "=" in line)
        self.messages.append(Notify(time.monotonic(), pid, fields))
        if fields.get("WATCHDOG") == "1":
            self.last_ping = time.monotonic()
        if fields.get("READY") == "1":
            self.events.append("ready")
            self.last_ping = time.monotonic()

    def supervise(self, until: float, stop_when: object = None) -> None:
        """Run as the service manager until ``until`` (monotonic) or ``stop_when()``; a watchdog
        timeout kills the process (SIGABRT, then SIGKILL) and the caller restarts it."""
        assert self.proc is not None
        while time.monotonic() < until:
            self.receive()
            if callable(stop_when) and stop_when():
                return
            if self.proc.poll() is not None:
                self.events.append(f"exited {self.proc.returncode}")
                return
            if self.last_ping is not None and time.monotonic() - self.last_ping > self.watchdog_sec:
                self.events.append("watchdog timeout")
                stop_process(self.proc, 5, sig=signal.SIGABRT, group=True)
                self.events.append("killed")
                return
        raise AssertionError(f"timed out; events {self.events}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            stop_process(self.proc, 20, group=True)
        self.sock.close()

    def since(self, t: float) -> list[Notify]:
        return [m for m in self.messages if m.at >= t]


def bench_env(bench: SimBench, store: Path, **extra: str) -> dict[str, str]:
    """The kiosk's environment for this bench (as tests/ui does): the devices of the simulator."""
    from kiosk_app.core.config import sim_overrides

    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIOSK_", "NOTIFY_", "WATCHDOG_"))}
    env.update(sim_overrides(bench.workdir), KIOSK_STORE_DIR=str(store), KIOSK_INTAKE_OCR="false", **extra)
    return env


@pytest.fixture
def bench(tmp_path: Path):
    b = SimBench(tmp_path / "sim").start()
    yield b
    b.stop()


@pytest.mark.timeout(300)
def test_frozen_event_loop_is_restarted_on_welcome_with_the_intake_recovered(bench: SimBench, tmp_path: Path) -> None:
    store = tmp_path / "store"
    env = bench_env(bench, store, KIOSK_UI_SPEECH="false", QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    kiosk = [sys.executable, "-m", "kiosk_app.ui.main", "--config", str(tmp_path / "none.toml")]
    sd = SystemdLike(tmp_path, env, WATCHDOG_SEC)
    bench.feed([SHEETS / "appeal-page1.png", SHEETS / "appeal-page2.png"])
    try:
        # 1. a resident walks through an appeal; the UI thread hangs on the sheets screen
        sd.start([*kiosk, "--scripted-resident", str(tmp_path / "shots")], KIOSK_FAULTPOINT="ui.sheets")
        sd.supervise(time.monotonic() + 200)
        first = sd.messages[:]
        assert sd.events[-2:] == ["watchdog timeout", "killed"], (sd.events, sd.log(1)[-3000:])
        assert "FAULTPOINT ui.sheets" in sd.log(1)
        screens = [m.fields["STATUS"] for m in first if "STATUS" in m.fields]
        assert screens[-1] == "screen sheets" and "screen welcome" in screens and "screen tray" in screens, screens
        pings = [m for m in first if m.fields.get("WATCHDOG") == "1"]
        assert len(pings) >= 2 and all(m.pid != 0 for m in pings)           # the loop pinged while it ran
        assert "NUMBER" not in sd.log(1)                                    # no receipt: the intake was open
        with sqlite3.connect(store / "terminal.db") as db:
            assert [r[0] for r in db.execute("SELECT state FROM intakes")] == ["open"]

        # 2. systemd starts the unit's program again: welcome screen, pinging, intake recovered
        restarted = time.monotonic()
        sd.start(kiosk)
        sd.supervise(time.monotonic() + 120, stop_when=lambda: sum(
            m.fields.get("WATCHDOG") == "1" for m in sd.since(restarted)) >= 3)
        after = sd.since(restarted)
        assert after[0].fields.get("READY") == "1" and after[0].fields.get("STATUS") == "screen welcome", after[0]
        assert all(m.fields.get("STATUS", "screen welcome") == "screen welcome" for m in after)
        assert sd.proc is not None and sd.proc.poll() is None
        deadline = time.monotonic() + 60
        while True:
            with sqlite3.connect(store / "terminal.db") as db:
                intakes = list(db.execute("SELECT state, number FROM intakes"))
                numbers = dict(db.execute("SELECT compact, state FROM numbers"))
            if (intakes and intakes[0][0] == "interrupted") or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert [i[0] for i in intakes] == ["interrupted"], intakes
        assert numbers[intakes[0][1]] == "void"
    finally:
        sd.stop()


@pytest.mark.timeout(180)
def test_the_city_server_pings_while_its_workers_answer(tmp_path: Path) -> None:
    """``city-server run`` under the same harness: READY=1 once its workers answer, then a WATCHDOG=1 after
    each answered request to itself; stopped (SIGSTOP) workers stop the pings and the harness
    kills it, as systemd would."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CITY_SERVER_", "NOTIFY_", "WATCHDOG_"))}
    env["PYTHONPATH"] = str(ROOT)
    sd = SystemdLike(tmp_path, env, 6.0)
    sd.start([sys.executable, "-m", "server_stub.cli", "run", "--port", "0", "--no-demo", "--workers", "2",
              "--data-dir", str(tmp_path / "data")])
    try:
        sd.supervise(time.monotonic() + 120, stop_when=lambda: sum(m.fields.get("WATCHDOG") == "1" for m in sd.messages) >= 3)
        assert sd.messages[0].fields == {"READY": "1"}
        assert sd.proc is not None and sd.proc.poll() is None
        # the workers stop answering (the supervisor, which pings, keeps running). On a loaded machine
        # a worker may still be starting when the first ones answered: every child is frozen, and
        # again each half second, so a late one cannot keep the pings going
        def children() -> list[str]:
            assert sd.proc is not None
            return subprocess.run(["pgrep", "-P", str(sd.proc.pid)], capture_output=True, text=True).stdout.split()

        frozen: set[str] = set()
        last = [0.0]

        def freeze() -> bool:
            if time.monotonic() - last[0] >= 0.5:
                last[0] = time.monotonic()
                for pid in set(children()) - frozen:
                    os.kill(int(pid), signal.SIGSTOP)
                    frozen.add(pid)
            return False

        freeze()
        assert len(frozen) >= 2, frozen              # the two workers (and multiprocessing's helper)
        sd.supervise(time.monotonic() + 60, stop_when=freeze)
        assert sd.events[-2:] == ["watchdog timeout", "killed"], sd.events
    finally:
        sd.stop()


def replace(stamp: Path) -> None:
    """What dpkg does to each file of a package it upgrades: a new file renamed over the old one."""
    new = stamp.with_suffix(".dpkg-new")
    new.write_text("new version\n")
    new.rename(stamp)


@pytest.mark.timeout(300)
def test_an_installed_update_restarts_the_kiosk_only_on_the_welcome_screen(bench: SimBench, tmp_path: Path) -> None:
    store = tmp_path / "store"
    stamp = tmp_path / "installed-code"
    stamp.write_text("version N\n")
    env = bench_env(bench, store, KIOSK_UI_SPEECH="false", QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT),
                    KIOSK_CODE_STAMP_FILE=str(stamp), KIOSK_UPDATE_CHECK_MS="200")
    kiosk = [sys.executable, "-m", "kiosk_app.ui.main", "--config", str(tmp_path / "none.toml")]
    sd = SystemdLike(tmp_path, env, 60.0)
    bench.feed([SHEETS / "appeal-page1.png", SHEETS / "appeal-page2.png"])
    try:
        # 1. the update lands while a resident is in a session: the appeal goes on to its receipt
        sd.start([*kiosk, "--scripted-resident", str(tmp_path / "shots")])
        sd.supervise(time.monotonic() + 120, stop_when=lambda: any(
            m.fields.get("STATUS") == "screen surname" for m in sd.messages))
        replace(stamp)
        replaced = time.monotonic()
        sd.supervise(time.monotonic() + 200)
        assert sd.events[-1] == "exited 0", sd.events
        assert "NUMBER " in sd.log(1)                                   # the receipt was given
        after = [m.fields for m in sd.since(replaced)]
        screens = [f["STATUS"] for f in after if f.get("STATUS", "").startswith("screen ")]
        assert "screen sheets" in screens and screens[-1] == "screen welcome", screens
        stopping = [i for i, f in enumerate(after) if f.get("STOPPING") == "1"]
        last_welcome = max(i for i, f in enumerate(after) if f.get("STATUS") == "screen welcome")
        assert all(i > last_welcome for i in stopping), after      # never inside the session

        # 2. on the welcome screen with no one there: the kiosk quits for systemd to restart it
        sd.start(kiosk)
        sd.supervise(time.monotonic() + 120, stop_when=lambda: any(
            m.fields.get("READY") == "1" for m in sd.since(replaced + 1e-3) if m.pid == sd.proc.pid))
        started = time.monotonic()
        replace(stamp)
        sd.supervise(time.monotonic() + 60)
        assert sd.events[-1] == "exited 0", sd.events
        assert {"STOPPING": "1", "STATUS": "restarting for the installed update"} in [m.fields for m in sd.since(started)]
    finally:
        sd.stop()
