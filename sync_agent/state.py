"""Small shared pieces of the agent's durable state: UTC times, the key/value table, alerts,
events owed to the server, and the retry delay (capped exponential backoff with jitter)."""

from __future__ import annotations

import datetime as dt
import json
import random
import sqlite3
import uuid
from dataclasses import dataclass
from typing import Any


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).isoformat(timespec="milliseconds")


def parse(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    t = dt.datetime.fromisoformat(text)
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class Backoff:
    base: float = 5.0
    cap: float = 600.0
    jitter: float = 0.2

    def delay(self, attempts: int, rng: random.Random | None = None) -> float:
        """Delay before the next try after ``attempts`` failures (1 -> base)."""
        raw = min(self.cap, self.base * (2 ** max(0, min(attempts - 1, 40))))
        r = (rng or random).uniform(-self.jitter, self.jitter)
        return max(0.0, min(self.cap, raw * (1 + r)))


# -- key/value ------------------------------------------------------------------------------------
def kv_get(conn: sqlite3.Connection, key: str, default: Any = None) -> Any:
    row = conn.execute("SELECT value FROM sync_kv WHERE key=?", (key,)).fetchone()
    return default if row is None else json.loads(row[0])


def kv_set(conn: sqlite3.Connection, key: str, value: Any) -> None:
    conn.execute(
        "INSERT INTO sync_kv (key, value, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value=excluded.value, updated_at=excluded.updated_at",
        (key, json.dumps(value, ensure_ascii=False), iso(utcnow())),
    )


def kv_del(conn: sqlite3.Connection, key: str) -> None:
    conn.execute("DELETE FROM sync_kv WHERE key=?", (key,))


# -- alerts ---------------------------------------------------------------------------------------
def raise_alert(conn: sqlite3.Connection, key: str, code: str, message: str, severity: str = "warning") -> bool:
    """Raise (or refresh the message of) the active alert ``key``; True when it is new."""
    row = conn.execute("SELECT id FROM sync_alerts WHERE key=? AND cleared_at IS NULL", (key,)).fetchone()
    if row is not None:
        conn.execute("UPDATE sync_alerts SET message=?, severity=? WHERE id=?", (message, severity, row[0]))
        return False
    conn.execute(
        "INSERT INTO sync_alerts (key, severity, code, message, raised_at) VALUES (?, ?, ?, ?, ?)",
        (key, severity, code, message, iso(utcnow())),
    )
    queue_event(conn, "alert", None, {"severity": severity, "code": code, "message": message})
    return True


def clear_alert(conn: sqlite3.Connection, key: str) -> bool:
    return conn.execute(
        "UPDATE sync_alerts SET cleared_at=? WHERE key=? AND cleared_at IS NULL", (iso(utcnow()), key)
    ).rowcount > 0


def active_alerts(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT key, severity, code, message, raised_at FROM sync_alerts WHERE cleared_at IS NULL ORDER BY id"
    ).fetchall()
    return [dict(zip(("key", "severity", "code", "message", "raised_at"), r, strict=True)) for r in rows]


# -- events owed to the server ---------------------------------------------------------------------
def queue_event(conn: sqlite3.Connection, type_: str, number: str | None, detail: dict[str, Any],
                key: str | None = None, access_hash: str | None = None) -> None:
    """Record an event for POST /events inside the caller's transaction. Never personal data.
    ``access_hash``: a ``delivered`` event carries the receipt code's salted hash (never the code)."""
    body = {"type": type_, "number": number, "at": iso(utcnow()), "detail": detail}
    if access_hash:
        body["access_hash"] = access_hash
    conn.execute(
        "INSERT OR IGNORE INTO sync_events_out (idem_key, body_json, created_at) VALUES (?, ?, ?)",
        (key or str(uuid.uuid4()), json.dumps(body, ensure_ascii=False), iso(utcnow())),
    )
