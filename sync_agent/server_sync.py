"""Talking to the city server: events owed (delivered, acknowledged, sms_sent, alert), the
heartbeat, the cursor feed of status changes and answers, and answer PDFs kept for reprint.

The feed cursor is stored in the same transaction as what the items changed, so a crash
replays at most the items not yet recorded (harmless: every change is idempotent).

An answer is downloaded to ``<spool>/tmp/answer-<id>.download`` (created 0600; resumed with HTTP
Range after an interruption), verified against its SHA-256, moved to
``<spool>/answer/<sha[:2]>/<sha>.pdf`` and referenced in ``files`` (kind ``answer``) and
``sync_answers.file_id``: the kiosk prints it from there, and removes it once printed (else the
retention pass removes it ``retention.days`` after it came). Every state change goes through the
store's named methods (``store.outbox``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
from collections.abc import Callable
from typing import Any

from kiosk_app.core.server_client import ChecksumMismatch, ServerClient, ServerRefused, ServerUnavailable
from kiosk_app.core.store import Store

from . import texts
from .state import Backoff, iso, utcnow

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
        self.store.outbox.kv_set("server.last_error", {"at": iso(utcnow()), "what": what, "message": str(err)})
        log.warning("server: %s: %s", what, err)

    def _server_ok(self) -> None:
        box = self.store.outbox
        if box.kv_get("server.last_error") is not None:
            with self.store.transaction():
                box.kv_set("server.last_ok", iso(utcnow()))
                box.kv_del("server.last_error")

    # -- events ----------------------------------------------------------------------------------
    def push_events(self, limit: int = 200) -> int:
        rows = self.store.outbox.events_owed(limit)
        sent = 0
        for row_id, key, body in rows:
            try:
                self.client.post_event(json.loads(body), key)
            except ServerUnavailable as err:
                self._server_error("events", err)
                return sent
            except ServerRefused as err:
                self.store.outbox.event_refused(row_id, str(err))
                log.error("server refused event %s: %s", key, err)
                continue
            self.store.outbox.event_sent(row_id)
            sent += 1
        if sent:
            self._server_ok()
        return sent

    def forward_access_locks(self) -> int:
        """Queue an ``alert`` event for each receipt-code lockout the kiosk recorded (core event
        ``access_locked``): the technician sees it on the fleet page. The number only, no code."""
        return self.store.outbox.forward_access_locks()

    # -- heartbeat -------------------------------------------------------------------------------
    def heartbeat(self) -> dict[str, Any] | None:
        body = {"sent_at": iso(utcnow()), **self.heartbeat_body()}
        try:
            answer = self.client.heartbeat(body)
        except (ServerUnavailable, ServerRefused) as err:
            self._server_error("heartbeat", err)
            return None
        self.heartbeat_interval = answer.get("heartbeat_interval_s")
        self.store.outbox.kv_set("server.last_heartbeat", body["sent_at"])
        self._server_ok()
        return answer

    # -- the feed --------------------------------------------------------------------------------
    def poll_feed(self, max_pages: int = 20) -> int:
        n = 0
        for _ in range(max_pages):
            cursor = self.store.outbox.kv_get("feed.cursor", "")
            try:
                page = self.client.feed(cursor, self.feed_limit)
            except (ServerUnavailable, ServerRefused) as err:
                self._server_error("feed", err)
                return n
            items = page.get("items") or []
            with self.store.transaction():          # the items and the cursor together
                for item in items:
                    self._apply(item)
                self.store.outbox.kv_set("feed.cursor", str(page.get("next_cursor", cursor)))
            n += len(items)
            if not page.get("has_more") or not items:
                break
        self._server_ok()
        return n

    def _apply(self, item: dict[str, Any]) -> None:
        if not self.store.outbox.server_reported(item):
            log.info("feed item %s for an appeal not in this store; ignored", item.get("seq"))
            return
        doc = str(item.get("number", ""))
        answer = item.get("answer")
        if item.get("type") == "answer" and isinstance(answer, dict) and answer.get("id"):
            self.store.outbox.answer_published(doc, answer, texts.answer(doc, self.status_url))

    # -- answer PDFs -----------------------------------------------------------------------------
    def download_answers(self, now: dt.datetime | None = None) -> int:
        now = now or utcnow()
        rows = self.store.outbox.answers_to_download(now)
        done = 0
        for answer_id, doc, url, sha, size, attempts in rows:
            partial = self.store.spool.tmp / f"answer-{answer_id}.download"
            self.store.spool.open_private(partial, append=True).close()     # 0600 before a byte arrives
            try:
                self.client.download(url, partial, sha256=sha, size=size or None)
            except (ServerUnavailable, ChecksumMismatch, ServerRefused, OSError) as err:
                if isinstance(err, ChecksumMismatch):
                    partial.unlink(missing_ok=True)         # nothing of it is worth resuming
                have = partial.stat().st_size if partial.exists() else 0
                delay = self.backoff.delay(attempts + 1)
                self.store.outbox.answer_download_failed(answer_id, str(err), now + dt.timedelta(seconds=delay), have,
                                                         str(partial.relative_to(self.store.spool.root)))
                log.warning("answer %s for %s: %s (have %d bytes; retry in %.0f s)", answer_id, doc, err, have, delay)
                continue
            ref = self.store.spool.place(partial, kind="answer", sha256=sha, suffix=".pdf")
            self.store.outbox.answer_stored(answer_id, doc, ref)
            done += 1
        return done


def answers_for(store: Store, document_id: str) -> list[dict[str, Any]]:
    """Answers of an appeal kept for the kiosk's reprint: id, summary, the spool path."""
    return [{"answer_id": a["answer_id"], "summary": a["summary"], "published_at": a["published_at"],
             "path": str(store.spool.path_of(a["file"])), "sha256": a["file"].sha256, "bytes": a["file"].bytes}
            for a in store.outbox.answers(document_id)]
