"""The sync agent's own tables in the terminal store, applied after the core migrations:
``Store(root, terminal=N, migrations=CORE + SYNC)``. Names are prefixed ``sync:``.

Times the agent writes are UTC ISO 8601 (``2026-11-28T21:50:00+00:00``) so that they compare as
text in SQL.
"""

from __future__ import annotations

from kiosk_app.core.migrations import CORE, Migration

_001_SYNC = """
    -- One row per message the resident is owed: at registration, and per answer.
    -- state: pending (not yet in the modem) -> stored (written to the modem's storage with
    -- AT+CMGW; indexes_json holds one index per part) -> sent (every part sent with AT+CMSS);
    -- failed (gave up after sms.give_up_after, or no phone); parts_sent_json: the indexes sent.
    CREATE TABLE sync_sms (
        id INTEGER PRIMARY KEY,
        document_id TEXT NOT NULL REFERENCES appeals(document_id),
        kind TEXT NOT NULL CHECK (kind IN ('registered', 'answer')),
        answer_id TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'stored', 'sent', 'failed')),
        text TEXT NOT NULL,                    -- no personal data: number, what happened, where
        indexes_json TEXT,
        parts_sent_json TEXT NOT NULL DEFAULT '[]',
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        first_error_at TEXT,
        last_error TEXT,
        created_at TEXT NOT NULL,
        sent_at TEXT,
        UNIQUE (document_id, kind, answer_id)
    );
    CREATE INDEX sync_sms_state ON sync_sms(state, next_attempt_at);
    -- Answers of this terminal's appeals, kept for reprint. file_id: the complete, verified PDF.
    CREATE TABLE sync_answers (
        answer_id TEXT PRIMARY KEY,
        document_id TEXT NOT NULL,
        url TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        summary TEXT NOT NULL DEFAULT '',
        published_at TEXT,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'complete', 'failed')),
        partial_path TEXT,                     -- spool-relative download in progress
        downloaded_bytes INTEGER NOT NULL DEFAULT 0,
        file_id INTEGER REFERENCES files(id),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        last_error TEXT,
        created_at TEXT NOT NULL,
        completed_at TEXT
    );
    CREATE INDEX sync_answers_document ON sync_answers(document_id);
    -- Small durable state: the feed cursor, the drop folder's fault and backoff, heartbeat times.
    CREATE TABLE sync_kv (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    -- Alerts for the technician and the server; one active row per key.
    CREATE TABLE sync_alerts (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL,
        severity TEXT NOT NULL,
        code TEXT NOT NULL,
        message TEXT NOT NULL,
        raised_at TEXT NOT NULL,
        cleared_at TEXT,
        reported_at TEXT
    );
    CREATE UNIQUE INDEX sync_alerts_active ON sync_alerts(key) WHERE cleared_at IS NULL;
    -- Events owed to the server (POST /events), each with its Idempotency-Key.
    CREATE TABLE sync_events_out (
        id INTEGER PRIMARY KEY,
        idem_key TEXT NOT NULL UNIQUE,
        body_json TEXT NOT NULL,
        created_at TEXT NOT NULL,
        sent_at TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT
    );
    CREATE INDEX sync_events_pending ON sync_events_out(sent_at, id);
"""

SYNC: list[Migration] = [
    Migration("sync:001_initial", _001_SYNC),
]

ALL: list[Migration] = CORE + SYNC
