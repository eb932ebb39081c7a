"""Named schema migrations of the terminal store, applied in order, each in a transaction and
recorded in ``_migrations``. Never edit a released migration: append a new one.

Other processes that share the database (the sync agent) keep their own list and apply it after
these; a migration's name is unique across all lists (prefix it with the owner).
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

_004_ACCESS_CODES = """
    -- The receipt's access code (docs/receipt.md): its salted hash, kept until the appeal is
    -- purged, and the code itself only until the receipt that carries it has been printed.
    ALTER TABLE appeals ADD COLUMN access_hash TEXT;
    ALTER TABLE appeals ADD COLUMN access_code TEXT;
    -- Wrong codes typed or scanned at this terminal: counted per number and for the terminal.
    CREATE TABLE access_failures (
        id INTEGER PRIMARY KEY,
        number TEXT NOT NULL,
        at REAL NOT NULL                      -- Unix time
    );
    CREATE INDEX access_failures_number ON access_failures(number, at);
    CREATE INDEX access_failures_at ON access_failures(at);
"""

CORE: list[Migration] = [
    Migration("core:001_initial", _001_CORE),
    Migration("core:002_files_purged", _002_FILES_PURGED),
    Migration("core:003_archive_box", _003_ARCHIVE_BOX),
    Migration("core:004_access_codes", _004_ACCESS_CODES),
]
