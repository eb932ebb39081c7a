"""The OCR text layer, added after the receipt, off the resident's path.

An appeal committed while OCR is on gets its outbox row's ``next_attempt_at`` set
``OCR_HOLD`` seconds ahead, so the sync agent (which only takes rows whose time has come) leaves it
alone meanwhile. :func:`run_pending` then OCRs each held appeal and, in one transaction and only
while the hold still stands, points the appeal at the new PDF and metadata and releases the row.
If the kiosk stops or OCR fails, the hold simply lapses and the appeal goes without a text layer:
OCR can delay a delivery, never lose one.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import tempfile
import threading
from pathlib import Path

from . import metadata as metadata_mod
from .imaging import OcrError, add_ocr_layer, tesseract_available
from .spool import FileRef
from .store import Store, now_iso

log = logging.getLogger(__name__)

OCR_HOLD = 600           # seconds an appeal waits for its text layer at most
SWAP_MARGIN = 30         # seconds before the hold lapses after which no swap is attempted
LANGS = "ukr+eng"


def available() -> bool:
    return tesseract_available(LANGS)


def hold_until(received: dt.datetime) -> str:
    """The outbox's ``next_attempt_at`` for a held appeal (the sync agent's format: UTC, milliseconds)."""
    return (received.astimezone(dt.UTC) + dt.timedelta(seconds=OCR_HOLD)).isoformat(timespec="milliseconds")


_one_at_a_time = threading.Lock()     # two OCR runs in one process would OCR the same appeal twice


def run_pending(store: Store, *, limit: int | None = None) -> list[str]:
    """OCR every appeal still held for it; returns the documents that got a text layer."""
    with _one_at_a_time:
        return _run_pending(store, limit)


def _run_pending(store: Store, limit: int | None) -> list[str]:
    now = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
    rows = store.conn.execute(
        "SELECT a.document_id, fp.path, fp.sha256, fp.bytes, fm.path, fm.sha256, fm.bytes "
        "FROM outbox o JOIN appeals a USING (document_id) JOIN files fp ON fp.id = a.pdf_file "
        "JOIN files fm ON fm.id = a.metadata_file "
        "WHERE o.state='pending' AND o.attempts=0 AND o.next_attempt_at > ? ORDER BY o.id", (now,)).fetchall()
    done = []
    for doc, pp, ps, pb, mp, ms, mb in rows[:limit] if limit else rows:
        try:
            if _ocr_one(store, doc, FileRef(pp, ps, pb), FileRef(mp, ms, mb)):
                done.append(doc)
        except (OcrError, OSError, ValueError) as err:
            log.warning("OCR of %s failed (%s); it goes without a text layer", doc, err)
            _release(store, doc)
    return done


def _ocr_one(store: Store, doc: str, pdf: FileRef, meta: FileRef) -> bool:
    with tempfile.TemporaryDirectory(dir=store.spool.tmp) as tmp:
        out = Path(tmp) / "ocr.pdf"
        info = add_ocr_layer(store.spool.path_of(pdf), out, LANGS)
        new_pdf = store.spool.write(out.read_bytes(), kind="pdf", suffix=".pdf")
    record = json.loads(store.spool.read(meta))
    record["files"][0].update({"sha256": new_pdf.sha256, "bytes": new_pdf.bytes, "ocr": True,
                               "pdfa": "2b" if info.pdfa == "pass" else None})
    metadata_mod.validate(record)
    new_meta = store.spool.write(metadata_mod.dumps(record), kind="metadata", suffix=".json")
    margin = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=SWAP_MARGIN)).isoformat(timespec="milliseconds")
    with store.transaction() as c:
        held = c.execute("SELECT 1 FROM outbox WHERE document_id=? AND state='pending' AND attempts=0 "
                         "AND next_attempt_at > ?", (doc, margin)).fetchone()
        if not held:
            log.info("OCR of %s finished after its hold: delivered without the text layer", doc)
            return False
        pdf_id = store.add_file(c, new_pdf, "pdf")
        meta_id = store.add_file(c, new_meta, "metadata")
        c.execute("UPDATE appeals SET pdf_file=?, metadata_file=? WHERE document_id=?", (pdf_id, meta_id, doc))
        c.execute("UPDATE outbox SET next_attempt_at=NULL WHERE document_id=?", (doc,))
        for old in (pdf, meta):
            c.execute("DELETE FROM files WHERE path=? AND NOT EXISTS (SELECT 1 FROM appeals a JOIN files f "
                      "ON f.id IN (a.pdf_file, a.metadata_file) WHERE f.path=?)", (old.path, old.path))
        c.execute("INSERT INTO events (at, document_id, event, detail_json) VALUES (?, ?, 'ocr_added', ?)",
                  (now_iso(), doc, json.dumps({"pages": info.pages, "bytes": new_pdf.bytes})))
    for old in (pdf, meta):
        if not store.conn.execute("SELECT 1 FROM files WHERE path=?", (old.path,)).fetchone():
            store.spool.remove(old.path)
    return True


def _release(store: Store, doc: str) -> None:
    with store.transaction() as c:
        c.execute("UPDATE outbox SET next_attempt_at=NULL WHERE document_id=? AND state='pending' AND attempts=0", (doc,))
