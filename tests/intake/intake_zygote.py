"""Runs intakes in child processes for the kill tests, forking from a process that has already
imported the terminal (so 200 restarts cost milliseconds, not seconds each).

stdin commands, one per line:  RUN <store_dir> <log_file> <count> <killpoint>
  killpoint: "-" (none), "step:<progress step>" (wait there to be killed) or a faultpoint name.
stdout: "CHILD <pid>" when a child starts, "EXIT <pid> <status>" when it ended (the raw
``waitpid`` status: the test tells a SIGKILL from an exit). A child that returns exits 0; one
that raises writes ``ERROR <traceback>`` to its log and exits 1.
The child logs to <log_file>: PROGRESS <step> <sheet> <monotonic time>, ISSUED <number>,
CONFIRMED <number>, AT <point>, FINISHED.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
import urllib.request
from pathlib import Path

from kiosk_app.core.config import load_kiosk_config, sim_overrides
from kiosk_app.core.intake import IntakeStopped, Progress
from kiosk_app.core.terminal import Terminal

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "examples" / "sheets" / "appeal-page1.png"


def child(sim_dir: str, store: str, log_path: str, count: int, killpoint: str) -> None:
    log = open(log_path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    if killpoint != "-" and not killpoint.startswith("step:"):
        os.environ["KIOSK_FAULTPOINT"] = killpoint
        os.environ["KIOSK_FAULTPOINT_LOG"] = log_path
    env = {**os.environ, **sim_overrides(sim_dir), "KIOSK_STORE_DIR": store, "KIOSK_TERMINAL_CODE": "17"}
    control = json.loads(Path(sim_dir, "endpoints.json").read_text())["control"]["url"].rstrip("/")
    t = Terminal(load_kiosk_config(None, env=env))
    log.write(f"RECOVERED {json.dumps(t.recovery.as_dict())}\n")
    t.devices.intake.return_sheets()
    applicant = t.validate_applicant(json.loads((ROOT / "examples" / "applicant.json").read_text()))

    def progress(p: Progress) -> None:
        log.write(f"PROGRESS {p.step} {p.sheet} {time.monotonic():.6f}\n")
        if killpoint == f"step:{p.step}":
            log.write(f"AT {killpoint}\n")
            while True:
                time.sleep(3600)

    for _ in range(count):
        req = urllib.request.Request(control + "/api/feed", data=json.dumps({"files": [str(PAGE)]}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
        urllib.request.urlopen(req, timeout=20).read()
        try:
            intake = t.begin_intake(applicant, sms=False, progress=progress)
            log.write(f"ISSUED {intake.number.compact}\n")
            intake.scan()
            result = intake.confirm()
        except IntakeStopped as stop:
            log.write(f"STOPPED {stop.code}\n")
            continue
        log.write(f"CONFIRMED {result.number.compact} {int(result.receipt_printed)}\n")
    log.write("FINISHED\n")


def main() -> None:
    sim_dir = sys.argv[1]
    print("READY", flush=True)
    for line in sys.stdin:
        cmd, store, log_path, count, killpoint = line.split()
        assert cmd == "RUN"
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                child(sim_dir, store, log_path, int(count), killpoint)
                code = 0
            except BaseException:
                with open(log_path, "a", encoding="utf-8") as f:
                    f.write("ERROR " + traceback.format_exc().replace("\n", " | ") + "\n")
            finally:
                os._exit(code)
        print(f"CHILD {pid}", flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"EXIT {pid} {status}", flush=True)


if __name__ == "__main__":
    main()
