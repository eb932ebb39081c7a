"""The appeal's life after the commit, and the sync agent's bookkeeping: the second half of the
store (:mod:`kiosk_app.core.store` holds the first), reached as ``store.outbox``.

Each state change of an appeal is one named method, run in one transaction (or inside the
caller's ``store.transaction()``, which it joins):

===========================  ==============================  ==================================
change                       method                          called by
===========================  ==============================  ==================================
committed -> delivered       :meth:`Outbox.delivered`        ``sync_agent.delivery``
delivered -> imported        :meth:`Outbox.acknowledged`     ``sync_agent.delivery``
-> rejected (by the EDMS)    :meth:`Outbox.rejected`         ``sync_agent.delivery``
rejected -> committed        :meth:`Outbox.redeliver`        ``sync-agent redeliver``
-> answered / rejected       :meth:`Outbox.server_reported`  ``sync_agent.server_sync``
answer kept for reprint      :meth:`Outbox.answer_stored`    ``sync_agent.server_sync``
texted                       :meth:`Outbox.sms_sent`         ``sync_agent.sms``
purged                       :meth:`Outbox.purge`            ``sync_agent.retention``
answer file gone             :meth:`Outbox.purge_answer`     ``Terminal.print_answer``, retention
OCR-replaced                 :meth:`Outbox.replace_with_ocr`  ``kiosk_app.core.ocr_job``
===========================  ==============================  ==================================

docs/architecture.md draws the whole machine. Times: :func:`kiosk_app.core.store_base.iso` (UTC).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
import uuid
from typing import Any, Protocol

import sqlite_utils

from .spool import FileRef, Spool
from .store_base import iso, now_iso, record_event


class StoreHalf(Protocol):
    """What the outbox uses of :class:`kiosk_app.core.store.Store`, which builds it (and so is
    imported by nobody here)."""

    conn: sqlite3.Connection
    db: sqlite_utils.Database
    spool: Spool
    terminal: int

    def transaction(self) -> contextlib.AbstractContextManager[sqlite3.Connection]: ...

    def add_file(self, conn: sqlite3.Connection, ref: FileRef, kind: str) -> int: ...

    def access_hash(self, document_id: str) -> str | None: ...


class Outbox:
    def __init__(self, store: StoreHalf) -> None:
        self.store = store

    @property
    def conn(self) -> sqlite3.Connection:
        return self.store.conn

    # -- delivery to the EDMS drop folder --------------------------------------------------------
    def delivered(self, outbox_id: int, document_id: str, outcome: str) -> None:
        """committed -> delivered: the pair is in the drop folder."""
        with self.store.transaction() as c:
            c.execute("UPDATE outbox SET state='delivered', delivered_at=?, attempts=attempts+1, last_error=NULL, "
                      "next_attempt_at=NULL WHERE id=? AND state='pending'", (now_iso(), outbox_id))
            c.execute("UPDATE appeals SET state='delivered' WHERE document_id=? AND state='committed'", (document_id,))
            record_event(c, document_id, "delivered", {"outcome": outcome})
            # the receipt code's salted hash travels with the appeal's delivered event (never the code)
            hashed = None if "-A" in document_id else self.store.access_hash(document_id)
            self.queue_event("delivered", document_id, {"documents": [document_id], "outcome": outcome},
                             access_hash=hashed)

    def delivery_failed(self, outbox_id: int, error: str, retry_at: dt.datetime) -> None:
        with self.store.transaction() as c:
            c.execute("UPDATE outbox SET attempts=attempts+1, last_error=?, next_attempt_at=? WHERE id=?",
                      (error, iso(retry_at), outbox_id))

    def acknowledged(self, document_id: str, registration_index: str | None, sms_text: str) -> None:
        """delivered -> imported: the EDMS registered it; the resident is owed a message."""
        with self.store.transaction() as c:
            c.execute("UPDATE outbox SET state='imported', imported_at=?, registration_index=?, last_error=NULL "
                      "WHERE document_id=? AND state IN ('pending', 'delivered')", (now_iso(), registration_index,
                                                                                     document_id))
            c.execute("UPDATE appeals SET state='imported' WHERE document_id=? AND state IN ('committed', 'delivered')",
                      (document_id,))
            record_event(c, document_id, "imported", {"registration_index": registration_index})
            self.queue_event("acknowledged", document_id, {"document": document_id, "status": "registered"})
            self.owe_sms(document_id, "registered", sms_text)

    def rejected(self, document_id: str, reason: str) -> None:
        """-> rejected: the EDMS refused it; an alert tells the technician how to send it again."""
        with self.store.transaction() as c:
            c.execute("UPDATE outbox SET state='rejected', last_error=? WHERE document_id=?",
                      (f"rejected: {reason}", document_id))
            c.execute("UPDATE appeals SET state='rejected' WHERE document_id=?", (document_id,))
            record_event(c, document_id, "rejected", {"reason": reason})
            self.queue_event("acknowledged", document_id,
                             {"document": document_id, "status": "rejected", "reason": reason})
            self.raise_alert(f"rejected:{document_id}", "edms_rejected",
                             f"СЕД відхилила {document_id} / the EDMS rejected {document_id}: {reason}; "
                             f"sync-agent redeliver {document_id}")

    def redeliver(self, document_id: str) -> bool:
        """Back to committed/pending (a rejected document, or one the EDMS lost); False: unknown."""
        with self.store.transaction() as c:
            changed = c.execute("UPDATE outbox SET state='pending', attempts=0, next_attempt_at=NULL, last_error=NULL, "
                                "delivered_at=NULL WHERE document_id=?", (document_id,)).rowcount
            if not changed:
                return False
            c.execute("UPDATE appeals SET state='committed' WHERE document_id=?", (document_id,))
            record_event(c, document_id, "redeliver", {})
            self.clear_alert(f"rejected:{document_id}")
            self.kv_del("drop.retry_at")
        return True

    def state(self, document_id: str) -> str | None:
        row = self.conn.execute("SELECT state FROM outbox WHERE document_id=?", (document_id,)).fetchone()
        return None if row is None else str(row[0])

    def entry(self, document_id: str) -> dict[str, Any]:
        """The outbox row of an appeal ({} when there is none)."""
        return next(iter(self.store.db.query("SELECT * FROM outbox WHERE document_id=?", [document_id])), {})

    # -- the city server -------------------------------------------------------------------------
    def server_reported(self, item: dict[str, Any]) -> bool:
        """Apply one item of the server's feed (status, registration index, answered/rejected);
        False for an appeal not in this store."""
        doc = str(item.get("number", ""))
        with self.store.transaction() as c:
            if c.execute("SELECT 1 FROM appeals WHERE document_id=?", (doc,)).fetchone() is None:
                return False
            status = item.get("status")
            record_event(c, doc, "server_status", {"status": status, "seq": item.get("seq"),
                                             "registration_index": item.get("registration_index")})
            if item.get("registration_index"):
                c.execute("UPDATE outbox SET registration_index=COALESCE(registration_index, ?) WHERE document_id=?",
                          (item["registration_index"], doc))
            if status in ("answered", "rejected"):
                c.execute("UPDATE appeals SET state=? WHERE document_id=?", (status, doc))
        return True

    def answer_published(self, document_id: str, answer: dict[str, Any], sms_text: str) -> None:
        """An answer to download (once per answer id); the resident is owed a message."""
        with self.store.transaction() as c:
            c.execute(
                "INSERT OR IGNORE INTO sync_answers (answer_id, document_id, url, sha256, size, summary, published_at, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (answer["id"], document_id, answer["url"], str(answer["sha256"]).lower(), int(answer.get("size") or 0),
                 answer.get("summary") or "", answer.get("published_at"), now_iso()))
            self.owe_sms(document_id, "answer", sms_text, answer_id=str(answer["id"]))

    def answers_to_download(self, now: dt.datetime, limit: int = 20) -> list[tuple[Any, ...]]:
        return self.conn.execute(
            "SELECT answer_id, document_id, url, sha256, size, attempts FROM sync_answers WHERE state='pending' "
            "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY created_at LIMIT ?",
            (iso(now), limit)).fetchall()

    def answer_download_failed(self, answer_id: str, error: str, retry_at: dt.datetime, have: int,
                               partial: str) -> None:
        with self.store.transaction() as c:
            c.execute("UPDATE sync_answers SET attempts=attempts+1, last_error=?, next_attempt_at=?, "
                      "downloaded_bytes=?, partial_path=? WHERE answer_id=?",
                      (error, iso(retry_at), have, partial, answer_id))

    def answer_stored(self, answer_id: str, document_id: str, ref: FileRef) -> None:
        """The verified answer PDF is in the spool: referenced for reprint."""
        with self.store.transaction() as c:
            file_id = self.store.add_file(c, ref, "answer")
            c.execute("UPDATE sync_answers SET state='complete', file_id=?, downloaded_bytes=?, partial_path=NULL, "
                      "completed_at=?, last_error=NULL WHERE answer_id=?", (file_id, ref.bytes, now_iso(), answer_id))
            record_event(c, document_id, "answer_stored", {"answer_id": answer_id, "sha256": ref.sha256})

    def answers(self, document_id: str) -> list[dict[str, Any]]:
        """The answers of an appeal still kept here, oldest first: id, summary, date, spool file."""
        rows = self.conn.execute(
            "SELECT s.answer_id, s.summary, s.published_at, f.path, f.sha256, f.bytes FROM sync_answers s "
            "JOIN files f ON f.id = s.file_id WHERE s.document_id=? AND s.state='complete' AND s.purged_at IS NULL AND f.purged_at IS NULL "
            "ORDER BY s.published_at, s.answer_id", (document_id,)).fetchall()
        return [{"answer_id": r[0], "summary": r[1], "published_at": r[2], "file": FileRef(r[3], r[4], r[5])}
                for r in rows]

    def purge_answer(self, answer_id: str, why: str, now: dt.datetime | None = None) -> str | None:
        """The answer PDF leaves the terminal (printed, or its retention ended); the row stays,
        marked. Returns the spool path removed (None: gone already, or another kept answer has
        the same content)."""
        at = iso(now) if now is not None else now_iso()
        path = None
        with self.store.transaction() as c:
            row = c.execute("SELECT s.document_id, f.id, f.path, f.purged_at FROM sync_answers s LEFT JOIN files f "
                            "ON f.id = s.file_id WHERE s.answer_id=? AND s.purged_at IS NULL", (answer_id,)).fetchone()
            if row is None:
                return None
            c.execute("UPDATE sync_answers SET purged_at=? WHERE answer_id=?", (at, answer_id))
            shared = c.execute("SELECT 1 FROM sync_answers WHERE file_id=? AND purged_at IS NULL",
                               (row[1],)).fetchone()
            if row[1] is not None and row[3] is None and not shared:
                c.execute("UPDATE files SET purged_at=? WHERE id=?", (at, row[1]))
                path = str(row[2])
            record_event(c, row[0], "answer_purged", {"answer_id": answer_id, "why": why})
        if path is not None:
            self.store.spool.remove(path)
        return path

    def answer_printed(self, document_id: str) -> list[str]:
        """The resident has the answer on paper: its PDFs leave the terminal (the server keeps
        them; a later lookup asks it). Returns the spool paths removed."""
        return [p for a in self.answers(document_id) if (p := self.purge_answer(a["answer_id"], "printed"))]

    def answers_kept_since(self, cutoff: dt.datetime, limit: int = 200) -> list[str]:
        """Answers stored at or before ``cutoff`` whose file is still here."""
        return [r[0] for r in self.conn.execute(
            "SELECT answer_id FROM sync_answers WHERE state='complete' AND purged_at IS NULL AND completed_at <= ? "
            "ORDER BY completed_at LIMIT ?", (iso(cutoff), limit)).fetchall()]

    # -- SMS to the resident ---------------------------------------------------------------------
    def owe_sms(self, document_id: str, kind: str, text: str, answer_id: str = "") -> bool:
        """Owe the resident a message (if they asked for one); once per (appeal, kind, answer)."""
        with self.store.transaction() as c:
            row = c.execute("SELECT sms_requested FROM appeals WHERE document_id=?", (document_id,)).fetchone()
            if row is None or not row[0]:
                return False
            return c.execute(
                "INSERT OR IGNORE INTO sync_sms (document_id, kind, answer_id, text, created_at) VALUES (?, ?, ?, ?, ?)",
                (document_id, kind, answer_id, text, now_iso())).rowcount > 0

    def sms_stored(self, sms_id: int, indexes: list[int]) -> None:
        with self.store.transaction() as c:
            c.execute("UPDATE sync_sms SET state='stored', indexes_json=?, parts_sent_json='[]' WHERE id=?",
                      (json.dumps(indexes), sms_id))

    def sms_storage_lost(self, sms_id: int) -> None:
        with self.store.transaction() as c:
            c.execute("UPDATE sync_sms SET state='pending', indexes_json=NULL WHERE id=?", (sms_id,))

    def sms_parts_sent(self, sms_id: int, parts: list[int]) -> None:
        with self.store.transaction() as c:
            c.execute("UPDATE sync_sms SET parts_sent_json=? WHERE id=?", (json.dumps(parts), sms_id))

    def sms_sent(self, sms_id: int, document_id: str, kind: str) -> None:
        """texted: every part went."""
        with self.store.transaction() as c:
            c.execute("UPDATE sync_sms SET state='sent', sent_at=?, last_error=NULL, attempts=attempts+1 WHERE id=?",
                      (now_iso(), sms_id))
            self.queue_event("sms_sent", document_id, {"document": document_id, "kind": kind})
            record_event(c, document_id, "sms_sent", {"kind": kind})

    def sms_failed(self, sms_id: int, document_id: str, kind: str, why: str) -> list[int]:
        """The message will not be sent; returns the modem storage slots it held."""
        with self.store.transaction() as c:
            row = c.execute("SELECT indexes_json FROM sync_sms WHERE id=?", (sms_id,)).fetchone()
            c.execute("UPDATE sync_sms SET state='failed', last_error=? WHERE id=?", (why, sms_id))
            record_event(c, document_id, "sms_failed", {"kind": kind, "reason": why})
        return json.loads(row[0]) if row and row[0] else []

    def sms_retry(self, sms_id: int, error: str, now: dt.datetime, retry_at: dt.datetime) -> None:
        with self.store.transaction() as c:
            c.execute("UPDATE sync_sms SET attempts=attempts+1, last_error=?, first_error_at=COALESCE(first_error_at, ?), "
                      "next_attempt_at=? WHERE id=?", (error, iso(now), iso(retry_at), sms_id))

    # -- retention ---------------------------------------------------------------------------------
    def purge(self, document_id: str, retention_days: int, now: dt.datetime | None = None) -> list[str]:
        """purged: the appeal's personal data (applicant, PDF, metadata, page images) leaves; its
        number, dates, states and audit trail stay. A file another unpurged appeal shares stays.
        Returns the spool paths removed (rows first, files after)."""
        at = iso(now) if now is not None else now_iso()
        paths: list[str] = []
        with self.store.transaction() as c:
            ids = [r[0] for r in c.execute(
                "SELECT pdf_file FROM appeals WHERE document_id=? UNION SELECT metadata_file FROM appeals "
                "WHERE document_id=? UNION SELECT file FROM pages WHERE document_id=? AND file IS NOT NULL",
                (document_id, document_id, document_id)).fetchall() if r[0] is not None]
            for file_id in ids:
                if self._shared(file_id, document_id):
                    continue
                row = c.execute("SELECT path FROM files WHERE id=? AND purged_at IS NULL", (file_id,)).fetchone()
                if row is None:
                    continue
                c.execute("UPDATE files SET purged_at=? WHERE id=?", (at, file_id))
                paths.append(row[0])
            # a receipt code never printed (printer fault, nobody reprinted) goes too; its hash stays
            c.execute("UPDATE appeals SET applicant_json=NULL, access_code=NULL, purged_at=? WHERE document_id=?",
                      (at, document_id))
            record_event(c, document_id, "purged", {"files": len(paths), "retention_days": retention_days})
        for rel in paths:
            self.store.spool.remove(rel)
        return paths

    def _shared(self, file_id: int, doc: str) -> bool:
        return self.conn.execute(
            "SELECT 1 FROM appeals WHERE document_id != ? AND purged_at IS NULL AND (pdf_file=? OR metadata_file=?) "
            "UNION SELECT 1 FROM pages p JOIN appeals a USING (document_id) WHERE p.document_id != ? "
            "AND a.purged_at IS NULL AND p.file=? LIMIT 1", (doc, file_id, file_id, doc, file_id)).fetchone() is not None

    def due_for_purge(self, cutoff: dt.datetime, limit: int = 200) -> list[str]:
        """Appeals imported at or before ``cutoff`` whose personal data is still here."""
        return [r[0] for r in self.conn.execute(
            "SELECT a.document_id FROM appeals a JOIN outbox o USING (document_id) WHERE a.purged_at IS NULL "
            "AND o.state='imported' AND o.imported_at <= ? ORDER BY o.id LIMIT ?", (iso(cutoff), limit)).fetchall()]

    def purged_files_since(self, since: dt.datetime) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT path FROM files WHERE purged_at IS NOT NULL AND purged_at >= ?",
                                                (iso(since),)).fetchall()]

    # -- the OCR text layer ------------------------------------------------------------------------
    def held_for_ocr(self, now: dt.datetime) -> list[tuple[str, FileRef, FileRef]]:
        """Appeals whose delivery is still held for their text layer: (document, PDF, metadata)."""
        rows = self.conn.execute(
            "SELECT a.document_id, fp.path, fp.sha256, fp.bytes, fm.path, fm.sha256, fm.bytes "
            "FROM outbox o JOIN appeals a USING (document_id) JOIN files fp ON fp.id = a.pdf_file "
            "JOIN files fm ON fm.id = a.metadata_file "
            "WHERE o.state='pending' AND o.attempts=0 AND o.next_attempt_at > ? ORDER BY o.id", (iso(now),)).fetchall()
        return [(r[0], FileRef(r[1], r[2], r[3]), FileRef(r[4], r[5], r[6])) for r in rows]

    def replace_with_ocr(self, document_id: str, old: tuple[FileRef, FileRef], new: tuple[FileRef, FileRef],
                         held_past: dt.datetime, detail: dict[str, Any]) -> bool:
        """OCR-replaced: point the appeal at the PDF with a text layer and its metadata, and
        release the hold, only if the hold still stands past ``held_past``. The old files'
        rows go (their files are removed after the commit). False: too late, nothing changed."""
        with self.store.transaction() as c:
            held = c.execute("SELECT 1 FROM outbox WHERE document_id=? AND state='pending' AND attempts=0 "
                             "AND next_attempt_at > ?", (document_id, iso(held_past))).fetchone()
            if not held:
                return False
            pdf_id = self.store.add_file(c, new[0], "pdf")
            meta_id = self.store.add_file(c, new[1], "metadata")
            c.execute("UPDATE appeals SET pdf_file=?, metadata_file=? WHERE document_id=?", (pdf_id, meta_id, document_id))
            c.execute("UPDATE outbox SET next_attempt_at=NULL WHERE document_id=?", (document_id,))
            for ref in old:
                c.execute("DELETE FROM files WHERE path=? AND NOT EXISTS (SELECT 1 FROM appeals a JOIN files f "
                          "ON f.id IN (a.pdf_file, a.metadata_file) WHERE f.path=?)", (ref.path, ref.path))
            record_event(c, document_id, "ocr_added", detail)
        for ref in old:
            if not self.conn.execute("SELECT 1 FROM files WHERE path=?", (ref.path,)).fetchone():
                self.store.spool.remove(ref.path)
        return True

    def release_ocr_hold(self, document_id: str) -> None:
        """The text layer will not come: deliver without it now."""
        with self.store.transaction() as c:
            c.execute("UPDATE outbox SET next_attempt_at=NULL WHERE document_id=? AND state='pending' AND attempts=0",
                      (document_id,))

    # -- small durable state of the sync agent: key/value, alerts, events owed to the server -------
    def kv_get(self, key: str, default: Any = None) -> Any:
        row = self.conn.execute("SELECT value FROM sync_kv WHERE key=?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    def kv_set(self, key: str, value: Any) -> None:
        with self.store.transaction() as c:
            c.execute("INSERT INTO sync_kv (key, value, updated_at) VALUES (?, ?, ?) "
                      "ON CONFLICT(key) DO UPDATE SET value=excluded.value, updated_at=excluded.updated_at",
                      (key, json.dumps(value, ensure_ascii=False), now_iso()))

    def kv_del(self, key: str) -> None:
        with self.store.transaction() as c:
            c.execute("DELETE FROM sync_kv WHERE key=?", (key,))

    def raise_alert(self, key: str, code: str, message: str, severity: str = "warning") -> bool:
        """Raise (or refresh the message of) the active alert ``key``; True when it is new."""
        with self.store.transaction() as c:
            row = c.execute("SELECT id FROM sync_alerts WHERE key=? AND cleared_at IS NULL", (key,)).fetchone()
            if row is not None:
                c.execute("UPDATE sync_alerts SET message=?, severity=? WHERE id=?", (message, severity, row[0]))
                return False
            c.execute("INSERT INTO sync_alerts (key, severity, code, message, raised_at) VALUES (?, ?, ?, ?, ?)",
                      (key, severity, code, message, now_iso()))
            self.queue_event("alert", None, {"severity": severity, "code": code, "message": message})
        return True

    def clear_alert(self, key: str) -> bool:
        with self.store.transaction() as c:
            return c.execute("UPDATE sync_alerts SET cleared_at=? WHERE key=? AND cleared_at IS NULL",
                             (now_iso(), key)).rowcount > 0

    def active_alerts(self) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT key, severity, code, message, raised_at FROM sync_alerts WHERE cleared_at IS NULL ORDER BY id").fetchall()
        return [dict(zip(("key", "severity", "code", "message", "raised_at"), r, strict=True)) for r in rows]

    def queue_event(self, type_: str, number: str | None, detail: dict[str, Any], key: str | None = None,
                    access_hash: str | None = None) -> None:
        """Owe the server an event (POST /events) with its Idempotency-Key. Never personal data.
        ``access_hash``: a ``delivered`` event carries the receipt code's salted hash (never the code)."""
        body: dict[str, Any] = {"type": type_, "number": number, "at": now_iso(), "detail": detail}
        if access_hash:
            body["access_hash"] = access_hash
        with self.store.transaction() as c:
            c.execute("INSERT OR IGNORE INTO sync_events_out (idem_key, body_json, created_at) VALUES (?, ?, ?)",
                      (key or str(uuid.uuid4()), json.dumps(body, ensure_ascii=False), now_iso()))

    def forward_access_locks(self, limit: int = 100) -> int:
        """Owe the server an ``alert`` event for each receipt-code lockout the kiosk recorded (core
        event ``access_locked``), once each (cursor ``access.locks_forwarded``). The number only."""
        seen = int(self.kv_get("access.locks_forwarded", 0))
        rows = self.conn.execute("SELECT id, document_id, detail_json FROM events WHERE event='access_locked' AND id>? "
                                 "ORDER BY id LIMIT ?", (seen, limit)).fetchall()
        if not rows:
            return 0
        with self.store.transaction():
            for event_id, doc, detail in rows:
                scope = json.loads(detail or "{}").get("scope", "")
                self.queue_event("alert", doc, {"severity": "warning", "code": "access_locked",
                                                "message": f"appeal {doc}: receipt code locked at the kiosk ({scope})"},
                                 key=f"access-locked-{self.store.terminal:03d}-{event_id}")
            self.kv_set("access.locks_forwarded", rows[-1][0])
        return len(rows)

    def events_owed(self, limit: int = 200) -> list[tuple[int, str, str]]:
        return self.conn.execute("SELECT id, idem_key, body_json FROM sync_events_out WHERE sent_at IS NULL "
                                 "AND attempts < 10 ORDER BY id LIMIT ?", (limit,)).fetchall()

    def event_sent(self, row_id: int) -> None:
        with self.store.transaction() as c:
            c.execute("UPDATE sync_events_out SET sent_at=?, attempts=attempts+1 WHERE id=?", (now_iso(), row_id))

    def event_refused(self, row_id: int, error: str) -> None:
        with self.store.transaction() as c:
            c.execute("UPDATE sync_events_out SET attempts=attempts+1, last_error=? WHERE id=?", (error, row_id))
