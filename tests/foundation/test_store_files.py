"""The store's files on disk: the durable write order of the spool (fsync of the file, rename,
fsync of the folder; SQLite at synchronous=FULL), private modes whatever the umask, and old
databases still readable after the time format changed.

The write order is checked by recording the real system calls (``os.fsync``, ``os.replace``)
as they pass: a SIGKILL never loses the page cache, so only the order itself shows that a power
cut cannot leave a row pointing at a file that never reached the disk."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk_app.core.migrations import CORE
from kiosk_app.core.store import AppealRecord, PageRecord, Store


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


class Calls(list[tuple[str, str, str]]):
    def index_of(self, op: str, path: Path | str, dst: Path | str = "") -> int:
        want = (op, str(path), str(dst))
        assert want in self, f"{want} never happened; calls: {list(self)}"
        return self.index(want)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    """Record every fsync (by the path its descriptor names) and every rename, then do it."""
    seen = Calls()
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        seen.append(("fsync", os.readlink(f"/proc/self/fd/{fd}"), ""))
        real_fsync(fd)

    def replace(src: str | Path, dst: str | Path, **kw: object) -> None:
        seen.append(("rename", str(src), str(dst)))
        real_replace(src, dst, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    return seen


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_spool_write_is_fsync_rename_fsync_of_the_folder(tmp_path: Path, calls: Calls) -> None:
    store = Store(tmp_path / "store", terminal=7)
    try:
        calls.clear()
        ref = store.spool.write(b"a page of an appeal", kind="page", suffix=".pgm")
        final = store.spool.path_of(ref)
        renames = [c for c in calls if c[0] == "rename"]
        assert len(renames) == 1
        part = Path(renames[0][1])
        assert part.parent == store.spool.tmp and part.suffix == ".part" and renames[0][2] == str(final)
        file_synced = calls.index_of("fsync", part)
        renamed = calls.index_of("rename", part, final)
        folder_synced = calls.index_of("fsync", final.parent)
        assert file_synced < renamed < folder_synced, list(calls)
        # the two folders this first page created are durable entries of their parents
        assert calls.index_of("fsync", final.parent.parent) < renamed
        assert calls.index_of("fsync", store.spool.root) < renamed
        # the transaction that references it: a commit survives a power cut
        assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2        # FULL
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        store.close()


def test_placing_and_removing_a_file_are_durable(tmp_path: Path, calls: Calls) -> None:
    store = Store(tmp_path / "store", terminal=7)
    try:
        src = store.spool.tmp / "answer-1.download"
        with store.spool.open_private(src) as f:
            f.write(b"%PDF-1.4 an answer")
        calls.clear()
        ref = store.spool.place(src, kind="answer", sha256="ab" * 32, suffix=".pdf")
        final = store.spool.path_of(ref)
        assert calls.index_of("rename", src, final) < calls.index_of("fsync", final.parent)
        calls.clear()
        store.spool.remove(ref.path)
        assert not final.exists() and calls == [("fsync", str(final.parent), "")]
    finally:
        store.close()


def test_store_files_are_private_whatever_the_umask(tmp_path: Path, umask_022: None) -> None:
    store = Store(tmp_path / "store", terminal=7)
    try:
        intake, number = store.start_intake()
        page = store.spool.write(b"page", kind="page", suffix=".pgm")
        pdf = store.spool.write(b"%PDF-1.4 appeal", kind="pdf", suffix=".pdf")
        meta = store.spool.write(b"{}", kind="metadata", suffix=".json")
        store.commit_appeal(AppealRecord(number.compact, number.compact, "application", "{}", pdf, meta,
                                         [PageRecord(1, "front", page)], 1, "2026-11-28T21:50:00+02:00",
                                         "2026-12-28", intake_id=intake))
        root = tmp_path / "store"
        folders = [root, *(p for p in root.rglob("*") if p.is_dir())]
        files = [p for p in root.rglob("*") if p.is_file()]
        assert {p.name for p in files} >= {"terminal.db", "terminal.db-wal", "terminal.db-shm"}
        assert len(files) >= 6 and len(folders) >= 8
        assert {str(p.relative_to(tmp_path)): oct(_mode(p)) for p in folders if _mode(p) != 0o700} == {}
        assert {str(p.relative_to(tmp_path)): oct(_mode(p)) for p in files if _mode(p) != 0o600} == {}
    finally:
        store.close()


def test_an_existing_store_made_world_readable_is_closed_again(tmp_path: Path, umask_022: None) -> None:
    Store(tmp_path / "store", terminal=7).close()
    os.chmod(tmp_path / "store", 0o755)
    os.chmod(tmp_path / "store" / "terminal.db", 0o644)
    os.chmod(tmp_path / "store" / "spool", 0o755)
    Store(tmp_path / "store", terminal=7).close()
    assert _mode(tmp_path / "store") == 0o700 and _mode(tmp_path / "store" / "spool") == 0o700
    assert _mode(tmp_path / "store" / "terminal.db") == 0o600


def test_an_old_database_with_local_times_is_read_in_utc(tmp_path: Path) -> None:
    """A store written before the one time format (local time with its offset, to the second;
    the archive box with 'Z'): the migration rewrites the times, the appeal stays whole."""
    old = Store(tmp_path / "store", terminal=7, migrations=CORE[:3])
    # today's commit_appeal also writes the receipt code's columns (core:006_access_codes): lent
    # to the old schema for this one commit, taken back below before the store is reopened
    old.conn.execute("ALTER TABLE appeals ADD COLUMN access_hash TEXT")
    old.conn.execute("ALTER TABLE appeals ADD COLUMN access_code TEXT")
    intake, number = old.start_intake()
    pdf = old.spool.write(b"%PDF-1.4 appeal", kind="pdf", suffix=".pdf")
    meta = old.spool.write(b"{}", kind="metadata", suffix=".json")
    old.commit_appeal(AppealRecord(number.compact, number.compact, "application", "{}", pdf, meta, [], 1,
                                   "2026-11-28T23:50:07+02:00", "2026-12-28", intake_id=intake))
    old.close()
    # what the old code had written: local times, seconds
    conn = sqlite3.connect(tmp_path / "store" / "terminal.db")
    with conn:
        conn.execute("ALTER TABLE appeals DROP COLUMN access_hash")
        conn.execute("ALTER TABLE appeals DROP COLUMN access_code")
        conn.execute("UPDATE appeals SET received_at='2026-11-28T23:50:07+02:00'")
        conn.execute("UPDATE events SET at='2026-11-28T23:50:08+02:00'")
        conn.execute("UPDATE outbox SET created_at='2026-11-28T23:50:08+02:00'")
        conn.execute("UPDATE boxes SET opened_at='2026-11-01T08:00:00Z'")
        assert conn.execute("SELECT name FROM sqlite_master WHERE name='sync_answers'").fetchone() is None
    conn.close()

    store = Store(tmp_path / "store", terminal=7)
    try:
        row = store.appeal(number.compact)
        assert row is not None and row["received_at"] == "2026-11-28T21:50:07.000+00:00"
        assert {r["at"] for r in store.db.query("SELECT at FROM events")} == {"2026-11-28T21:50:08.000+00:00"}
        assert store.outbox.entry(number.compact)["created_at"] == "2026-11-28T21:50:08.000+00:00"
        assert store.box()["opened_at"] == "2026-11-01T08:00:00.000+00:00"
        assert store.outbox.answers(number.compact) == []            # the sync agent's tables exist now
        assert store.recover(full=True).problems == []
        applied = [r["name"] for r in store.db.query("SELECT name FROM _migrations ORDER BY rowid")]
        assert applied == [m.name for m in CORE]
    finally:
        store.close()
