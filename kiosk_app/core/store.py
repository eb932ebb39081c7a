"""The terminal store: SQLite in WAL mode (through sqlite-utils) beside a spool folder of files.

The store owns the terminal's state: every table (the sync agent's too) and every change of an
appeal's life. This module holds the intake side (numbers, intakes, files, the commit, the
archive box, recovery); :mod:`kiosk_app.core.outbox` beside it holds what follows the commit
(delivered, acknowledged, rejected, answered, texted, purged, OCR-replaced), reached as
``store.outbox``. No other module writes SQL (``tests/foundation/test_boundaries.py``);
docs/architecture.md draws the state machine.

Times are stored in one format, UTC to the millisecond (``2026-11-28T21:50:00.123+00:00``, see
:func:`kiosk_app.core.store_base.iso`, which this module hands on), so that they compare as text in SQL.

The store folder is private: folders 0700, files 0600, whatever the process umask.

Durability rules (docs/technicians.md explains them for people):

* ``synchronous=FULL``: a committed transaction survives a power cut. A receipt is printed only
  after the appeal's transaction committed.
* Files first, rows second: a spool file is durable (fsync, rename, fsync of the folder) before
  the transaction that references it commits, so a row never points at a missing file; a crash
  in between leaves an unreferenced file that :meth:`Store.recover` reports and removes.
* Numbers are committed as ``issued`` before use and never handed out again; an intake that does
  not finish turns its number ``void`` with the reason.

One ``Store`` per process; SQLite's locking lets the kiosk and the sync agent share the file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from . import faultpoints
from .migrations import CORE, Migration
from .numbering import SEQ_MAX, AppealNumber
from .outbox import Outbox
from .spool import FileRef, Spool, private_dir
from .store_base import iso, now_iso, parse_time, record_event

log = logging.getLogger(__name__)


ORPHAN_GRACE = 600.0        # seconds; see Store.recover


class StoreError(Exception):
    """Base of the store's errors."""


class WrongTerminal(StoreError):
    """The store was made for another terminal code."""


class NumbersExhausted(StoreError):
    pass


@dataclass(frozen=True)
class PageRecord:
    sheet: int
    side: str                       # front | back
    image: FileRef | None           # None for a dropped blank back side
    dropped_blank: bool = False
    ink_coverage: float | None = None


@dataclass(frozen=True)
class AppealRecord:
    document_id: str                # equal to the compact number
    number: str                     # compact
    kind: str
    applicant_json: str | None
    pdf: FileRef
    metadata: FileRef
    pages: list[PageRecord]
    sheets: int
    received_at: str
    deadline: str
    sms_requested: bool = False
    parent: str | None = None
    intake_id: int | None = None
    deliver_after: str | None = None     # outbox next_attempt_at: held for the OCR layer (ocr_job)
    access_hash: str | None = None       # the receipt code's salted hash (kiosk_app.core.access)
    access_code: str | None = None       # the code itself, kept only until its receipt is printed


@dataclass
class RecoveryReport:
    partial_files_removed: int = 0
    interrupted_intakes: list[dict[str, Any]] = field(default_factory=list)
    voided_numbers: list[str] = field(default_factory=list)
    orphan_files_removed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


