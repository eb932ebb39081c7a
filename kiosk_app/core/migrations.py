"""Named schema migrations of the terminal store, applied in order, each in a transaction and
recorded in ``_migrations``. Never edit a released migration: append a new one.

The store owns every table, the sync agent's (``sync_*``) too: whichever process opens the store
first creates them all. A migration keeps the name it was released under (``sync:001_initial``
was the sync agent's own list until the store took its tables over), so databases made before
are recognised.

Times are stored as UTC to the millisecond, ``2026-11-28T21:50:00.123+00:00`` (see
``kiosk_app.core.store_base.iso``); ``core:004_utc_times`` rewrote the times of older databases
(local time with its offset, to the second) into that form.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    name: str
    sql: str     # run inside one transaction together with its record in _migrations


_001_CORE = """
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    -- Every number ever handed out: issued -> used (its appeal committed) or void (abandoned).
    CREATE TABLE numbers (
        compact TEXT PRIMARY KEY,
        terminal INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('issued', 'used', 'void')),
        issued_at TEXT NOT NULL,
        closed_at TEXT,
        void_reason TEXT,
        UNIQUE (terminal, seq)
    );
    CREATE TABLE files (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        sha256 TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        kind TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    -- An appeal (or an additional document to one) that is durably in the store.
    CREATE TABLE appeals (
        document_id TEXT PRIMARY KEY,         -- compact number, or <number>-A<NN> for additions
        number TEXT NOT NULL REFERENCES numbers(compact),
        parent TEXT,                          -- for additions: the appeal they belong to
        kind TEXT NOT NULL,
        state TEXT NOT NULL,                  -- committed | delivered | imported | answered | rejected
        applicant_json TEXT,                  -- personal data; NULL once purged
        metadata_file INTEGER REFERENCES files(id),
        pdf_file INTEGER REFERENCES files(id),
        sheets INTEGER NOT NULL,
        pages INTEGER NOT NULL,
        received_at TEXT NOT NULL,
        deadline TEXT NOT NULL,
        sms_requested INTEGER NOT NULL DEFAULT 0,
        purged_at TEXT
    );
    CREATE TABLE pages (
        document_id TEXT NOT NULL REFERENCES appeals(document_id),
        idx INTEGER NOT NULL,
        sheet INTEGER NOT NULL,
        side TEXT NOT NULL,                   -- front | back
        file INTEGER REFERENCES files(id),
        dropped_blank INTEGER NOT NULL DEFAULT 0,
        ink_coverage REAL,
        PRIMARY KEY (document_id, idx)
    );
    -- What the sync agent must deliver; written in the same transaction as the appeal.
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        document_id TEXT NOT NULL UNIQUE REFERENCES appeals(document_id),
        state TEXT NOT NULL DEFAULT 'pending',  -- pending | delivered | imported | rejected
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        last_error TEXT,
        created_at TEXT NOT NULL,
        delivered_at TEXT,
        imported_at TEXT,
        registration_index TEXT
    );
    -- An intake in progress; a crash leaves it 'open' and recovery marks it 'interrupted'.
    CREATE TABLE intakes (
        id INTEGER PRIMARY KEY,
        number TEXT NOT NULL REFERENCES numbers(compact),
        state TEXT NOT NULL,                  -- open | committed | abandoned | interrupted
        step TEXT NOT NULL,
        started_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        detail_json TEXT NOT NULL DEFAULT '{}'
    );
    -- The audit trail: stays after personal data is purged; never holds personal data.
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        document_id TEXT,
        event TEXT NOT NULL,
        detail_json TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX events_document ON events(document_id);
    CREATE INDEX outbox_state ON outbox(state, next_attempt_at);
"""


# Retention (sync agent) removes a purged appeal's spool files but keeps their rows, marked.
_002_FILES_PURGED = """
    ALTER TABLE files ADD COLUMN purged_at TEXT;
"""


_003_ARCHIVE_BOX = """
    -- The archive box inside the terminal; a technician empties it and takes its manifest.
    CREATE TABLE boxes (
        id INTEGER PRIMARY KEY,
        opened_at TEXT NOT NULL,
        emptied_at TEXT,
        emptied_by TEXT
    );
    CREATE TABLE box_entries (
        id INTEGER PRIMARY KEY,
        box INTEGER NOT NULL REFERENCES boxes(id),
        document_id TEXT NOT NULL UNIQUE REFERENCES appeals(document_id),
        sheets INTEGER NOT NULL,
        stapled INTEGER NOT NULL,
        state TEXT NOT NULL,                  -- binned | held (sheets still inside the terminal)
        at TEXT NOT NULL
    );
    INSERT INTO boxes (opened_at) VALUES (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
"""

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


# Every stored time into one format (UTC, milliseconds). SQLite's strftime applies the offset a
# time carries ('+02:00', 'Z') and yields UTC; a time already in the format stays as it was.
_UTC_COLUMNS = {
    "_migrations": ["applied_at"],
    "numbers": ["issued_at", "closed_at"],
    "files": ["created_at", "purged_at"],
    "appeals": ["received_at", "purged_at"],
    "outbox": ["next_attempt_at", "created_at", "delivered_at", "imported_at"],
    "intakes": ["started_at", "updated_at"],
    "events": ["at"],
    "boxes": ["opened_at", "emptied_at"],
    "box_entries": ["at"],
}
_004_UTC_TIMES = "\n".join(
    f"UPDATE {table} SET {col} = strftime('%Y-%m-%dT%H:%M:%f+00:00', {col}) "
    f"WHERE {col} IS NOT NULL AND {col} NOT GLOB '????-??-??T??:??:??.???+00:00';"
    for table, cols in _UTC_COLUMNS.items() for col in cols)

# Answer PDFs leave the terminal after printing or at the end of the retention period; the row
# stays, marked (its files row is marked purged_at too).
_005_ANSWERS_PURGED = """
    ALTER TABLE sync_answers ADD COLUMN purged_at TEXT;
"""

_006_ACCESS_CODES = """
    -- The receipt's access code (docs/receipt.md): its salted hash, kept until the appeal is
    -- purged, and the code itself only until the receipt that carries it has been printed.
    ALTER TABLE appeals ADD COLUMN access_hash TEXT;
    ALTER TABLE appeals ADD COLUMN access_code TEXT;
    -- Wrong codes typed or scanned at this terminal: counted per number and for the terminal.
    CREATE TABLE access_failures (
        id INTEGER PRIMARY KEY,
        number TEXT NOT NULL,
        at TEXT NOT NULL                      -- UTC, milliseconds (the store's time format)
    );
    CREATE INDEX access_failures_number ON access_failures(number, at);
    CREATE INDEX access_failures_at ON access_failures(at);
"""

CORE: list[Migration] = [
    Migration("core:001_initial", _001_CORE),
    Migration("core:002_files_purged", _002_FILES_PURGED),
    Migration("core:003_archive_box", _003_ARCHIVE_BOX),
    Migration("sync:001_initial", _001_SYNC),
    Migration("core:004_utc_times", _004_UTC_TIMES),
    Migration("core:005_answers_purged", _005_ANSWERS_PURGED),
    Migration("core:006_access_codes", _006_ACCESS_CODES),
]
