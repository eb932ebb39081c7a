"""Talking to the city server: events owed (delivered, acknowledged, sms_sent, alert), the
heartbeat, the cursor feed of status changes and answers, and answer PDFs kept for reprint.

The feed cursor is stored in the same transaction as what the items changed, so a crash
replays at most the items not yet recorded (harmless: every change is idempotent).

An answer is downloaded to ``<spool>/tmp/answer-<id>.download`` (resumed with HTTP Range after
an interruption), verified against its SHA-256, moved to ``<spool>/answer/<sha[:2]>/<sha>.pdf``
and referenced in ``files`` (kind ``answer``) and ``sync_answers.file_id``: the kiosk prints it
from there (``kioskctl reprint``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sqlite3
from collections.abc import Callable
from typing import Any

from kiosk_app.core.server_client import ChecksumMismatch, ServerClient, ServerRefused, ServerUnavailable
from kiosk_app.core.spool import FileRef, fsync_dir
from kiosk_app.core.store import Store

from . import texts
from .delivery import _core_event, schedule_sms
from .state import Backoff, iso, kv_get, kv_set, queue_event, utcnow

log = logging.getLogger(__name__)


class ServerSync:
    def __init__(self, store: Store, client: ServerClient, *, status_url: str, feed_limit: int = 100,
                 backoff: Backoff | None = None, heartbeat_body: Callable[[], dict[str, Any]] | None = None) -> None:
        self.store = store
        self.client = client
        self.status_url = status_url
        self.feed_limit = feed_limit
        self.backoff = backoff or Backoff()
        self.heartbeat_body = heartbeat_body or (lambda: {})
        self.heartbeat_interval: float | None = None

    @property
    def conn(self) -> sqlite3.Connection:
        return self.store.conn

    def _server_error(self, what: str, err: Exception) -> None:
        with self.store.transaction() as c:
            kv_set(c, "server.last_error", {"at": iso(utcnow()), "what": what, "message": str(err)})
        log.warning("server: %s: %s", what, err)

    def _server_ok(self) -> None:
        if kv_get(self.conn, "server.last_error") is not None:
            with self.store.transaction() as c:
                kv_set(c, "server.last_ok", iso(utcnow()))
                c.execute("DELETE FROM sync_kv WHERE key='server.last_error'")

    # -- events ----------------------------------------------------------------------------------
    def push_events(self, limit: int = 200) -> int:
        rows = self.conn.execute("SELECT id, idem_key, body_json FROM sync_events_out WHERE sent_at IS NULL "
                                 "AND attempts < 10 ORDER BY id LIMIT ?", (limit,)).fetchall()
        sent = 0
        for row_id, key, body in rows:
            try:
                self.client.post_event(json.loads(body), key)
            except ServerUnavailable as err:
                self._server_error("events", err)
                return sent
            except ServerRefused as err:
                with self.store.transaction() as c:
                    c.execute("UPDATE sync_events_out SET attempts=attempts+1, last_error=? WHERE id=?", (str(err), row_id))
                log.error("server refused event %s: %s", key, err)
                continue
            with self.store.transaction() as c:
                c.execute("UPDATE sync_events_out SET sent_at=?, attempts=attempts+1 WHERE id=?", (iso(utcnow()), row_id))
            sent += 1
        if sent:
            self._server_ok()
        return sent

    def forward_access_locks(self) -> int:
        """Queue an ``alert`` event for each receipt-code lockout the kiosk recorded (core event
        ``access_locked``): the technician sees it on the fleet page. The number only, no code."""
        seen = int(kv_get(self.conn, "access.locks_forwarded", 0))
        rows = self.conn.execute("SELECT id, document_id, detail_json FROM events WHERE event='access_locked' AND id>? "
                                 "ORDER BY id LIMIT 100", (seen,)).fetchall()
        if not rows:
            return 0
        with self.store.transaction() as c:
            for event_id, doc, detail in rows:
                scope = json.loads(detail or "{}").get("scope", "")
                queue_event(c, "alert", doc, {"severity": "warning", "code": "access_locked",
                                              "message": f"appeal {doc}: receipt code locked at the kiosk ({scope})"},
                            key=f"access-locked-{self.store.terminal:03d}-{event_id}")
            kv_set(c, "access.locks_forwarded", rows[-1][0])
        return len(rows)

    # -- heartbeat -------------------------------------------------------------------------------
    def heartbeat(self) -> dict[str, Any] | None:
        body = {"sent_at": iso(utcnow()), **self.heartbeat_body()}
        try:
            answer = self.client.heartbeat(body)
        except (ServerUnavailable, ServerRefused) as err:
            self._server_error("heartbeat", err)
            return None
        self.heartbeat_interval = answer.get("heartbeat_interval_s")
        with self.store.transaction() as c:
            kv_set(c, "server.last_heartbeat", body["sent_at"])
        self._server_ok()
        return answer

    # -- the feed --------------------------------------------------------------------------------
    def poll_feed(self, max_pages: int = 20) -> int:
        n = 0
        for _ in range(max_pages):
            cursor = kv_get(self.conn, "feed.cursor", "")
            try:
                page = self.client.feed(cursor, self.feed_limit)
            except (ServerUnavailable, ServerRefused) as err:
                self._server_error("feed", err)
                return n
            items = page.get("items") or []
            with self.store.transaction() as c:
                for item in items:
                    self._apply(c, item)
                kv_set(c, "feed.cursor", str(page.get("next_cursor", cursor)))
            n += len(items)
            if not page.get("has_more") or not items:
                break
        self._server_ok()
        return n

    def _apply(self, c: sqlite3.Connection, item: dict[str, Any]) -> None:
        doc = str(item.get("number", ""))
        if c.execute("SELECT 1 FROM appeals WHERE document_id=?", (doc,)).fetchone() is None:
            log.info("feed item %s for an appeal not in this store; ignored", item.get("seq"))
            return
        status = item.get("status")
        _core_event(c, doc, "server_status", {"status": status, "seq": item.get("seq"),
                                              "registration_index": item.get("registration_index")})
        if item.get("registration_index"):
            c.execute("UPDATE outbox SET registration_index=COALESCE(registration_index, ?) WHERE document_id=?",
                      (item["registration_index"], doc))
        if status in ("answered", "rejected"):
            c.execute("UPDATE appeals SET state=? WHERE document_id=?", (status, doc))
        answer = item.get("answer")
        if item.get("type") == "answer" and isinstance(answer, dict) and answer.get("id"):
            c.execute(
                "INSERT OR IGNORE INTO sync_answers (answer_id, document_id, url, sha256, size, summary, published_at, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (answer["id"], doc, answer["url"], str(answer["sha256"]).lower(), int(answer.get("size") or 0),
                 answer.get("summary") or "", answer.get("published_at"), iso(utcnow())),
            )
            schedule_sms(c, doc, "answer", texts.answer(doc, self.status_url), answer_id=str(answer["id"]))

    # -- answer PDFs -----------------------------------------------------------------------------
    def download_answers(self, now: dt.datetime | None = None) -> int:
        now = now or utcnow()
        rows = self.conn.execute(
            "SELECT answer_id, document_id, url, sha256, size, attempts FROM sync_answers WHERE state='pending' "
            "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY created_at LIMIT 20", (iso(now),)).fetchall()
        done = 0
        for answer_id, doc, url, sha, size, attempts in rows:
            partial = self.store.spool.tmp / f"answer-{answer_id}.download"
            try:
                self.client.download(url, partial, sha256=sha, size=size or None)
            except (ServerUnavailable, ChecksumMismatch, ServerRefused, OSError) as err:
                have = partial.stat().st_size if partial.exists() else 0
                delay = self.backoff.delay(attempts + 1)
                with self.store.transaction() as c:
                    c.execute("UPDATE sync_answers SET attempts=attempts+1, last_error=?, next_attempt_at=?, "
                              "downloaded_bytes=?, partial_path=? WHERE answer_id=?",
                              (str(err), iso(now + dt.timedelta(seconds=delay)), have,
                               str(partial.relative_to(self.store.spool.root)), answer_id))
                log.warning("answer %s for %s: %s (have %d bytes; retry in %.0f s)", answer_id, doc, err, have, delay)
                continue
            rel = f"answer/{sha[:2]}/{sha}.pdf"
            final = self.store.spool.root / rel
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(partial, final)
            fsync_dir(final.parent)
            with self.store.transaction() as c:
                file_id = self.store.add_file(c, FileRef(rel, sha, final.stat().st_size), "answer")
                c.execute("UPDATE sync_answers SET state='complete', file_id=?, downloaded_bytes=?, partial_path=NULL, "
                          "completed_at=?, last_error=NULL WHERE answer_id=?",
                          (file_id, final.stat().st_size, iso(utcnow()), answer_id))
                _core_event(c, doc, "answer_stored", {"answer_id": answer_id, "sha256": sha})
            done += 1
        return done


def answers_for(store: Store, document_id: str) -> list[dict[str, Any]]:
    """Complete answers of an appeal for the kiosk's reprint: id, summary, the spool path."""
    rows = store.conn.execute(
        "SELECT s.answer_id, s.summary, s.published_at, f.path, f.sha256, f.bytes FROM sync_answers s "
        "JOIN files f ON f.id = s.file_id WHERE s.document_id=? AND s.state='complete' ORDER BY s.published_at",
        (document_id,)).fetchall()
    return [{"answer_id": r[0], "summary": r[1], "published_at": r[2], "path": str(store.spool.path_of(r[3])),
             "sha256": r[4], "bytes": r[5]} for r in rows]
