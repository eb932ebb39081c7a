"""The kill test's driver process: imports the agent once, then forks it again and again and
SIGKILLs each child at a random moment while it delivers and texts; finally lets one child run
until everything is done. Forking from one single-threaded process keeps 200+ runs fast.

Usage: python kill_zygote.py RUNS MAX_DELAY_MS SEED HITS_FILE   (settings: SYNC_AGENT_* variables)
Prints ``RUN <i> <delay_ms> <status> <point> <hit>`` per killed run and ``FINAL <exit>`` at the end.
A run with a fault point is killed as soon as the child reports reaching it (``HITS_FILE``).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import sys
import time
from pathlib import Path

from sync_agent.agent import Agent
from sync_agent.config import load_config


def child_loop(until_done: bool) -> None:
    cfg = load_config(None)
    agent = Agent.from_config(cfg)
    deadline = time.monotonic() + 60
    while True:
        if agent.sms is not None:       # texts first: a child lives ~60 ms, delivery would use it all
            agent.sms.send_pass()
        agent.run_once(force=True)
        if until_done:
            st = agent.status()
            sms = st["sms"]["counts"]
            sms_done = agent.sms is None or (sms["pending"] == 0 and sms["stored"] == 0)
            if st["outbox"]["pending"] == 0 and st["outbox"]["delivered"] == 0 and sms_done:
                print("DONE " + json.dumps(st, default=str), flush=True)
                os._exit(0)
            if time.monotonic() > deadline:
                print("DONE " + json.dumps({"timeout": True, **st}, default=str), flush=True)
                os._exit(3)
            time.sleep(0.01)


# Named points (kiosk_app.core.faultpoints) where a third of the runs stop and wait for the kill:
# the narrow windows a random kill seldom hits.
POINTS = ("sync.drop_pdfs_placed", "sync.delivered_uncommitted", "sync.ack_recorded", "sync.sms_stored",
          "sync.sms_sent")


def _pick_point(rng: random.Random) -> str:
    """A fault point on the way of work still to do (a point no pass can reach proves nothing)."""
    store_db = Path(os.environ["SYNC_AGENT_STORE_DIR"]) / "terminal.db"
    with sqlite3.connect(f"file:{store_db}?mode=ro", uri=True, timeout=5) as db:
        undelivered = db.execute("SELECT COUNT(*) FROM outbox WHERE state='pending'").fetchone()[0]
        unacked = db.execute("SELECT COUNT(*) FROM outbox WHERE state='delivered'").fetchone()[0]
        unsent = db.execute("SELECT COUNT(*) FROM sync_sms WHERE state IN ('pending', 'stored')").fetchone()[0]
    choices = [p for p, todo in (("sync.drop_pdfs_placed", undelivered), ("sync.delivered_uncommitted", undelivered),
                                 ("sync.ack_recorded", unacked), ("sync.sms_stored", unsent), ("sync.sms_sent", unsent))
               if todo]
    return rng.choice(choices or list(POINTS))


def _hits(path: str) -> int:
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read().count("FAULTPOINT ")


def main() -> None:
    runs, max_delay, seed, hits = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    rng = random.Random(seed)
    open(hits, "a").close()
    for i in range(runs):
        delay = rng.uniform(0, max_delay) / 1000
        point = _pick_point(rng) if i % 3 == 0 else ""
        pid = os.fork()
        if pid == 0:
            os.environ["KIOSK_FAULTPOINT"] = point
            sys.stderr = open(hits, "a")  # noqa: SIM115  (faultpoints.reached writes "FAULTPOINT <name>")
            try:
                child_loop(until_done=False)
            finally:
                os._exit(1)
        hit = False
        if point:
            before = _hits(hits)
            deadline = time.monotonic() + 0.6
            while time.monotonic() < deadline and not hit:
                time.sleep(0.003)
                hit = _hits(hits) > before
            time.sleep(rng.uniform(0, 0.002))
        else:
            time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        sms_log = os.environ.get("KILL_SMS_LOG", "")
        sent = Path(sms_log).read_text().count("\n") if sms_log and os.path.exists(sms_log) else -1
        print(f"RUN {i} {delay * 1000:.1f} {status} {point or '-'} {int(hit)} {sent}", flush=True)
    pid = os.fork()
    if pid == 0:
        os.environ.pop("KIOSK_FAULTPOINT", None)
        child_loop(until_done=True)
    _, status = os.waitpid(pid, 0)
    print(f"FINAL {os.waitstatus_to_exitcode(status)}", flush=True)


if __name__ == "__main__":
    main()
