"""Delivery of the outbox to the EDMS drop folder, acknowledgements, and the unimported alert.

The outbox row moves ``pending -> delivered -> imported`` (or ``rejected``). The store keeps
every appeal until the EDMS acknowledged it; a fault of the folder (see
:mod:`sync_agent.dropfolder`) sets the row's ``attempts``, ``last_error`` and
``next_attempt_at`` (capped exponential backoff with jitter) and pauses the whole folder until
then: one broken share is not hammered 10,000 times a pass. Every state change goes through the
store's named methods (``store.outbox``: :mod:`kiosk_app.core.outbox`).

Rows are read in batches by ``id`` (keyset), so memory does not grow with the backlog. Rows
marked delivered are committed in groups (``commit_every``): a crash before that commit only
means the next pass finds ``<ID>.json`` with the same content and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from kiosk_app.core import faultpoints
from kiosk_app.core.spool import FileRef, SpoolError
from kiosk_app.core.store import Store

from . import texts
from .dropfolder import Document, DropFault, DropFolder, fault_from
from .state import Backoff, Retrying, iso, parse, utcnow

log = logging.getLogger(__name__)

UNIMPORTED = ("pending", "delivered")


@dataclass
class PassResult:
    delivered: int = 0
    skipped: int = 0
    fault: dict[str, str] | None = None
    acknowledged: int = 0
    rejected: int = 0
    errors: list[str] = field(default_factory=list)


def _clear_fault(store: Store) -> None:
    box = store.outbox
    if box.kv_get("drop.fault") is not None:
        log.info("drop folder works again")
        with store.transaction():
            box.kv_del("drop.fault")
            box.kv_del("drop.retry_at")
            box.kv_del("drop.failures")
            box.clear_alert("drop.fault")


class _Failed(Exception):
    def __init__(self, row: tuple[Any, ...], fault: DropFault) -> None:
        super().__init__(str(fault))
        self.row = row
        self.fault = fault


class Delivery(Retrying):
    def __init__(self, store: Store, drop: DropFolder, *, ack_mode: str = "ack-file", alert_after: float = 1800,
                 backoff: Backoff | None = None, batch: int = 200, commit_every: int = 50,
                 status_url: str = "https://rada.example.ua/a/{number}", pass_limit: int = 0) -> None:
        super().__init__(store, backoff, alert_after)
        self.drop = drop
        self.ack_mode = ack_mode
        self.batch = batch
        self.commit_every = commit_every
        self.status_url = status_url
        self.pass_limit = pass_limit          # rows per deliver_pass (0: all); drain ignores it
        self._swept = False

    # -- reading the outbox ---------------------------------------------------------------------
    def _rows(self, now: str, only: str | None = None) -> Iterator[tuple[Any, ...]]:
        last = 0
        where = "o.state='pending' AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= ?)"
        args: list[Any] = [now]
        if only is not None:
            where, args = "o.document_id=?", [only]
        while True:
            rows = self.conn.execute(
                "SELECT o.id, o.document_id, o.attempts, fp.path, fp.sha256, fp.bytes, fm.path, fm.sha256, fm.bytes "
                "FROM outbox o JOIN appeals a USING (document_id) "
                "JOIN files fp ON fp.id = a.pdf_file JOIN files fm ON fm.id = a.metadata_file "
                f"WHERE {where} AND o.id > ? ORDER BY o.id LIMIT ?", (*args, last, self.batch),
            ).fetchall()
            if not rows:
                return
            yield from rows
            last = rows[-1][0]
            if len(rows) < self.batch:
                return

    def _document(self, row: tuple[Any, ...]) -> Document:
        _, doc, _, pdf_path, pdf_sha, pdf_bytes, meta_path, meta_sha, meta_bytes = row
        metadata = self.store.spool.read(FileRef(meta_path, meta_sha, meta_bytes))
        return Document(doc, self.store.spool.path_of(pdf_path), pdf_sha, pdf_bytes, metadata)

    def pending_count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM outbox WHERE state='pending'").fetchone()[0])

    # -- the delivery pass ----------------------------------------------------------------------
    def folder_paused_until(self) -> dt.datetime | None:
        return parse(self.store.outbox.kv_get("drop.retry_at"))

    def deliver_pass(self, *, now: dt.datetime | None = None, force: bool = False,
                     progress: Callable[[int], None] | None = None, only: str | None = None,
                     limit: int | None = None) -> PassResult:
        """Deliver the due pending rows (at most ``limit``, default ``pass_limit``; 0 = all);
        stop at the first folder fault."""
        limit = self.pass_limit if limit is None else limit
        now = now or utcnow()
        result = PassResult()
        paused = self.folder_paused_until()
        if paused is not None and paused > now and not force:
            result.fault = self.store.outbox.kv_get("drop.fault")
            return result
        group: list[tuple[tuple[Any, ...], Document]] = []
        try:
            self.drop.check()
            if not self._swept:
                self.drop.sweep_temporaries(f"{self.store.terminal:03d}")
                self._swept = True
            for n, row in enumerate(self._rows(iso(now), only)):
                if limit and n >= limit:
                    break
                try:
                    group.append((row, self._document(row)))
                except SpoolError as err:
                    raise _Failed(row, DropFault("spool_corrupt", str(err))) from err
                if len(group) >= self.commit_every:
                    self._deliver_group(group, result, progress)
                    group = []
            self._deliver_group(group, result, progress)
        except _Failed as failed:
            self._fault(failed.row, failed.fault, now)
            result.fault = failed.fault.as_dict()
            return result
        except DropFault as fault:           # the check, the sweep or listing: the oldest due row carries it
            self._fault(next(self._rows(iso(now), only), None), fault, now)
            result.fault = fault.as_dict()
            return result
        self._healthy()
        return result

    def _deliver_group(self, group: list[tuple[tuple[Any, ...], Document]], result: PassResult,
                       progress: Callable[[int], None] | None) -> None:
        if not group:
            return
        by_doc = {doc.document_id: row for row, doc in group}
        try:
            outcomes = self.drop.deliver_many([doc for _, doc in group])
            faultpoints.reached("sync.delivered_uncommitted")
        except DropFault as fault:
            completed = getattr(fault, "completed", [])
            self._commit_delivered([(by_doc[d][0], d, o) for d, o in completed])
            result.delivered += len(completed)
            first = next((row for row, doc in group if doc.document_id not in dict(completed)), group[0][0])
            raise _Failed(first, fault) from None
        self._commit_delivered([(by_doc[d][0], d, o) for d, o in outcomes])
        result.delivered += len(outcomes)
        if progress is not None:
            progress(len(outcomes))

    def _commit_delivered(self, done: list[tuple[int, str, str]]) -> None:
        if not done:
            return
        with self.store.transaction():
            for outbox_id, doc, outcome in done:
                self.store.outbox.delivered(outbox_id, doc, outcome)
            _clear_fault(self.store)

    def _fault(self, row: tuple[Any, ...] | None, fault: DropFault, now: dt.datetime) -> None:
        box = self.store.outbox
        with self.store.transaction():
            failures = int(box.kv_get("drop.failures", 0)) + 1
            prior = box.kv_get("drop.fault")
            delay = self.backoff.delay(failures)
            retry_at = now + dt.timedelta(seconds=delay)
            info = {**fault.as_dict(), "since": (prior or {}).get("since") or iso(now), "failures": failures,
                    "retry_at": iso(retry_at)}
            box.kv_set("drop.fault", info)
            box.kv_set("drop.failures", failures)
            box.kv_set("drop.retry_at", iso(retry_at))
            if row is not None:
                box.delivery_failed(row[0], f"{fault.code}: {fault}", retry_at)
            box.raise_alert("drop.fault", f"drop_{fault.code}", f"{fault.as_dict()['uk']} / {fault}",
                            "critical" if fault.code == "spool_corrupt" else "warning")
        log.warning("drop folder fault %s (%s); retry in %.1f s", fault.code, fault, delay)

    def _healthy(self) -> None:
        _clear_fault(self.store)

    # -- acknowledgements -----------------------------------------------------------------------
    def ack_pass(self) -> PassResult:
        result = PassResult()
        try:
            if self.ack_mode == "ack-file":
                self._acks_from_files(result)
            else:
                self._acks_from_removal(result)
        except DropFault as fault:
            result.fault = fault.as_dict()
        return result

    def _state(self, doc: str) -> str | None:
        return self.store.outbox.state(doc)

    def _acks_from_files(self, result: PassResult) -> None:
        """Stream the folder; handle acknowledgements in chunks (memory stays flat)."""
        chunk: list[str] = []
        for name in self.drop.iter_names():
            if name.endswith(".ack.json") and not name.startswith("."):
                chunk.append(name[: -len(".ack.json")])
                if len(chunk) >= self.batch:
                    self._handle_acks(chunk, result)
                    chunk = []
        self._handle_acks(chunk, result)

    def _handle_acks(self, docs: list[str], result: PassResult) -> None:
        for doc in sorted(docs):
            state = self._state(doc)
            if state is None:
                continue                      # another terminal's document in a shared folder
            if state in ("pending", "delivered"):
                ack = self.drop.read_ack(doc)
                if ack is None:
                    continue
                self._record_ack(doc, ack, result)
                faultpoints.reached("sync.ack_recorded")
            self.drop.remove(doc)

    def _acks_from_removal(self, result: PassResult) -> None:
        self.drop.check()                     # a missing mount must not look like "all imported"
        last = 0
        while True:
            rows = self.conn.execute("SELECT id, document_id FROM outbox WHERE state='delivered' AND id > ? "
                                     "ORDER BY id LIMIT ?", (last, self.batch)).fetchall()
            if not rows:
                return
            for _, doc in rows:
                try:
                    gone = not self.drop.fs.exists(self.drop.json_path(doc))
                except OSError as err:
                    raise fault_from(err, f"checking {doc}.json") from err
                if gone:
                    self.drop.check()         # the share did not vanish in the meantime
                    self._record_ack(doc, {"status": "registered", "registration_index": None}, result)
            last = rows[-1][0]

    def _record_ack(self, doc: str, ack: dict[str, Any], result: PassResult) -> None:
        status = ack.get("status")
        index = ack.get("registration_index")
        if status == "registered":
            self.store.outbox.acknowledged(doc, index, texts.registered(doc, index, self.status_url))
            result.acknowledged += 1
        else:
            self.store.outbox.rejected(doc, str(ack.get("reason") or "rejected by the EDMS"))
            result.rejected += 1

    # -- alerts ---------------------------------------------------------------------------------
    def oldest_unimported(self) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT document_id, created_at, state FROM outbox WHERE state IN ('pending', 'delivered') "
                                "ORDER BY id LIMIT 1").fetchone()
        if row is None:
            return None
        return {"number": row[0], "since": iso(parse(row[1]) or utcnow()), "state": row[2]}

    def unimported_count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'delivered')").fetchone()[0])

    def check_alerts(self, now: dt.datetime | None = None) -> None:
        now = now or utcnow()
        oldest = self.oldest_unimported()
        if oldest is not None and (now - (parse(oldest["since"]) or now)).total_seconds() > self.alert_after:
            n = self.unimported_count()
            self.store.outbox.raise_alert(
                "drop.unimported", "unimported",
                f"{n} документ(ів) не прийнято СЕД довше {int(self.alert_after)} с; найдавніший "
                f"{oldest['number']} з {oldest['since']} / {n} document(s) unacknowledged past "
                f"drop.alert_after; oldest {oldest['number']} ({oldest['state']})")
        else:
            self.store.outbox.clear_alert("drop.unimported")

    # -- by hand --------------------------------------------------------------------------------
    def redeliver(self, doc: str) -> bool:
        """Deliver ``doc`` again (a rejected document, or one the EDMS lost)."""
        if not self.store.outbox.redeliver(doc):
            return False
        try:
            self.drop.remove(doc)
        except DropFault as fault:
            log.warning("redeliver %s: could not clear old files: %s", doc, fault)
        return True
