"""End to end against the real city server process (server_stub, its EDMS stand-in importing the
drop folder) and the modem simulator on a pseudo-terminal:

appeal committed at the terminal -> the pair appears in the drop folder -> the EDMS stand-in
registers it and acknowledges -> the agent records the import and texts the resident -> an answer
is published on the server -> the agent pulls the feed, downloads and verifies the PDF -> the
answer SMS arrives in the simulator's log -> ``kioskctl reprint`` prints the kept answer on the
virtual form printer (the IPP simulator)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from hardware_sim.ipp_printer import IppPrinterSim
from hardware_sim.modem import ModemSim
from kiosk_app.core import access
from kiosk_app.core.numbering import parse
from kiosk_app.core.store import Store
from sync_agent.agent import Agent
from sync_agent.config import load_config
from sync_agent.migrations import ALL
from sync_agent.server_sync import answers_for
from tests.support.appeals import AppealMaker
from tests.sync_agent.sa_fixtures import TERMINAL

ROOT = Path(__file__).resolve().parents[2]
PHONE = "+380671234567"

pytestmark = pytest.mark.skipif(importlib.util.find_spec("server_stub.cli") is None,
                                reason="the city server package (server_stub) is not in the tree yet")


def _server_env(tmp: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "CITY_SERVER_EDMS_INTERVAL": "0.2", "CITY_SERVER_EDMS_GRACE": "2",
            "CITY_SERVER_FAST_PASSWORDS": "1"}


def _city(tmp: Path, *args: str) -> str:
    out = subprocess.run([sys.executable, "-m", "server_stub.cli", *args, "--data-dir", str(tmp / "server")],
                         env=_server_env(tmp), capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr[-3000:]
    return out.stdout


@pytest.fixture
def city_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    drop = tmp_path / "drop"
    drop.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "server_stub.cli", "run", "--port", "0", "--no-demo",
                             "--data-dir", str(tmp_path / "server"), "--drop-folder", str(drop)],
                            env=_server_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, cwd=ROOT)
    url = None
    deadline = time.monotonic() + 90
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        m = re.search(r"listening on (http://\S+?)/?$", line.strip())
        if m:
            url = m.group(1)
            break
    if url is None:
        proc.kill()
        pytest.fail("the city server did not start")
    try:
        yield url, drop
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _until(cond, agent: Agent, what: str, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        agent.run_once(force=True)
        if cond():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for: {what}; status {agent.status()}")


def test_intake_to_drop_to_answer_to_sms(city_server: tuple[str, Path], tmp_path: Path) -> None:
    url, drop = city_server
    token = _city(tmp_path, "issue-terminal-credential", f"{TERMINAL:03d}").strip().splitlines()[-1]
    assert token.startswith(f"tc_{TERMINAL:03d}_")
    (tmp_path / "token").write_text(token + "\n")
    store = Store(tmp_path / "store", terminal=TERMINAL, migrations=ALL)
    maker = AppealMaker(store, pdf_size=(30_000, 40_000), phone=PHONE, access_codes=True)
    doc = maker.make()
    code = maker.codes[doc]            # what the receipt printed
    store.close()
    sim = ModemSim(tmp_path / "modem", report_delay=0.01)
    sim.start()
    env = {"SYNC_AGENT_STORE_DIR": str(tmp_path / "store"), "SYNC_AGENT_TERMINAL_CODE": str(TERMINAL),
           "SYNC_AGENT_DROP_DIR": str(drop), "SYNC_AGENT_DROP_MARKER": "",
           "SYNC_AGENT_SERVER_URL": url, "SYNC_AGENT_SERVER_TOKEN_FILE": str(tmp_path / "token"),
           "SYNC_AGENT_SERVER_READ_TIMEOUT": "10", "SYNC_AGENT_BACKOFF_BASE": "0.1", "SYNC_AGENT_BACKOFF_CAP": "0.5",
           "SYNC_AGENT_DEVICES_MODEM_PORT": str(sim.workdir / "modem.tty"),
           "SYNC_AGENT_DEVICES_MODEM_COMMAND_TIMEOUT": "1", "SYNC_AGENT_DEVICES_MODEM_DELIVERY_TIMEOUT": "0"}
    agent = Agent.from_config(load_config(str(tmp_path / "none.toml"), env=env), session=requests.Session())
    try:
        # 1. the pair appears in the drop folder
        r = agent.run_once(force=True)
        assert r.delivery.delivered == 1
        # 2. the EDMS stand-in registers it and writes the acknowledgement; the agent records it
        _until(lambda: store_state(agent, doc) == "imported", agent, "the EDMS acknowledgement")
        index = agent.store.conn.execute("SELECT registration_index FROM outbox").fetchone()[0]
        assert index
        assert not [n for n in os.listdir(drop) if n.startswith(doc)]          # pair and ack removed
        # 3. the registration SMS, in Ukrainian, to the resident
        _until(lambda: len(sim.sms_log()) >= 1, agent, "the registration SMS")
        first = sim.sms_log()[0]
        assert first["to"] == PHONE and parse(doc).display in first["text"] and "зареєстровано" in first["text"]
        assert first["encoding"] == "ucs2" and first["parts"] == 2
        # the server heard the terminal: the appeal is known, heartbeats and events arrived
        status = agent.server.client.appeal(doc)
        assert status["status"] == "registered" and status["registration_index"] == index
        # 4. an answer is published on the server
        out = _city(tmp_path, "edms-answer", doc, "--text", "Відповідь: дорогу відремонтують до травня.")
        answer_id = re.search(r"answer (\S+) published", out).group(1)         # type: ignore[union-attr]
        # 5. the agent pulls it, verifies it, keeps it for reprint; 6. the answer SMS arrives
        _until(lambda: len(sim.sms_log()) >= 2 and answers_for(agent.store, doc), agent, "the answer and its SMS")
        [kept] = answers_for(agent.store, doc)
        assert kept["answer_id"] == answer_id
        data = Path(kept["path"]).read_bytes()
        assert data.startswith(b"%PDF-") and hashlib.sha256(data).hexdigest() == kept["sha256"]
        second = sim.sms_log()[1]
        assert second["to"] == PHONE and "відповідь" in second["text"].lower() and parse(doc).display in second["text"]
        assert len(sim.sms_log()) == 2
        st = agent.status()
        assert st["queue_depth"] == 0 and st["sms"]["counts"]["sent"] == 2 and st["answers"]["complete"] == 1
        assert st["server"]["events_unsent"] == 0 and st["server"]["last_heartbeat"]
        assert agent.store.check() == []
    finally:
        agent.close()
        sim.stop()
    # 7. kioskctl prints the kept answer on the (virtual) form printer
    printer = IppPrinterSim(tmp_path / "ipp", port=0, render=False)
    printer.start()
    here = {**os.environ, "PYTHONPATH": str(ROOT), "KIOSK_CONFIG": str(tmp_path / "none.toml"),
            "KIOSK_TERMINAL_CODE": str(TERMINAL), "KIOSK_DEVICES_FORM_PRINTER_URI": "",
            "KIOSK_DEVICES_FORM_PRINTER_JOB_TIMEOUT": "20"}

    def reprint(store_dir: str, number: str, env: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "kiosk_app.cli", "reprint", number, "--json", "--store",
                               str(tmp_path / store_dir), *extra], cwd=ROOT, capture_output=True, text=True,
                              timeout=120, env=env)
    try:
        here["KIOSK_DEVICES_FORM_PRINTER_URI"] = printer.endpoint()["uri"]
        # the number alone prints nothing, not even the status
        bare = reprint("store", parse(doc).display, here)
        assert bare.returncode == 1 and json.loads(bare.stdout)["error"]["code"] == "access_denied"
        assert "state" not in json.loads(bare.stdout) and printer.jobs() == []
        out = reprint("store", parse(doc).display, here, "--code", code.lower())
        assert out.returncode == 0, out.stdout + out.stderr[-2000:]
        result = json.loads(out.stdout)
        assert result["printed"] == "answer" and result["source"] == "local"
        [job] = printer.jobs()
        assert Path(job["pdf"]).read_bytes() == data                  # the very answer the agent kept
        # 8. at another terminal (its own code and credential, nothing in its store) the resident
        #    scans the receipt: the kiosk asks the server on demand and prints the same answer.
        other = _city(tmp_path, "issue-terminal-credential", "023").strip().splitlines()[-1]
        (tmp_path / "token-023").write_text(other + "\n")
        there = {**here, "KIOSK_TERMINAL_CODE": "23", "KIOSK_SERVER_URL": url,
                 "KIOSK_SERVER_TOKEN_FILE": str(tmp_path / "token-023")}
        for attempt in ((), ("--code", "0000000000")):          # no code, a wrong code: nothing
            refused = reprint("store-023", doc, there, *attempt)
            assert refused.returncode == 1 and json.loads(refused.stdout)["error"]["code"] == "access_denied", \
                refused.stdout + refused.stderr[-2000:]
        assert len(printer.jobs()) == 1
        # the receipt's QR code, scanned: the status link carries the number and the code
        scanned = access.status_link("https://rada.example.ua/a/{number}", doc, code)
        out = reprint("store-023", scanned, there)
        assert out.returncode == 0, out.stdout + out.stderr[-2000:]
        result = json.loads(out.stdout)
        assert result["printed"] == "answer" and result["source"] == "server" and result["registration_index"] == index
        assert Path(printer.jobs()[-1]["pdf"]).read_bytes() == data
    finally:
        printer.stop()



def store_state(agent: Agent, doc: str) -> str:
    return str(agent.store.conn.execute("SELECT state FROM outbox WHERE document_id=?", (doc,)).fetchone()[0])
