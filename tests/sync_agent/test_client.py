"""The server client and the server side of the agent against a local server that follows
docs/terminal-api.md (tests/sync_agent/contract_server.py, a test fixture)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from kiosk_app.core.server_client import ServerClient, ServerRefused, ServerUnavailable, Timeouts
from kiosk_app.core.store import Store
from sync_agent.retention import Retention
from sync_agent.server_sync import ServerSync, answers_for
from sync_agent.state import Backoff, utcnow
from sync_agent.status import heartbeat_body
from tests.support.appeals import AppealMaker, fake_pdf
from tests.sync_agent.contract_server import ContractServer
from tests.sync_agent.sa_fixtures import make_delivery

TOKEN = "tc_017_test"


@pytest.fixture
def server() -> Iterator[ContractServer]:
    s = ContractServer(TOKEN).start()
    yield s
    s.stop()


def _sync(store: Store, server: ContractServer, tmp_path: Path, **kw: object) -> ServerSync:
    client = ServerClient(requests.Session(), server.url, TOKEN, timeouts=Timeouts(1.0, 1.0, 1.0))
    return ServerSync(store, client, status_url="https://rada.example.ua/a/{number}", backoff=Backoff(0.01, 0.05, 0),
                      heartbeat_body=lambda: heartbeat_body(store, tmp_path / "device-status.json",
                                                            modem_configured=False), **kw)  # type: ignore[arg-type]


def test_heartbeat_carries_devices_queue_and_credential(store: Store, maker: AppealMaker, server: ContractServer,
                                                        tmp_path: Path) -> None:
    maker.make()
    (tmp_path / "device-status.json").write_text(json.dumps({
        "written_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
        "devices": [{"device": "scanner", "state": "fault", "detail": "jam", "consumables": {},
                     "last_error": {"code": "jam", "message": "jam in ADF", "at": "2026-11-28T21:49:10Z"}}],
        "consumables": {"receipt_paper": 80},
        "last_errors": [{"at": "2026-11-28T21:49:10Z", "device": "scanner", "code": "jam", "message": "jam in ADF"}]}))
    answer = _sync(store, server, tmp_path).heartbeat()
    assert answer is not None and answer["accepted"] is True
    req = server.requests[-1]
    assert req["headers"]["Authorization"] == f"Bearer {TOKEN}"
    body = json.loads(req["body"])
    assert body["app_version"] and body["sent_at"].endswith("+00:00")
    assert [d["device"] for d in body["devices"]] == ["scanner", "edms_drop"]
    assert body["devices"][0]["state"] == "fault" and body["consumables"] == {"receipt_paper": 80}
    assert body["queue_depth"] == 1 and body["oldest_undelivered"]["number"] == store.conn.execute(
        "SELECT document_id FROM outbox").fetchone()[0]
    assert body["last_errors"][0]["code"] == "jam"


def test_events_are_idempotent_and_survive_an_outage(store: Store, maker: AppealMaker, server: ContractServer,
                                                     drop_dir: Path, tmp_path: Path) -> None:
    for _ in range(3):
        maker.make()
    make_delivery(store, drop_dir).deliver_pass()                   # three 'delivered' events owed
    sync = _sync(store, server, tmp_path)
    server.fail_next = 1
    assert sync.push_events() == 0                                  # 503: kept for later
    assert store.conn.execute("SELECT COUNT(*) FROM sync_events_out WHERE sent_at IS NULL").fetchone()[0] == 3
    assert sync.push_events() == 3
    posts = [r for r in server.requests if r["path"].endswith("/events")]
    keys = [r["headers"]["Idempotency-Key"] for r in posts]
    assert len(keys) == 4 and keys[0] == keys[1] and len(set(keys)) == 3     # the retry reused its key
    assert {json.loads(r["body"])["type"] for r in posts} == {"delivered"}
    assert "phone" not in b"".join(r["body"] for r in posts).decode()
    # a replay of a sent event is harmless
    key, body = store.conn.execute("SELECT idem_key, body_json FROM sync_events_out LIMIT 1").fetchone()
    assert sync.client.post_event(json.loads(body), key)["duplicate"] is True


def test_feed_answers_download_resume_and_sms_owed(store: Store, maker: AppealMaker, server: ContractServer,
                                                   tmp_path: Path) -> None:
    doc = maker.make()
    pdf = fake_pdf(300_000, __import__("random").Random(5))
    server.publish_status(doc, "registered", "К-20")
    answer_id = server.publish_answer(doc, pdf)
    server.cut_after = 100_000                                     # the first download breaks off
    sync = _sync(store, server, tmp_path)
    assert sync.poll_feed() == 2
    assert store.conn.execute("SELECT value FROM sync_kv WHERE key='feed.cursor'").fetchone()[0] == '"2"'
    assert store.conn.execute("SELECT registration_index FROM outbox").fetchone()[0] == "К-20"
    assert sync.download_answers() == 0
    row = store.conn.execute("SELECT state, downloaded_bytes, last_error FROM sync_answers").fetchone()
    assert row[0] == "pending" and 0 < row[1] <= 100_000 and "interrupted" in row[2]
    kept_bytes = row[1]
    time.sleep(0.06)
    assert sync.download_answers() == 1
    ranges = [r["headers"].get("Range") for r in server.requests if r["path"].endswith(".pdf")]
    assert ranges == [None, f"bytes={kept_bytes}-"]                # resumed, not restarted
    kept = answers_for(store, doc)
    assert len(kept) == 1 and kept[0]["answer_id"] == answer_id
    assert hashlib.sha256(Path(kept[0]["path"]).read_bytes()).hexdigest() == hashlib.sha256(pdf).hexdigest()
    assert store.appeal(doc)["state"] == "answered"
    sms = store.conn.execute("SELECT kind, answer_id, state, text FROM sync_sms").fetchall()
    assert sms == [("answer", answer_id, "pending", sms[0][3])] and "017-000001-2" in sms[0][3] and "терміналі" in sms[0][3]
    assert store.check() == []
    # the same page again (a retry after a timeout) changes nothing
    store.conn.execute("UPDATE sync_kv SET value='\"0\"' WHERE key='feed.cursor'")
    assert sync.poll_feed() == 2
    assert store.conn.execute("SELECT COUNT(*) FROM sync_answers").fetchone()[0] == 1
    assert store.conn.execute("SELECT COUNT(*) FROM sync_sms").fetchone()[0] == 1


def test_checksum_mismatch_is_not_kept(store: Store, maker: AppealMaker, server: ContractServer, tmp_path: Path) -> None:
    doc = maker.make()
    server.publish_answer(doc, b"%PDF-1.4 real answer")
    server.answers["a" * 32] = b"%PDF-1.4 something else"        # the file changed under the feed's checksum
    sync = _sync(store, server, tmp_path)
    sync.poll_feed()
    assert sync.download_answers() == 0
    row = store.conn.execute("SELECT state, file_id, last_error FROM sync_answers").fetchone()
    assert row[0] == "pending" and row[1] is None
    assert row[2] == f"server says {hashlib.sha256(b'%PDF-1.4 something else').hexdigest()}, feed said " \
                     f"{hashlib.sha256(b'%PDF-1.4 real answer').hexdigest()}"        # the header was checked
    assert not list(store.spool.tmp.glob("answer-*"))
    assert answers_for(store, doc) == []


def test_a_tampered_answer_is_caught_by_its_digest(store: Store, maker: AppealMaker, server: ContractServer,
                                                   tmp_path: Path) -> None:
    """The server's headers say the right SHA-256 but the bytes are others (same length): only
    the digest of what arrived can tell, and nothing of it is kept or offered for printing."""
    doc = maker.make()
    real = b"%PDF-1.4 the council's real answer"
    fake = b"%PDF-1.4 somebody else's answer!!!"
    assert len(fake) == len(real)
    answer_id = server.publish_answer(doc, real)
    server.tampered[answer_id] = fake
    sync = _sync(store, server, tmp_path)
    sync.poll_feed()
    assert sync.download_answers() == 0
    [got] = [r for r in server.requests if r["path"].endswith(".pdf")]
    assert got["method"] == "GET"                                   # it was downloaded, then refused
    row = store.conn.execute("SELECT state, file_id, last_error FROM sync_answers").fetchone()
    assert row[0] == "pending" and row[1] is None
    assert row[2] == (f"answer download: SHA-256 {hashlib.sha256(fake).hexdigest()} != "
                      f"{hashlib.sha256(real).hexdigest()}")
    assert not list(store.spool.tmp.glob("answer-*")) and not (store.spool.root / "answer").exists()
    assert answers_for(store, doc) == []
    server.tampered.clear()                                         # the next try gets the real one
    time.sleep(0.06)
    assert sync.download_answers() == 1
    assert Path(answers_for(store, doc)[0]["path"]).read_bytes() == real


def test_answers_leave_at_the_end_of_retention_and_are_private(store: Store, maker: AppealMaker,
                                                                server: ContractServer, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        doc = maker.make()
        answer_id = server.publish_answer(doc, b"%PDF-1.4 an answer")
        server.cut_after = 5                                         # the first download breaks off
        sync = _sync(store, server, tmp_path)
        sync.poll_feed()
        assert sync.download_answers() == 0
        partial = store.spool.tmp / f"answer-{answer_id}.download"
        assert b"%PDF-1.4 an answer".startswith(partial.read_bytes())   # what came before the break, kept
        assert stat.S_IMODE(partial.stat().st_mode) == 0o600
        time.sleep(0.06)
        assert sync.download_answers() == 1
    finally:
        os.umask(old)
    [kept] = answers_for(store, doc)
    path = Path(kept["path"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert {stat.S_IMODE(p.stat().st_mode) for p in (path.parent, path.parent.parent)} == {0o700}
    retention = Retention(store, 30)
    retention.purge_pass(utcnow() + dt.timedelta(days=29))
    assert path.exists() and answers_for(store, doc) == [kept]
    retention.purge_pass(utcnow() + dt.timedelta(days=31))
    assert not path.exists() and answers_for(store, doc) == []
    row = store.conn.execute("SELECT state, purged_at FROM sync_answers").fetchone()
    assert row[0] == "complete" and row[1] is not None               # the record stays, marked
    assert store.check(full=True) == []
    assert sync.download_answers() == 0                              # and it is not fetched again


def test_errors_and_timeouts(server: ContractServer) -> None:
    bad = ServerClient(requests.Session(), server.url, "tc_017_wrong", timeouts=Timeouts(1.0, 1.0, 1.0))
    with pytest.raises(ServerRefused) as err:
        bad.feed("")
    assert err.value.status == 401 and err.value.code == "unauthorized"
    slow = ServerClient(requests.Session(), server.url, TOKEN, timeouts=Timeouts(1.0, 0.2, 0.2))
    server.delay = 0.6
    t0 = time.monotonic()
    with pytest.raises(ServerUnavailable):
        slow.feed("")
    assert time.monotonic() - t0 < 0.55                           # the read timeout, not the server, ended it
    server.delay = 0
    dead = ServerClient(requests.Session(), "http://127.0.0.1:9", TOKEN, timeouts=Timeouts(0.5, 0.5, 0.5))
    with pytest.raises(ServerUnavailable):
        dead.heartbeat({"sent_at": "2026-11-28T21:50:00Z"})


def test_delivered_event_carries_the_code_hash_and_kiosk_lockouts_become_alerts(
        store: Store, server: ContractServer, drop_dir: Path, tmp_path: Path) -> None:
    """docs/receipt.md: the server learns the receipt code's salted hash (never the code) from
    the delivered event; a lockout at the kiosk reaches the fleet page as an alert, once."""
    from kiosk_app.core import access
    from sync_agent.agent import Agent
    from sync_agent.config import load_config

    maker = AppealMaker(store, pdf_size=(4_000, 8_000), access_codes=True)
    doc = maker.make()
    store.record_access_failure(doc, time.time(), locked="number")      # the kiosk locked a code
    (tmp_path / "token").write_text(TOKEN)
    env = {"SYNC_AGENT_STORE_DIR": str(store.root), "SYNC_AGENT_TERMINAL_CODE": "17",
           "SYNC_AGENT_DROP_DIR": str(drop_dir), "SYNC_AGENT_DROP_MARKER": "", "SYNC_AGENT_SMS_ENABLED": "false",
           "SYNC_AGENT_SERVER_URL": server.url, "SYNC_AGENT_SERVER_TOKEN_FILE": str(tmp_path / "token")}
    agent = Agent.from_config(load_config(str(tmp_path / "none.toml"), env=env), session=requests.Session())
    try:
        agent.run_once(force=True)
        agent.run_once(force=True)
    finally:
        agent.close()
    bodies = [json.loads(body) for _, body in server.events.values()]
    [delivered] = [b for b in bodies if b["type"] == "delivered"]
    assert access.verify(maker.codes[doc], delivered["access_hash"])
    [alert] = [b for b in bodies if b["type"] == "alert"]
    assert alert["number"] == doc and alert["detail"]["code"] == "access_locked"
    raw = b"".join(r["body"] or b"" for r in server.requests).decode()
    assert maker.codes[doc] not in raw, "the code itself never leaves the terminal"
