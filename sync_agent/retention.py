"""Retention: an appeal's personal data is purged ``retention.days`` after the EDMS confirmed
import (``outbox.imported_at``). What goes: ``appeals.applicant_json`` and ``appeals.access_code``
(a receipt code never printed; set NULL; the code's hash stays for reprints) and the spool
files that hold personal data (the PDF, the metadata record, the page images). What stays: the
number, the dates, the states, the registration index, the audit trail (``events``) and the SMS
records (which never held a phone number).

An answer PDF kept for reprint leaves the terminal when it is printed (``Terminal.print_answer``)
or ``retention.days`` after it was downloaded, whichever comes first; its row stays, marked.

A purged file keeps its ``files`` row, marked ``purged_at`` (core migration 002), so that the
appeal's references stay whole and :meth:`Store.check` (which skips purged rows) stays green.
A file shared with an appeal not yet purged (the spool is content-addressed) is kept until that
one is purged too. Rows are committed first, files removed after; a crash in between leaves
files that the next pass removes (it re-removes files purged in the last week). The changes are
the store's (:meth:`kiosk_app.core.outbox.Outbox.purge`, ``purge_answer``).
"""

from __future__ import annotations

import datetime as dt
import logging

from kiosk_app.core.store import Store

from .state import utcnow

log = logging.getLogger(__name__)


class Retention:
    def __init__(self, store: Store, days: int, *, batch: int = 200) -> None:
        self.store = store
        self.days = days
        self.batch = batch

    def due(self, now: dt.datetime) -> list[str]:
        return self.store.outbox.due_for_purge(now - dt.timedelta(days=self.days), self.batch)

    def purge_pass(self, now: dt.datetime | None = None) -> int:
        """Purge every appeal (and answer PDF) whose retention ended; returns how many appeals."""
        now = now or utcnow()
        total = 0
        self._remove_leftovers(now)
        while docs := self.due(now):
            for doc in docs:
                self.purge(doc, now)
                total += 1
        cutoff = now - dt.timedelta(days=self.days)
        while answers := self.store.outbox.answers_kept_since(cutoff, self.batch):
            for answer_id in answers:
                self.store.outbox.purge_answer(answer_id, f"retention: {self.days} days", now)
        return total

    def purge(self, doc: str, now: dt.datetime | None = None) -> list[str]:
        """Purge one appeal now (whatever its age); returns the spool paths removed."""
        paths = self.store.outbox.purge(doc, self.days, now)
        log.info("purged the personal data of %s (%d files)", doc, len(paths))
        return paths

    def _remove_leftovers(self, now: dt.datetime) -> None:
        for rel in self.store.outbox.purged_files_since(now - dt.timedelta(days=7)):
            if self.store.spool.path_of(rel).exists():
                self.store.spool.remove(rel)
