"""The OCR text layer, added after the receipt, off the resident's path.

An appeal committed while OCR is on gets its outbox row's ``next_attempt_at`` set
``OCR_HOLD`` seconds ahead, so the sync agent (which only takes rows whose time has come) leaves it
alone meanwhile. :func:`run_pending` then OCRs each held appeal and, in one transaction and only
while the hold still stands, points the appeal at the new PDF and metadata and releases the row
(the store's :meth:`~kiosk_app.core.outbox.Outbox.replace_with_ocr`).
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
from .store import Store, iso

log = logging.getLogger(__name__)

OCR_HOLD = 600           # seconds an appeal waits for its text layer at most
SWAP_MARGIN = 30         # seconds before the hold lapses after which no swap is attempted
LANGS = "ukr+eng"


def available() -> bool:
    return tesseract_available(LANGS)


def hold_until(received: dt.datetime) -> str:
    """The outbox's ``next_attempt_at`` for a held appeal (the store's format: UTC, milliseconds)."""
    return iso(received + dt.timedelta(seconds=OCR_HOLD))


_one_at_a_time = threading.Lock()     # two OCR runs in one process would OCR the same appeal twice


def run_pending(store: Store, *, limit: int | None = None) -> list[str]:
    """OCR every appeal still held for it; returns the documents that got a text layer."""
    with _one_at_a_time:
        return _run_pending(store, limit)


def _run_pending(store: Store, limit: int | None) -> list[str]:
    rows = store.outbox.held_for_ocr(dt.datetime.now(dt.UTC))
    done = []
    for doc, pdf, meta in rows[:limit] if limit else rows:
        try:
            if _ocr_one(store, doc, pdf, meta):
                done.append(doc)
        except (OcrError, OSError, ValueError) as err:
            log.warning("OCR of %s failed (%s); it goes without a text layer", doc, err)
            store.outbox.release_ocr_hold(doc)
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
    margin = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=SWAP_MARGIN)
    if not store.outbox.replace_with_ocr(doc, (pdf, meta), (new_pdf, new_meta), margin,
                                         {"pages": info.pages, "bytes": new_pdf.bytes}):
        log.info("OCR of %s finished after its hold: delivered without the text layer", doc)
        return False
    return True
