"""SIGKILL at random moments, over 200+ runs, while the agent delivers and while it texts through
the modem simulator (a real pseudo-terminal): every appeal reaches the drop folder and is
registered exactly once (a fake EDMS in ack-file mode), every SMS is sent exactly once (the
simulator's sms.jsonl), and the watcher never sees a partial or unpaired file."""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hardware_sim.modem import ModemSim
from kiosk_app.core.numbering import parse
from kiosk_app.core.store import Store
from sync_agent.migrations import ALL
from tests.support.appeals import AppealMaker
from tests.sync_agent.sa_fixtures import MARKER, TERMINAL, FakeEdms, Watcher, expected_pdfs

ROOT = Path(__file__).resolve().parents[2]
RUNS = 220


def _has_store_and_send() -> bool:
    from devices.modem import GsmModem

    return all(hasattr(GsmModem, m) for m in ("store_sms", "send_stored", "stored_state", "delete_stored"))


@pytest.mark.slow
def test_sigkill_at_random_points(tmp_path: Path) -> None:
    if not _has_store_and_send():
        pytest.skip("devices.modem has no store-then-send (AT+CMGW/CMSS/CMGR/CMGD) yet")
    store = Store(tmp_path / "store", terminal=TERMINAL, migrations=ALL)
    maker = AppealMaker(store, pdf_size=(20_000, 60_000), phone="+380671234567")
    docs = [maker.make() for _ in range(60)]
    expected = expected_pdfs(store)
    store.close()
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / MARKER).touch()
    sim = ModemSim(tmp_path / "modem", report_delay=0.01)
    sim.start()
    watcher = Watcher(drop, expected)
    edms = FakeEdms(drop, interval=0.003)
    watcher.start()
    edms.start()
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           "SYNC_AGENT_CONFIG": str(tmp_path / "none.toml"),
           "SYNC_AGENT_STORE_DIR": str(tmp_path / "store"), "SYNC_AGENT_TERMINAL_CODE": str(TERMINAL),
           "SYNC_AGENT_DROP_DIR": str(drop), "SYNC_AGENT_DROP_MARKER": MARKER,
           "SYNC_AGENT_BACKOFF_BASE": "0.02", "SYNC_AGENT_BACKOFF_CAP": "0.1", "SYNC_AGENT_DROP_BATCH": "5",
           "SYNC_AGENT_DROP_PASS_LIMIT": "2", "SYNC_AGENT_DROP_SYNC": "file",
           "SYNC_AGENT_DEVICES_MODEM_PORT": str(sim.workdir / "modem.tty"),
           "SYNC_AGENT_DEVICES_MODEM_COMMAND_TIMEOUT": "0.5", "SYNC_AGENT_DEVICES_MODEM_DELIVERY_TIMEOUT": "0",
           "SYNC_AGENT_DEVICES_MODEM_SEND_TIMEOUT": "2", "SYNC_AGENT_LOG_LEVEL": "ERROR",
           "KILL_SMS_LOG": str(sim.workdir / "sms.jsonl")}
    t0 = time.monotonic()
    try:
        proc = subprocess.run([sys.executable, str(Path(__file__).with_name("kill_zygote.py")), str(RUNS), "120", "7",
                               str(tmp_path / "hits.txt")],
                              env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)
    finally:
        edms.halt()
        watcher.halt()
        sim_state = sim.state()
        sim.stop()
    elapsed = time.monotonic() - t0
    runs = [ln for ln in proc.stdout.splitlines() if ln.startswith("RUN ")]
    (tmp_path / "runs.txt").write_text(proc.stdout)
    assert len(runs) == RUNS, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "FINAL 0" in proc.stdout, proc.stdout[-2000:] + proc.stderr[-3000:]
    # the drop folder: nothing partial, nothing unpaired, every appeal registered once
    assert watcher.violations == []
    assert edms.problems == []
    assert edms.registered == dict.fromkeys(docs, 1)
    assert {n for n in os.listdir(drop) if not n.startswith(".")} == set()
    # SMS: one 'registered' message per appeal, none twice
    texts = [m["text"] for m in sim.sms_log()]
    per_doc = collections.Counter(d for t in texts for d in docs if parse(d).display in t)
    assert per_doc == dict.fromkeys(docs, 1), f"{len(texts)} messages; duplicates/missing: " \
        f"{ {d: per_doc.get(d, 0) for d in docs if per_doc.get(d, 0) != 1} }"
    assert all(m["to"] == "+380671234567" for m in sim.sms_log())
    # no part went twice either (a repeated part is not a new message in sms.jsonl, but it is a text
    # the resident receives again): every part the network took belongs to exactly one message
    assert sim_state["parts_sent"] == sum(m["parts"] for m in sim.sms_log())
    assert sim_state["incomplete_multipart"] == 0
    hit = collections.Counter(ln.split()[4] for ln in runs if ln.split()[5] == "1")
    assert all(hit[p] >= 1 for p in ("sync.sms_sent", "sync.sms_stored", "sync.delivered_uncommitted",
                                     "sync.drop_pdfs_placed", "sync.ack_recorded")), hit
    store = Store(tmp_path / "store", terminal=TERMINAL, migrations=ALL)
    assert store.check() == []
    assert dict(store.conn.execute("SELECT state, COUNT(*) FROM sync_sms GROUP BY state").fetchall()) == {"sent": 60}
    store.close()
    print(f"{RUNS} kills in {elapsed:.1f} s")
