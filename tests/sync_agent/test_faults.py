"""Drop-folder faults: a missing mount, a read-only and a full file system (real tmpfs mounts;
the tests run as root), a stale handle (ESTALE, through a fault-injecting FileOps: a local disk
cannot produce it) and slow writes. Each shows the retry (backoff, attempts, next try), the
fault in the status and the heartbeat, the alert, and that no appeal is lost."""

from __future__ import annotations

import errno
import os
import random
import subprocess
import time
from pathlib import Path

import pytest

from kiosk_app.core.store import Store
from sync_agent import status as status_mod
from sync_agent.delivery import Delivery
from sync_agent.dropfolder import DropFolder, FileOps
from sync_agent.state import Backoff
from tests.support.appeals import AppealMaker
from tests.sync_agent.sa_fixtures import (
    MARKER,
    FakeEdms,
    Watcher,
    can_mount,
    expected_pdfs,
    make_delivery,
    tmpfs,
)

needs_root = pytest.mark.skipif(not can_mount(), reason="mounting a tmpfs needs root")


def _outbox(store: Store) -> dict[str, str]:
    return dict(store.conn.execute("SELECT document_id, state FROM outbox").fetchall())


def _wait_retry(delivery: Delivery) -> None:
    until = delivery.folder_paused_until()
    if until is not None:
        time.sleep(max(0.0, (until - until.now(until.tzinfo)).total_seconds()) + 0.01)


def _assert_fault_shown(store: Store, code: str, tmp_path: Path) -> None:
    st = status_mod.collect(store, modem_configured=False)
    assert st["drop_folder"]["state"] == "fault" and st["drop_folder"]["fault"]["code"] == code
    assert any(a["key"] == "drop.fault" for a in st["alerts"])
    hb = status_mod.heartbeat_body(store, tmp_path / "device-status.json", modem_configured=False)
    drop = next(d for d in hb["devices"] if d["device"] == "edms_drop")
    assert drop["state"] == "fault" and drop["detail"] == code
    assert any(e["device"] == "edms_drop" and e["code"] == code for e in hb["last_errors"])
    assert hb["queue_depth"] >= 1 and hb["oldest_undelivered"] is not None
    ev = [r[0] for r in store.conn.execute("SELECT body_json FROM sync_events_out")]
    assert any('"type": "alert"' in e and f"drop_{code}" in e for e in ev)     # reported to the server


def _recovered(store: Store, delivery: Delivery, docs: list[str]) -> None:
    _wait_retry(delivery)
    r = delivery.deliver_pass()
    assert r.fault is None
    assert _outbox(store) == dict.fromkeys(docs, "delivered")
    st = status_mod.collect(store, modem_configured=False)
    assert st["drop_folder"]["state"] == "ready" and not any(a["key"] == "drop.fault" for a in st["alerts"])
    assert store.check() == []                                      # nothing lost in the store


def test_backoff_is_capped_exponential_with_jitter() -> None:
    b = Backoff(1, 8, 0)
    assert [b.delay(n) for n in range(1, 7)] == [1, 2, 4, 8, 8, 8]
    j = Backoff(1, 8, 0.25)
    rng = random.Random(3)
    delays = [j.delay(3, rng) for _ in range(200)]
    assert 3 <= min(delays) < 3.4 and 4.6 < max(delays) <= 5 and len(set(delays)) > 100


def test_missing_mount_folder_and_marker(store: Store, maker: AppealMaker, tmp_path: Path) -> None:
    docs = [maker.make() for _ in range(3)]
    drop = tmp_path / "share"                                       # not there: the share is not mounted
    delivery = make_delivery(store, DropFolder(drop, marker=MARKER), alert_after=0.3)
    r = delivery.deliver_pass()
    assert r.fault is not None and r.fault["code"] == "missing_mount" and r.delivered == 0
    _assert_fault_shown(store, "missing_mount", tmp_path)
    # the backoff holds the next try back; a pass before then does nothing
    failures = store.conn.execute("SELECT value FROM sync_kv WHERE key='drop.failures'").fetchone()[0]
    assert delivery.deliver_pass().delivered == 0
    assert store.conn.execute("SELECT value FROM sync_kv WHERE key='drop.failures'").fetchone()[0] == failures
    _wait_retry(delivery)
    drop.mkdir()                                                    # mount point back, share still absent
    r = delivery.deliver_pass()
    assert r.fault["code"] == "missing_mount" and "marker" in r.fault["message"]
    row = store.conn.execute("SELECT attempts, last_error, next_attempt_at FROM outbox WHERE document_id=?",
                             (docs[0],)).fetchone()
    assert row[0] >= 1 and row[1].startswith("missing_mount") and row[2]
    time.sleep(0.35)
    delivery.check_alerts()                                         # unimported past drop.alert_after
    st = status_mod.collect(store, modem_configured=False)
    assert any(a["key"] == "drop.unimported" and docs[0] in a["message"] for a in st["alerts"])
    (drop / MARKER).touch()
    _recovered(store, delivery, docs)
    FakeEdms(drop).once()
    delivery.ack_pass()
    delivery.check_alerts()
    assert not status_mod.collect(store, modem_configured=False)["alerts"]