class Store:
    def __init__(self, root: str | Path, *, terminal: int, migrations: Iterable[Migration] = CORE) -> None:
        self.root = Path(root)
        private_dir(self.root)
        self.path = self.root / "terminal.db"
        _private_files(self.path)
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        self.db = sqlite_utils.Database(conn)
        self.conn = conn
        self.db.enable_wal()
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=30000")
        self._depth = 0
        self.spool = Spool(self.root / "spool")
        self.outbox = Outbox(self)
        self.migrate(migrations)
        self.terminal = self._bind_terminal(terminal)

    # -- schema ---------------------------------------------------------------------------
    def migrate(self, migrations: Iterable[Migration]) -> list[str]:
        self.conn.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        done = {r["name"] for r in self.db.query("SELECT name FROM _migrations")}
        applied = []
        for m in migrations:
            if m.name in done:
                continue
            with self.transaction() as c:
                for statement in _statements(m.sql):
                    c.execute(statement)
                c.execute("INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", (m.name, now_iso()))
            log.info("applied migration %s", m.name)
            applied.append(m.name)
        return applied

    def _bind_terminal(self, terminal: int) -> int:
        row = self.conn.execute("SELECT value FROM meta WHERE key='terminal'").fetchone()
        if row is None:
            with self.transaction() as c:
                c.execute("INSERT OR IGNORE INTO meta VALUES ('terminal', ?)", (str(terminal),))
                c.execute("INSERT OR IGNORE INTO meta VALUES ('next_seq', '1')")
            return terminal
        if int(row[0]) != terminal:
            raise WrongTerminal(
                f"{self.path}: this store belongs to terminal {int(row[0]):03d}, not {terminal:03d}; "
                "a replaced terminal gets a new code and an empty store (docs/numbering.md)"
            )
        return terminal

    # -- transactions -----------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT; rolled back on any exception. Inside another transaction
        of this store it joins that one (the named methods compose: the outer one commits)."""
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield self.conn
        except BaseException:
            self._depth = 0
            self.conn.execute("ROLLBACK")
            raise
        self._depth = 0
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()

    # -- numbers ----------------------------------------------------------------------------
    def issue_number(self) -> AppealNumber:
        """Reserve the next number durably; it is never handed out again."""
        with self.transaction() as c:
            seq = int(c.execute("SELECT value FROM meta WHERE key='next_seq'").fetchone()[0])
            if seq > SEQ_MAX:
                raise NumbersExhausted(
                    f"terminal {self.terminal:03d} has used all {SEQ_MAX} numbers; provision a new terminal code"
                )
            number = AppealNumber(self.terminal, seq)
            c.execute(
                "INSERT INTO numbers (compact, terminal, seq, state, issued_at) VALUES (?, ?, ?, 'issued', ?)",
                (number.compact, self.terminal, seq, now_iso()),
            )
            c.execute("UPDATE meta SET value=? WHERE key='next_seq'", (str(seq + 1),))
        return number

    def void_number(self, number: AppealNumber | str, reason: str, conn: sqlite3.Connection | None = None) -> None:
        compact = number.compact if isinstance(number, AppealNumber) else number
        sql = "UPDATE numbers SET state='void', void_reason=?, closed_at=? WHERE compact=? AND state='issued'"
        if conn is not None:
            conn.execute(sql, (reason, now_iso(), compact))
            record_event(conn, compact, "number_void", {"reason": reason})
        else:
            with self.transaction() as c:
                c.execute(sql, (reason, now_iso(), compact))
                record_event(c, compact, "number_void", {"reason": reason})

    def number_state(self, compact: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM numbers WHERE compact=?", [compact]))
        return rows[0] if rows else None

    # -- files ------------------------------------------------------------------------------
    def add_file(self, conn: sqlite3.Connection, ref: FileRef, kind: str) -> int:
        """Reference a durable spool file inside the caller's transaction; returns its id."""
        conn.execute(
            "INSERT OR IGNORE INTO files (path, sha256, bytes, kind, created_at) VALUES (?, ?, ?, ?, ?)",
            (ref.path, ref.sha256, ref.bytes, kind, now_iso()),
        )
        return int(conn.execute("SELECT id FROM files WHERE path=?", (ref.path,)).fetchone()[0])

    def file_ref(self, file_id: int) -> FileRef:
        row = self.conn.execute("SELECT path, sha256, bytes FROM files WHERE id=?", (file_id,)).fetchone()
        if row is None:
            raise StoreError(f"no file {file_id}")
        return FileRef(row[0], row[1], row[2])

    # -- intakes and the commit ---------------------------------------------------------------
    def start_intake(self, step: str = "identify", detail: dict[str, Any] | None = None) -> tuple[int, AppealNumber]:
        """Open an intake with a freshly issued number (additions to an appeal get one too)."""
        number = self.issue_number()
        with self.transaction() as c:
            cur = c.execute(
                "INSERT INTO intakes (number, state, step, started_at, updated_at, detail_json) VALUES (?, 'open', ?, ?, ?, ?)",
                (number.compact, step, now_iso(), now_iso(), json.dumps(detail or {}, ensure_ascii=False)),
            )
            intake_id = int(cur.lastrowid or 0)
            record_event(c, number.compact, "intake_started", {"intake": intake_id})
        return intake_id, number

    def intake_step(self, intake_id: int, step: str, detail: dict[str, Any] | None = None) -> None:
        with self.transaction() as c:
            if detail is None:
                c.execute("UPDATE intakes SET step=?, updated_at=? WHERE id=?", (step, now_iso(), intake_id))
            else:
                c.execute("UPDATE intakes SET step=?, updated_at=?, detail_json=? WHERE id=?",
                          (step, now_iso(), json.dumps(detail, ensure_ascii=False), intake_id))

    def abandon_intake(self, intake_id: int, reason: str) -> None:
        with self.transaction() as c:
            row = c.execute("SELECT number FROM intakes WHERE id=? AND state='open'", (intake_id,)).fetchone()
            if row is None:
                return
            c.execute("UPDATE intakes SET state='abandoned', step=?, updated_at=? WHERE id=?", (reason, now_iso(), intake_id))
            self.void_number(row[0], reason, conn=c)

    def commit_appeal(self, record: AppealRecord) -> None:
        """The durable step: appeal, pages, files and outbox entry in one transaction. The
        referenced spool files must already be written (they are, by :class:`Spool`)."""
        with self.transaction() as c:
            pdf_id = self.add_file(c, record.pdf, "pdf")
            meta_id = self.add_file(c, record.metadata, "metadata")
            c.execute(
                "INSERT INTO appeals (document_id, number, parent, kind, state, applicant_json, metadata_file, pdf_file,"
                " sheets, pages, received_at, deadline, sms_requested, access_hash, access_code)"
                " VALUES (?, ?, ?, ?, 'committed', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (record.document_id, record.number, record.parent, record.kind, record.applicant_json, meta_id, pdf_id,
                 record.sheets, len(record.pages), _stored_time(record.received_at), record.deadline,
                 int(record.sms_requested), record.access_hash, record.access_code),
            )
            for i, page in enumerate(record.pages):
                file_id = self.add_file(c, page.image, "page") if page.image is not None else None
                c.execute(
                    "INSERT INTO pages (document_id, idx, sheet, side, file, dropped_blank, ink_coverage) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (record.document_id, i, page.sheet, page.side, file_id, int(page.dropped_blank), page.ink_coverage),
                )
            c.execute("INSERT INTO outbox (document_id, state, created_at, next_attempt_at) VALUES (?, 'pending', ?, ?)",
                      (record.document_id, now_iso(), _stored_time(record.deliver_after)))
            changed = c.execute(
                "UPDATE numbers SET state='used', closed_at=? WHERE compact=? AND state='issued'", (now_iso(), record.number)
            ).rowcount
            if changed != 1:
                raise StoreError(f"number {record.number} is not an issued, unused number")
            if record.intake_id is not None:
                c.execute("UPDATE intakes SET state='committed', step='committed', updated_at=? WHERE id=?", (now_iso(), record.intake_id))
            record_event(c, record.document_id, "committed", {"pages": len(record.pages), "sheets": record.sheets})
            faultpoints.reached("store.before_commit")

    def appeal(self, document_id: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM appeals WHERE document_id=?", [document_id]))
        return rows[0] if rows else None

    def intakes(self, states: tuple[str, ...]) -> list[dict[str, Any]]:
        """Intakes in ``states`` with their number's state, oldest first (``detail`` decoded)."""
        marks = ",".join("?" * len(states))
        rows = self.db.query(
            f"SELECT i.id, i.number, i.state, i.step, i.started_at, i.updated_at, i.detail_json, n.state AS number_state, "
            f"n.void_reason FROM intakes i JOIN numbers n ON n.compact = i.number WHERE i.state IN ({marks}) ORDER BY i.id",
            list(states))
        return [{**r, "detail": json.loads(r.pop("detail_json"))} for r in rows]

    # -- the archive box --------------------------------------------------------------------
    def archive(self, document_id: str, sheets: int, stapled: bool, state: str) -> None:
        """Record where an appeal's sheets went: ``binned`` into the open box or ``held`` inside."""
        with self.transaction() as c:
            box = c.execute("SELECT max(id) FROM boxes WHERE emptied_at IS NULL").fetchone()[0]
            c.execute("INSERT OR REPLACE INTO box_entries (box, document_id, sheets, stapled, state, at) "
                      "VALUES (?, ?, ?, ?, ?, ?)", (box, document_id, sheets, int(stapled), state, now_iso()))

    def box(self) -> dict[str, Any]:
        """The open archive box: its appeals, sheets, and the appeals not archived at all."""
        box = self.conn.execute("SELECT id, opened_at FROM boxes WHERE emptied_at IS NULL ORDER BY id DESC").fetchone()
        entries = list(self.db.query(
            "SELECT document_id, sheets, stapled, state, at FROM box_entries WHERE box=? ORDER BY id", [box[0]]))
        missing = [r["document_id"] for r in self.db.query(
            "SELECT a.document_id FROM appeals a LEFT JOIN box_entries b USING (document_id) WHERE b.id IS NULL")]
        return {"box": box[0], "opened_at": box[1], "appeals": len(entries),
                "sheets": sum(e["sheets"] for e in entries if e["state"] == "binned"), "entries": entries,
                "not_archived": missing}

    def empty_box(self, by: str) -> dict[str, Any]:
        """Close the open box (its manifest is returned) and open a new one."""
        with self.transaction() as c:
            manifest = self.box()
            c.execute("UPDATE boxes SET emptied_at=?, emptied_by=? WHERE id=?", (now_iso(), by, manifest["box"]))
            c.execute("INSERT INTO boxes (opened_at) VALUES (?)", (now_iso(),))
        return manifest

    # -- the receipt's access code (kiosk_app.core.access) ----------------------------------
    def receipt_code(self, document_id: str) -> str | None:
        """The plain code, while its receipt has not been printed (else None)."""
        row = self.conn.execute("SELECT access_code FROM appeals WHERE document_id=?", (document_id,)).fetchone()
        return row[0] if row else None

    def forget_receipt_code(self, document_id: str) -> None:
        with self.transaction() as c:
            c.execute("UPDATE appeals SET access_code=NULL WHERE document_id=?", (document_id,))

    def access_hash(self, document_id: str) -> str | None:
        row = self.conn.execute("SELECT access_hash FROM appeals WHERE document_id=?", (document_id,)).fetchone()
        return row[0] if row else None

    def access_failures(self, number: str, since: float) -> tuple[int, int]:
        """Wrong codes since ``since`` (Unix time): (for this number, at this terminal)."""
        after = _unix_iso(since)
        per_number = self.conn.execute("SELECT COUNT(*) FROM access_failures WHERE number=? AND at>=?",
                                       (number, after)).fetchone()[0]
        total = self.conn.execute("SELECT COUNT(*) FROM access_failures WHERE at>=?", (after,)).fetchone()[0]
        return int(per_number), int(total)

    def record_access_failure(self, number: str, at: float, *, locked: str | None = None) -> None:
        """Count a wrong code (``at``: Unix time, stored in the store's UTC format); ``locked``
        (number | terminal) also writes the technician's event."""
        with self.transaction() as c:
            c.execute("INSERT INTO access_failures (number, at) VALUES (?, ?)", (number, _unix_iso(at)))
            c.execute("DELETE FROM access_failures WHERE at < ?", (_unix_iso(at - 86_400),))
            if locked:
                record_event(c, number, "access_locked", {"scope": locked})

    def clear_access_failures(self, number: str) -> None:
        with self.transaction() as c:
            c.execute("DELETE FROM access_failures WHERE number=?", (number,))

    # -- the service-mode PIN's lockout (the UI's pin module keeps it here) ------------------
    def pin_lockout(self) -> tuple[int, float]:
        """(wrong PINs so far, locked until: Unix time, 0 when not locked)."""
        rows = dict(self.conn.execute("SELECT key, value FROM meta WHERE key IN ('pin.failures', 'pin.locked_until')"))
        until = rows.get("pin.locked_until") or ""
        try:
            locked_until = float(until or 0)            # an older store kept Unix time
        except ValueError:
            t = parse_time(until)
            locked_until = t.timestamp() if t is not None else 0.0
        return int(rows.get("pin.failures", 0)), locked_until

    def set_pin_lockout(self, failures: int, locked_until: float) -> None:
        """Kept in ``meta``; the time in the store's UTC format ('' when not locked)."""
        until = _unix_iso(locked_until) if locked_until > 0 else ""
        with self.transaction() as c:
            c.execute("INSERT OR REPLACE INTO meta VALUES ('pin.failures', ?)", (str(failures),))
            c.execute("INSERT OR REPLACE INTO meta VALUES ('pin.locked_until', ?)", (until,))

    # -- events -----------------------------------------------------------------------------
    def event(self, document_id: str | None, event: str, detail: dict[str, Any] | None = None) -> None:
        with self.transaction() as c:
            record_event(c, document_id, event, detail or {})

    # -- recovery ---------------------------------------------------------------------------
    def recover(self, *, full: bool = False, orphan_grace: float = ORPHAN_GRACE) -> RecoveryReport:
        """Bring the store to a consistent state after a crash; run at every start."""
        report = RecoveryReport()
        report.partial_files_removed = self.spool.sweep_partials(orphan_grace)
        with self.transaction() as c:
            for row in c.execute("SELECT id, number, step, started_at, detail_json FROM intakes WHERE state='open'").fetchall():
                c.execute("UPDATE intakes SET state='interrupted', updated_at=? WHERE id=?", (now_iso(), row[0]))
                report.interrupted_intakes.append(
                    {"id": row[0], "number": row[1], "step": row[2], "started_at": row[3], "detail": json.loads(row[4])}
                )
            # A number issued but not used by a committed appeal, whose intake is not running: void.
            for (compact,) in c.execute(
                "SELECT compact FROM numbers WHERE state='issued' AND compact NOT IN "
                "(SELECT number FROM intakes WHERE state='open')"
            ).fetchall():
                self.void_number(compact, "interrupted: the terminal restarted during the intake", conn=c)
                report.voided_numbers.append(compact)
        # A file nobody references is what a crash between "file durable" and "row committed"
        # leaves. The sync agent writes into the same spool while the kiosk starts, so only
        # files older than ORPHAN_GRACE are taken as orphans.
        referenced = {r["path"] for r in self.db.query("SELECT path FROM files")}
        cutoff = time.time() - orphan_grace
        for rel in self.spool.all_files():
            if rel not in referenced and self.spool.path_of(rel).stat().st_mtime < cutoff:
                self.spool.remove(rel)
                report.orphan_files_removed.append(rel)
        report.problems = self.check(full=full)
        if report.problems:
            log.error("store problems after recovery: %s", report.problems)
        return report

    def check(self, *, full: bool = True) -> list[str]:
        """Everything that breaks the store's invariants (empty list: consistent)."""
        problems = [f"sqlite: {r[0]}" for r in self.conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
        for row in self.db.query("SELECT id, path, sha256, bytes FROM files WHERE purged_at IS NULL"):
            what = self.spool.verify(FileRef(row["path"], row["sha256"], row["bytes"]), full=full)
            if what:
                problems.append(f"file {row['path']}: {what}")
        for row in self.db.query(
            "SELECT a.document_id FROM appeals a LEFT JOIN outbox o USING (document_id) WHERE o.id IS NULL"
        ):
            problems.append(f"appeal {row['document_id']}: committed but not in the outbox")
        for row in self.db.query(
            "SELECT a.document_id, n.state FROM appeals a JOIN numbers n ON n.compact = a.number "
            "WHERE n.state != 'used'"
        ):
            problems.append(f"appeal {row['document_id']}: its number is {row['state']}")
        for row in self.db.query(
            "SELECT document_id FROM appeals WHERE pdf_file IS NULL OR metadata_file IS NULL"
        ):
            problems.append(f"appeal {row['document_id']}: no PDF or metadata")
        return problems

    def counts(self, *, recent_events: tuple[str, ...], limit: int = 6) -> dict[str, Any]:
        """What a technician reads at a glance: the outbox by state, its oldest pending entry,
        the number of appeals, and the newest events of the kinds named (newest first)."""
        outbox = {r["state"]: r["n"] for r in self.db.query("SELECT state, count(*) AS n FROM outbox GROUP BY state")}
        oldest = self.conn.execute("SELECT min(created_at) FROM outbox WHERE state='pending'").fetchone()[0]
        appeals = self.conn.execute("SELECT count(*) FROM appeals").fetchone()[0]
        marks = ",".join("?" * len(recent_events))
        events = [{"at": r["at"], "event": r["event"], "detail": json.loads(r["detail_json"])} for r in self.db.query(
            f"SELECT at, event, detail_json FROM events WHERE event IN ({marks}) ORDER BY id DESC LIMIT ?",
            [*recent_events, limit])]
        return {"outbox": outbox, "outbox_oldest_pending": oldest, "appeals": appeals, "events": events}

    def has_event(self, document_id: str, event: str) -> bool:
        return self.conn.execute("SELECT 1 FROM events WHERE document_id=? AND event=? LIMIT 1",
                                 (document_id, event)).fetchone() is not None


def _stored_time(text: str | None) -> str | None:
    """A time handed in as ISO 8601 with any offset, in the store's format."""
    t = parse_time(text)
    return None if t is None else iso(t)


def _unix_iso(t: float) -> str:
    """A Unix time in the store's format (UTC, milliseconds)."""
    return iso(dt.datetime.fromtimestamp(t, dt.UTC))


def _private_files(db: Path) -> None:
    """The database (and the WAL and shared-memory files SQLite gives the database's mode) 0600."""
    if not db.exists():
        os.close(os.open(db, os.O_WRONLY | os.O_CREAT, 0o600))
    for p in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        if p.exists() and p.stat().st_mode & 0o777 != 0o600:
            os.chmod(p, 0o600)


def _statements(sql: str) -> list[str]:
    """Split a migration script into statements (sqlite3.complete_statement keeps triggers whole)."""
    out, buf = [], ""
    for line in sql.splitlines(keepends=True):
        if line.strip().startswith("--"):
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out
