"""Helpers of the sync agent's tests: a store with queued appeals, a watcher of the drop folder
that records every name it sees and checks each document the moment it sees it, and a fake
EDMS that imports in ack-file mode (a test fixture standing where the city's EDMS stands)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk_app.core.store import Store
from sync_agent.delivery import Delivery
from sync_agent.dropfolder import DropFolder
from sync_agent.migrations import ALL
from sync_agent.state import Backoff
from tests.support.appeals import AppealMaker

TERMINAL = 17
MARKER = ".edms-drop"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "store", terminal=TERMINAL, migrations=ALL)
    yield s
    s.close()


@pytest.fixture
def maker(store: Store) -> AppealMaker:
    return AppealMaker(store, pdf_size=(4_000, 20_000))


@pytest.fixture
def drop_dir(tmp_path: Path) -> Path:
    d = tmp_path / "drop"
    d.mkdir()
    (d / MARKER).touch()
    return d


def make_delivery(store: Store, drop: Path | DropFolder, **kw: Any) -> Delivery:
    folder = drop if isinstance(drop, DropFolder) else DropFolder(drop, marker=MARKER)
    kw.setdefault("backoff", Backoff(0.05, 0.4, 0.2))
    return Delivery(store, folder, **kw)


class Watcher(threading.Thread):
    """Lists the folder in a tight loop. For each ``<ID>.json`` it sees it reads the record and
    hashes the PDF the record names, at that moment; a torn JSON, a PDF that does not match, or a
    JSON whose PDF is missing while the JSON is still there, is a violation."""

    def __init__(self, folder: Path, expected_pdfs: dict[str, str] | None = None) -> None:
        super().__init__(daemon=True)
        self.folder = folder
        self.expected_pdfs = expected_pdfs or {}      # name -> SHA-256: every sighting is hashed
        self.pdf_checks: dict[str, int] = {}
        self.stop = threading.Event()
        self.seen: set[str] = set()
        self.checked: dict[str, int] = {}
        self.violations: list[str] = []
        self.listings = 0

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                names = os.listdir(self.folder)
            except OSError:
                time.sleep(0.001)
                continue
            self.listings += 1
            for name in names:
                if name.startswith("."):
                    continue
                self.seen.add(name)
                if name.endswith(".json") and not name.endswith(".ack.json"):
                    self._check(name)
                elif name in self.expected_pdfs and self.pdf_checks.get(name, 0) < 5:
                    self._check_pdf(name)

    def _check_pdf(self, name: str) -> None:
        try:
            data = (self.folder / name).read_bytes()
        except FileNotFoundError:
            return
        self.pdf_checks[name] = self.pdf_checks.get(name, 0) + 1
        if hashlib.sha256(data).hexdigest() != self.expected_pdfs[name]:
            self.violations.append(f"{name}: partial PDF visible ({len(data)} bytes)")

    def _check(self, name: str) -> None:
        j = self.folder / name
        try:
            raw = j.read_bytes()
        except FileNotFoundError:
            return                                         # removed after import: fine
        try:
            rec = json.loads(raw)
        except ValueError:
            self.violations.append(f"{name}: partial or invalid JSON ({len(raw)} bytes)")
            return
        f = rec["files"][0]
        try:
            data = (self.folder / f["name"]).read_bytes()
        except FileNotFoundError:
            if j.exists():
                self.violations.append(f"{name} visible without its PDF {f['name']}")
            return
        if hashlib.sha256(data).hexdigest() != f["sha256"] or len(data) != f["bytes"]:
            self.violations.append(f"{f['name']}: partial or different PDF ({len(data)} of {f['bytes']} bytes)")
            return
        self.checked[name] = self.checked.get(name, 0) + 1

    def settle(self, listings: int = 3, timeout: float = 5.0) -> None:
        """Wait until the watcher has listed the folder a few more times (it may be starved)."""
        target = self.listings + listings
        deadline = time.monotonic() + timeout
        while self.listings < target and time.monotonic() < deadline:
            time.sleep(0.005)

    def halt(self) -> None:
        self.settle()
        self.stop.set()
        self.join(5)


class FakeEdms(threading.Thread):
    """Imports in ``ack-file`` mode: registers each ``<ID>.json`` it finds once, checks the PDF's
    SHA-256, writes ``<ID>.ack.json`` through a temporary and rename. ``registered`` counts how
    many times each ID was registered (a new arrival after its ack was removed counts again)."""

    def __init__(self, folder: Path, interval: float = 0.005) -> None:
        super().__init__(daemon=True)
        self.folder = folder
        self.interval = interval
        self.stop = threading.Event()
        self.registered: dict[str, int] = {}
        self.problems: list[str] = []

    def once(self) -> None:
        try:
            names = set(os.listdir(self.folder))
        except OSError:
            return
        for name in sorted(names):
            if name.startswith(".") or not name.endswith(".json") or name.endswith(".ack.json"):
                continue
            doc = name[:-5]
            if f"{doc}.ack.json" in names:
                continue
            try:
                rec = json.loads((self.folder / name).read_bytes())
                pdf = (self.folder / rec["files"][0]["name"]).read_bytes()
            except (FileNotFoundError, ValueError):
                continue
            if hashlib.sha256(pdf).hexdigest() != rec["files"][0]["sha256"]:
                self.problems.append(f"{doc}: checksum")
                continue
            ack = {"document_id": doc, "status": "registered", "registration_index": f"К-{len(self.registered) + 1}",
                   "registered_at": "2026-11-28T10:20:31+02:00", "reason": None}
            tmp = self.folder / f".tmp-{doc}.ack.json.{os.getpid()}"
            try:
                tmp.write_text(json.dumps(ack, ensure_ascii=False), encoding="utf-8")
                os.rename(tmp, self.folder / f"{doc}.ack.json")
            except OSError:                    # e.g. the folder is full: try again on the next round
                tmp.unlink(missing_ok=True)
                continue
            self.registered[doc] = self.registered.get(doc, 0) + 1

    def run(self) -> None:
        while not self.stop.is_set():
            self.once()
            time.sleep(self.interval)

    def halt(self) -> None:
        self.stop.set()
        self.join(5)


@contextlib.contextmanager
def tmpfs(path: Path, size: str = "4m") -> Iterator[Path]:
    """A real tmpfs mounted at ``path`` (the tests run as root); unmounted afterwards."""
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def expected_pdfs(store: Store) -> dict[str, str]:
    """``<ID>.pdf`` -> SHA-256 of every appeal in the store."""
    return {f"{doc}.pdf": sha for doc, sha in store.conn.execute(
        "SELECT a.document_id, f.sha256 FROM appeals a JOIN files f ON f.id = a.pdf_file")}


def can_mount() -> bool:
    return os.geteuid() == 0