@needs_root
def test_read_only_file_system(store: Store, maker: AppealMaker, tmp_path: Path) -> None:
    docs = [maker.make() for _ in range(3)]
    with tmpfs(tmp_path / "share") as drop:
        (drop / MARKER).touch()
        subprocess.run(["mount", "-o", "remount,ro", str(drop)], check=True)
        delivery = make_delivery(store, DropFolder(drop, marker=MARKER))
        r = delivery.deliver_pass()
        assert r.fault["code"] == "read_only" and r.delivered == 0
        _assert_fault_shown(store, "read_only", tmp_path)
        assert os.listdir(drop) == [MARKER]
        subprocess.run(["mount", "-o", "remount,rw", str(drop)], check=True)
        _recovered(store, delivery, docs)
        assert sorted(os.listdir(drop)) == sorted([MARKER] + [f"{d}.{x}" for d in docs for x in ("pdf", "json")])


@needs_root
def test_full_file_system(store: Store, tmp_path: Path) -> None:
    maker = AppealMaker(store, pdf_size=(90_000, 110_000))
    docs = [maker.make() for _ in range(12)]
    with tmpfs(tmp_path / "share", size="512k") as drop:
        (drop / MARKER).touch()
        watcher = Watcher(drop, expected_pdfs(store))
        watcher.start()
        delivery = make_delivery(store, DropFolder(drop, marker=MARKER), commit_every=2)
        r = delivery.deliver_pass()
        assert r.fault["code"] == "full" and 0 < r.delivered < 12
        _assert_fault_shown(store, "full", tmp_path)
        assert not [n for n in os.listdir(drop) if n.startswith(".tmp-")]     # no temporaries left behind
        # the EDMS imports what arrived; space comes back; the rest is delivered on a retry
        edms = FakeEdms(drop)
        for _ in range(20):
            edms.once()
            delivery.ack_pass()
            _wait_retry(delivery)
            delivery.deliver_pass()
            if set(_outbox(store).values()) == {"imported"}:
                break
        watcher.halt()
        assert watcher.violations == []
        assert edms.registered == dict.fromkeys(docs, 1)
        assert store.check() == []


class StaleHandle(FileOps):
    """FAULT INJECTOR (unit test only): the first ``times`` renames fail with ESTALE, as an NFS
    client reports after the server lost the directory's handle."""

    def __init__(self, times: int) -> None:
        self.left = times

    def rename(self, src: Path, dst: Path) -> None:
        if self.left > 0:
            self.left -= 1
            raise OSError(errno.ESTALE, os.strerror(errno.ESTALE), str(dst))
        super().rename(src, dst)


class SlowWrites(FileOps):
    """FAULT INJECTOR: each write takes a while and writes at most 8 KiB (a slow share)."""

    def write(self, fd: int, data: bytes | memoryview) -> int:
        time.sleep(0.002)
        return os.write(fd, bytes(data[:8192]))


def test_stale_handle(store: Store, maker: AppealMaker, drop_dir: Path, tmp_path: Path) -> None:
    docs = [maker.make() for _ in range(3)]
    delivery = make_delivery(store, DropFolder(drop_dir, marker=MARKER, fs=StaleHandle(2)))
    r = delivery.deliver_pass()
    assert r.fault["code"] == "stale_handle" and r.delivered == 0
    _assert_fault_shown(store, "stale_handle", tmp_path)
    assert sorted(os.listdir(drop_dir)) == [MARKER]                  # temporaries removed
    _wait_retry(delivery)
    assert delivery.deliver_pass().fault["code"] == "stale_handle"  # still stale once more
    f2 = store.conn.execute("SELECT value FROM sync_kv WHERE key='drop.failures'").fetchone()[0]
    assert f2 == "2"
    _recovered(store, delivery, docs)


def test_slow_writes_still_atomic(store: Store, drop_dir: Path) -> None:
    maker = AppealMaker(store, pdf_size=(60_000, 90_000))
    docs = [maker.make() for _ in range(6)]
    watcher = Watcher(drop_dir, expected_pdfs(store))
    watcher.start()
    r = make_delivery(store, DropFolder(drop_dir, marker=MARKER, fs=SlowWrites())).deliver_pass()
    watcher.halt()
    assert r.delivered == 6 and watcher.violations == []
    assert set(watcher.checked) == {f"{d}.json" for d in docs}
