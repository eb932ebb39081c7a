"""The drop-folder contract (docs/edms-drop-folder.md): names, content, order, mode, atomicity,
idempotency, acknowledgement in both modes, retention after import."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
from pathlib import Path

from kiosk_app.core import metadata as md
from kiosk_app.core.spool import FileRef
from kiosk_app.core.store import Store
from sync_agent.dropfolder import DropFolder
from sync_agent.retention import Retention
from tests.support.appeals import AppealMaker
from tests.sync_agent.sa_fixtures import MARKER, FakeEdms, Watcher, expected_pdfs, make_delivery


def _names(d: Path) -> set[str]:
    return {n for n in os.listdir(d) if n != MARKER}


def test_pair_names_content_and_mode(store: Store, maker: AppealMaker, drop_dir: Path) -> None:
    doc = maker.make()
    r = make_delivery(store, drop_dir).deliver_pass()
    assert r.delivered == 1 and r.fault is None
    assert _names(drop_dir) == {f"{doc}.pdf", f"{doc}.json"}
    rec = json.loads((drop_dir / f"{doc}.json").read_bytes())
    md.validate(rec)                                           # the published schema
    pdf = (drop_dir / f"{doc}.pdf").read_bytes()
    assert rec["document_id"] == doc and rec["files"][0]["name"] == f"{doc}.pdf"
    assert hashlib.sha256(pdf).hexdigest() == rec["files"][0]["sha256"] and len(pdf) == rec["files"][0]["bytes"]
    assert pdf.startswith(b"%PDF-")
    for name in (f"{doc}.pdf", f"{doc}.json"):
        assert stat.S_IMODE((drop_dir / name).stat().st_mode) == 0o640
    row = store.conn.execute("SELECT state, attempts FROM outbox WHERE document_id=?", (doc,)).fetchone()
    assert row == ("delivered", 1)
    assert store.appeal(doc)["state"] == "delivered"


def test_watcher_never_sees_partial_or_unpaired(store: Store, drop_dir: Path) -> None:
    maker = AppealMaker(store, pdf_size=(200_000, 400_000))      # big enough to be caught mid-write
    docs = [maker.make() for _ in range(40)]
    watcher = Watcher(drop_dir, expected_pdfs(store))
    edms = FakeEdms(drop_dir, interval=0.002)
    watcher.start()
    edms.start()
    delivery = make_delivery(store, drop_dir, commit_every=7)
    try:
        delivery.deliver_pass()
        for _ in range(200):
            delivery.ack_pass()
            if store.conn.execute("SELECT COUNT(*) FROM outbox WHERE state='imported'").fetchone()[0] == 40:
                break
    finally:
        edms.halt()
        watcher.halt()
    assert watcher.violations == []
    assert watcher.listings > 50 and sum(watcher.pdf_checks.values()) >= 40
    # the documents it saw (nearly all: a starved watcher thread may miss a short-lived pair) were whole
    assert set(watcher.checked) <= {f"{d}.json" for d in docs} and len(watcher.checked) >= 30
    assert edms.registered == dict.fromkeys(docs, 1)
    assert _names(drop_dir) == set()                               # imported pairs and acks removed
    rows = store.conn.execute("SELECT state, registration_index FROM outbox").fetchall()
    assert all(s == "imported" and idx.startswith("К-") for s, idx in rows)


def test_idempotent_redelivery(store: Store, maker: AppealMaker, drop_dir: Path) -> None:
    doc = maker.make()
    folder = DropFolder(drop_dir, marker=MARKER)
    delivery = make_delivery(store, folder)
    delivery.deliver_pass()
    before = {n: (drop_dir / n).stat().st_ino for n in _names(drop_dir)}
    row = delivery._rows("9999", only=doc).__next__()
    d = delivery._document(row)
    assert folder.deliver(d) == "already"                          # same content: nothing written
    assert {n: (drop_dir / n).stat().st_ino for n in _names(drop_dir)} == before
    # an interrupted delivery: the PDF without its JSON -> only the metadata is written
    (drop_dir / f"{doc}.json").unlink()
    pdf_ino = (drop_dir / f"{doc}.pdf").stat().st_ino
    assert folder.deliver(d) == "metadata"
    assert (drop_dir / f"{doc}.pdf").stat().st_ino == pdf_ino
    # a torn PDF from another writer -> replaced, then the metadata
    (drop_dir / f"{doc}.json").unlink()
    (drop_dir / f"{doc}.pdf").write_bytes(b"%PDF-torn")
    assert folder.deliver(d) == "written"
    assert hashlib.sha256((drop_dir / f"{doc}.pdf").read_bytes()).hexdigest() == d.pdf_sha256
    # acknowledged already -> nothing is written
    (drop_dir / f"{doc}.json").unlink()
    (drop_dir / f"{doc}.pdf").unlink()
    (drop_dir / f"{doc}.ack.json").write_text('{"status": "registered"}')
    assert folder.deliver(d) == "acknowledged"
    assert _names(drop_dir) == {f"{doc}.ack.json"}
    assert not [n for n in os.listdir(drop_dir) if n.startswith(".tmp-")]


def test_interrupted_temporaries_are_swept_but_not_the_edms_ones(store: Store, maker: AppealMaker, drop_dir: Path) -> None:
    doc = maker.make()
    (drop_dir / f".tmp-{doc}.pdf.abc123").write_bytes(b"half")
    (drop_dir / f".tmp-{doc}.ack.json.4242").write_bytes(b"{")         # the EDMS is writing this one
    (drop_dir / ".tmp-0990000011.pdf.ffff").write_bytes(b"terminal 099's")
    make_delivery(store, drop_dir).deliver_pass()
    left = {n for n in os.listdir(drop_dir) if n.startswith(".tmp-")}
    assert left == {f".tmp-{doc}.ack.json.4242", ".tmp-0990000011.pdf.ffff"}


def test_ack_rejected_and_redeliver(store: Store, maker: AppealMaker, drop_dir: Path) -> None:
    doc = maker.make()
    delivery = make_delivery(store, drop_dir)
    delivery.deliver_pass()
    ack = {"document_id": doc, "status": "rejected", "registration_index": None, "reason": "PDF checksum mismatch"}
    (drop_dir / f"{doc}.ack.json").write_text(json.dumps(ack))
    r = delivery.ack_pass()
    assert r.rejected == 1
    assert store.conn.execute("SELECT state, last_error FROM outbox").fetchone() == ("rejected", "rejected: PDF checksum mismatch")
    assert _names(drop_dir) == set()
    alerts = store.conn.execute("SELECT code FROM sync_alerts WHERE cleared_at IS NULL").fetchall()
    assert ("edms_rejected",) in alerts
    assert delivery.redeliver(doc)
    assert delivery.deliver_pass().delivered == 1
    assert _names(drop_dir) == {f"{doc}.pdf", f"{doc}.json"}


def test_remove_mode(store: Store, maker: AppealMaker, drop_dir: Path) -> None:
    a, b = maker.make(), maker.make()
    delivery = make_delivery(store, drop_dir, ack_mode="remove")
    delivery.deliver_pass()
    (drop_dir / f"{a}.json").unlink()                  # the EDMS took a; b not yet
    (drop_dir / f"{a}.pdf").unlink()
    assert delivery.ack_pass().acknowledged == 1
    assert dict(store.conn.execute("SELECT document_id, state FROM outbox").fetchall()) == {a: "imported", b: "delivered"}
    # a missing mount must not look like "the EDMS removed everything"
    (drop_dir / MARKER).unlink()
    r = delivery.ack_pass()
    assert r.fault is not None and r.fault["code"] == "missing_mount" and r.acknowledged == 0
    assert store.conn.execute("SELECT state FROM outbox WHERE document_id=?", (b,)).fetchone() == ("delivered",)


def test_retention_purges_personal_data_and_keeps_the_store_consistent(store: Store, maker: AppealMaker, drop_dir: Path) -> None:
    old, new = maker.make(), maker.make()
    delivery = make_delivery(store, drop_dir)
    delivery.deliver_pass()
    edms = FakeEdms(drop_dir)
    edms.once()
    delivery.ack_pass()
    long_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(days=31)).isoformat(timespec="seconds")
    store.conn.execute("UPDATE outbox SET imported_at=? WHERE document_id=?", (long_ago, old))
    paths = [store.file_ref(store.appeal(old)[k]).path for k in ("pdf_file", "metadata_file")]
    # a receipt code whose receipt never printed is personal-data-grade: it goes with the rest
    store.conn.execute("UPDATE appeals SET access_code='K7M2Q9XH4T', access_hash='h' WHERE document_id IN (?, ?)",
                       (old, new))
    assert Retention(store, 30).purge_pass() == 1
    a = store.appeal(old)
    assert a["applicant_json"] is None and a["purged_at"] and a["number"] == old and a["received_at"]
    assert a["access_code"] is None and a["access_hash"] == "h"          # the hash stays for reprints
    assert store.appeal(new)["access_code"] == "K7M2Q9XH4T"
    assert store.appeal(new)["applicant_json"] is not None
    for p in paths:
        assert not store.spool.path_of(FileRef(p, "", 0)).exists()
    events = [r[0] for r in store.conn.execute("SELECT event FROM events WHERE document_id=? ORDER BY id", (old,))]
    assert events[:1] == ["intake_started"] and "committed" in events and "imported" in events and events[-1] == "purged"
    assert store.check() == []
    assert Retention(store, 30).purge_pass() == 0
