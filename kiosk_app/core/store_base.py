"""What both halves of the store share: the one time format and the audit event row.

:mod:`kiosk_app.core.store` (numbers, intakes, the commit) and :mod:`kiosk_app.core.outbox`
(what follows the commit) both write through these; neither imports the other for them.

Times are stored in one format, UTC to the millisecond (``2026-11-28T21:50:00.123+00:00``, see
:func:`iso`), so that they compare as text in SQL.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Any


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso(t: dt.datetime) -> str:
    """The store's one time format: UTC, milliseconds, ``+00:00`` (a naive time is taken as UTC)."""
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.astimezone(dt.UTC).isoformat(timespec="milliseconds")


def now_iso() -> str:
    return iso(utcnow())


def parse_time(text: str | None) -> dt.datetime | None:
    """A stored time back as an aware datetime (UTC when the text has no offset)."""
    if not text:
        return None
    t = dt.datetime.fromisoformat(text)
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


def record_event(conn: sqlite3.Connection, document_id: str | None, event: str, detail: dict[str, Any]) -> None:
    """One row of the audit trail (``events``), inside the caller's transaction."""
    conn.execute(
        "INSERT INTO events (at, document_id, event, detail_json) VALUES (?, ?, ?, ?)",
        (now_iso(), document_id, event, json.dumps(detail, ensure_ascii=False)),
    )
