"""Retention: an appeal's personal data is purged ``retention.days`` after the EDMS confirmed
import (``outbox.imported_at``). What goes: ``appeals.applicant_json`` and ``appeals.access_code``
(a receipt code never printed; set NULL; the code's hash stays for reprints) and the spool
files that hold personal data (the PDF, the metadata record, the page images). What stays: the
number, the dates, the states, the registration index, the audit trail (``events``), the SMS
records (which never held a phone number) and answers kept for reprint.

A purged file keeps its ``files`` row, marked ``purged_at`` (core migration 002), so that the
appeal's references stay whole and :meth:`Store.check` (which skips purged rows) stays green.
A file shared with an appeal not yet purged (the spool is content-addressed) is kept until that
one is purged too. Rows are committed first, files removed after; a crash in between leaves
files that the next pass removes (it re-removes files purged in the last week).
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from kiosk_app.core.store import Store

from .state import iso, utcnow

log = logging.getLogger(__name__)


class Retention:
    def __init__(self, store: Store, days: int, *, batch: int = 200) -> None:
        self.store = store
        self.days = days
        self.batch = batch

    def due(self, now: dt.datetime) -> list[str]:
        cutoff = iso(now - dt.timedelta(days=self.days))
        rows = self.store.conn.execute(
            "SELECT a.document_id FROM appeals a JOIN outbox o USING (document_id) WHERE a.purged_at IS NULL "
            "AND o.state='imported' AND o.imported_at <= ? ORDER BY o.id LIMIT ?", (cutoff, self.batch)).fetchall()
        return [r[0] for r in rows]

    def purge_pass(self, now: dt.datetime | None = None) -> int:
        now = now or utcnow()
        total = 0
        self._remove_leftovers(now)
        while docs := self.due(now):
            for doc in docs:
                self.purge(doc, now)
                total += 1
        return total

    def _files_of(self, doc: str) -> list[int]:
        c = self.store.conn
        ids = [r[0] for r in c.execute("SELECT pdf_file FROM appeals WHERE document_id=? UNION "
                                       "SELECT metadata_file FROM appeals WHERE document_id=? UNION "
                                       "SELECT file FROM pages WHERE document_id=? AND file IS NOT NULL",
                                       (doc, doc, doc)).fetchall() if r[0] is not None]
        return ids

    def _shared(self, file_id: int, doc: str) -> bool:
        c = self.store.conn
        return c.execute(
            "SELECT 1 FROM appeals WHERE document_id != ? AND purged_at IS NULL AND (pdf_file=? OR metadata_file=?) "
            "UNION SELECT 1 FROM pages p JOIN appeals a USING (document_id) WHERE p.document_id != ? "
            "AND a.purged_at IS NULL AND p.file=? LIMIT 1", (doc, file_id, file_id, doc, file_id)).fetchone() is not None

    def purge(self, doc: str, now: dt.datetime | None = None) -> list[str]:
        """Purge one appeal now (whatever its age); returns the spool paths removed."""
        at = iso(now or utcnow())
        paths: list[str] = []
        with self.store.transaction() as c:
            for file_id in self._files_of(doc):
                if self._shared(file_id, doc):
                    continue
                row = c.execute("SELECT path FROM files WHERE id=? AND purged_at IS NULL", (file_id,)).fetchone()
                if row is None:
                    continue
                c.execute("UPDATE files SET purged_at=? WHERE id=?", (at, file_id))
                paths.append(row[0])
            # a receipt code never printed (printer fault, nobody reprinted) goes too; its hash stays
            c.execute("UPDATE appeals SET applicant_json=NULL, access_code=NULL, purged_at=? WHERE document_id=?",
                      (at, doc))
            c.execute("INSERT INTO events (at, document_id, event, detail_json) VALUES (?, ?, 'purged', ?)",
                      (at, doc, json.dumps({"files": len(paths), "retention_days": self.days})))
        for rel in paths:
            self.store.spool.remove(rel)
        log.info("purged the personal data of %s (%d files)", doc, len(paths))
        return paths

    def _remove_leftovers(self, now: dt.datetime) -> None:
        since = iso(now - dt.timedelta(days=7))
        for (rel,) in self.store.conn.execute("SELECT path FROM files WHERE purged_at IS NOT NULL AND purged_at >= ?",
                                              (since,)).fetchall():
            if self.store.spool.path_of(rel).exists():
                self.store.spool.remove(rel)
