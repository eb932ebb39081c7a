"""The EDMS drop folder, file-system side of docs/edms-drop-folder.md.

For one document: the PDF is copied to ``.tmp-<ID>.pdf.<random>`` in the drop folder itself
(hashing what it copies: a spool file that no longer matches its SHA-256 is never renamed into
place), fsynced, given its mode and group, renamed to ``<ID>.pdf``, the folder fsynced; then the
same for ``<ID>.json``. Already there with the same content: nothing is written. Acknowledged:
nothing is written.

Every file-system call goes through :class:`FileOps`, so a unit test can put a fault injector
in its place (ESTALE has no other honest way to appear on a local disk). ``OSError`` becomes
:class:`DropFault` with a ``code`` the technician reads: ``missing_mount``, ``read_only``,
``full``, ``stale_handle``, ``io_error``.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import grp
import hashlib
import json
import logging
import os
import secrets
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk_app.core import faultpoints
from kiosk_app.core.spool import sha256_file

log = logging.getLogger(__name__)

try:
    _LIBC: ctypes.CDLL | None = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    _LIBC.syncfs.argtypes = [ctypes.c_int]
except (OSError, AttributeError):
    _LIBC = None

FAULT_CODES = {
    errno.ENOENT: "missing_mount",
    errno.ENOTDIR: "missing_mount",
    errno.ENODEV: "missing_mount",
    errno.EROFS: "read_only",
    errno.EACCES: "read_only",
    errno.EPERM: "read_only",
    errno.ENOSPC: "full",
    errno.EDQUOT: "full",
    errno.ESTALE: "stale_handle",
}

FAULT_WORDS: dict[str, tuple[str, str]] = {
    k: (uk, en) for k, (uk, en) in tomllib.loads(
        Path(__file__).with_name("dropfolder.toml").read_text(encoding="utf-8"))["faults"].items()}


class DropFault(Exception):
    """The drop folder cannot take a document now; retried with backoff."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code

    def as_dict(self) -> dict[str, str]:
        uk, en = FAULT_WORDS.get(self.code, ("Помилка", "error"))
        return {"code": self.code, "message": str(self), "uk": uk, "en": en}


def fault_from(err: OSError, what: str) -> DropFault:
    code = FAULT_CODES.get(err.errno or 0, "io_error")
    name = errno.errorcode.get(err.errno or 0, str(err.errno))
    return DropFault(code, f"{what}: {err.strerror or err} ({name})")


class FileOps:
    """The file-system calls the drop folder makes (the production path: plain ``os``)."""

    def open(self, path: Path, flags: int, mode: int = 0o600) -> int:
        return os.open(path, flags, mode)

    def write(self, fd: int, data: bytes | memoryview) -> int:
        return os.write(fd, data)

    def fsync(self, fd: int) -> None:
        os.fsync(fd)

    def fchmod(self, fd: int, mode: int) -> None:
        os.fchmod(fd, mode)

    def fchown(self, fd: int, gid: int) -> None:
        os.fchown(fd, -1, gid)

    def close(self, fd: int) -> None:
        os.close(fd)

    def rename(self, src: Path, dst: Path) -> None:
        os.rename(src, dst)

    def unlink(self, path: Path) -> None:
        os.unlink(path)

    def listdir(self, path: Path) -> list[str]:
        return os.listdir(path)

    def read_bytes(self, path: Path) -> bytes:
        with open(path, "rb") as f:
            return f.read()

    def exists(self, path: Path) -> bool:
        return os.path.exists(path)

    def syncfs(self, path: Path) -> None:
        """Flush the whole file system holding ``path`` (Linux syncfs(2)); os.sync elsewhere."""
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            if _LIBC is None or _LIBC.syncfs(fd) != 0:
                if _LIBC is None:
                    os.sync()
                else:
                    e = ctypes.get_errno()
                    raise OSError(e, os.strerror(e))
        finally:
            os.close(fd)


@dataclass(frozen=True)
class Document:
    document_id: str
    pdf: Path            # the spool file
    pdf_sha256: str
    pdf_bytes: int
    metadata: bytes      # the exact bytes of <ID>.json


class DropFolder:
    def __init__(self, path: str | Path, *, marker: str = "", mode: int = 0o640, group: str = "",
                 fs: FileOps | None = None, sync: str = "batch") -> None:
        if sync not in ("batch", "file"):
            raise ValueError(f"drop.sync: 'batch' or 'file', not {sync!r}")
        self.sync = sync
        self._buf = bytearray(256 * 1024)
        self.path = Path(path)
        self.marker = marker
        self.mode = mode
        self.fs = fs or FileOps()
        self.gid: int | None = None
        if group:
            try:
                self.gid = grp.getgrnam(group).gr_gid
            except KeyError as err:
                raise ValueError(f"drop.group: no group named {group!r} on this system") from err

    # -- names -----------------------------------------------------------------------------------
    def pdf_path(self, doc: str) -> Path:
        return self.path / f"{doc}.pdf"

    def json_path(self, doc: str) -> Path:
        return self.path / f"{doc}.json"

    def ack_path(self, doc: str) -> Path:
        return self.path / f"{doc}.ack.json"

    # -- the mount -------------------------------------------------------------------------------
    def check(self) -> None:
        """Raise ``DropFault('missing_mount')`` unless the folder (and its marker) are there."""
        try:
            if not os.path.isdir(self.path):
                raise DropFault("missing_mount", f"{self.path}: the drop folder does not exist")
            if self.marker and not self.fs.exists(self.path / self.marker):
                raise DropFault("missing_mount", f"{self.path}: marker file {self.marker} is absent (share not mounted?)")
        except OSError as err:
            raise fault_from(err, f"{self.path}") from err

    def iter_names(self) -> Iterator[str]:
        """The folder's names, streamed (a folder of 200,000 files is not held in memory)."""
        self.check()
        try:
            with os.scandir(self.path) as it:
                for entry in it:
                    yield entry.name
        except OSError as err:
            raise fault_from(err, f"listing {self.path}") from err

    def names(self) -> set[str]:
        self.check()
        try:
            return set(self.fs.listdir(self.path))
        except OSError as err:
            raise fault_from(err, f"listing {self.path}") from err

    # -- delivery --------------------------------------------------------------------------------
    def deliver(self, doc: Document) -> str:
        """Put one document in place; returns ``written``, ``metadata`` (only the JSON was
        missing), ``already`` or ``acknowledged``. Raises DropFault."""
        return self.deliver_many([doc])[0][1]

    def deliver_many(self, docs: list[Document]) -> list[tuple[str, str]]:
        """Deliver a group: every PDF to a temporary, made durable (``sync='batch'``: one
        ``syncfs`` for the group; ``'file'``: an fsync per file), renamed into place, the folder
        fsynced; then the same for the metadata files. A document exists when its ``.json`` is
        renamed, and by then its PDF is durable and in place. On a fault the DropFault carries
        ``.completed``: the documents fully delivered before it."""
        self.check()
        outcomes: dict[str, str] = {}
        todo_pdf: list[Document] = []
        todo_json: list[Document] = []
        try:
            for doc in docs:
                d = doc.document_id
                if self.fs.exists(self.ack_path(d)):
                    outcomes[d] = "acknowledged"
                    continue
                if self.fs.exists(self.json_path(d)) and self.fs.read_bytes(self.json_path(d)) == doc.metadata:
                    outcomes[d] = "already"
                    continue
                pdf_ok = self.fs.exists(self.pdf_path(d)) and sha256_file(self.pdf_path(d)) == doc.pdf_sha256
                if not pdf_ok:
                    todo_pdf.append(doc)
                todo_json.append(doc)
                outcomes[d] = "metadata" if pdf_ok else "written"
        except OSError as err:
            fault = fault_from(err, "checking the drop folder")
            fault.completed = [(d, o) for d, o in outcomes.items() if o in ("acknowledged", "already")]  # type: ignore[attr-defined]
            raise fault from err
        try:
            self._place_group([(f"{d.document_id}.pdf", d) for d in todo_pdf])
            faultpoints.reached("sync.drop_pdfs_placed")
            self._place_group([(f"{d.document_id}.json", d.metadata) for d in todo_json])
        except DropFault as fault:
            # What was renamed before the fault is found as "already" by the next pass.
            fault.completed = [(d.document_id, outcomes[d.document_id]) for d in docs  # type: ignore[attr-defined]
                               if outcomes.get(d.document_id) in ("acknowledged", "already")]
            raise
        return [(d.document_id, outcomes[d.document_id]) for d in docs]

    def _tmp(self, final: str) -> Path:
        return self.path / f".tmp-{final}.{secrets.token_hex(6)}"

    def _place_group(self, items: list[tuple[str, Document | bytes]]) -> None:
        """Temporaries for every item, made durable, then renamed; the folder fsynced."""
        if not items:
            return
        tmps: list[tuple[Path, Path]] = []
        renamed: set[Path] = set()
        try:
            for name, src in items:
                tmp = self._tmp(name)
                fd = self._open_tmp(tmp)
                tmps.append((tmp, self.path / name))
                try:
                    if isinstance(src, Document):
                        self._copy_pdf(fd, src)
                    else:
                        view = memoryview(src)
                        while view:
                            view = view[self.fs.write(fd, view):]
                    if self.sync == "file":
                        self.fs.fsync(fd)
                    self.fs.fchmod(fd, self.mode)
                    if self.gid is not None:
                        self.fs.fchown(fd, self.gid)
                finally:
                    self.fs.close(fd)
            if self.sync == "batch":
                self.fs.syncfs(self.path)
            for tmp, final in tmps:
                self.fs.rename(tmp, final)
                renamed.add(tmp)
            self._fsync_dir()
        except (OSError, DropFault) as err:
            self._discard([t for t, _ in tmps if t not in renamed])
            if isinstance(err, DropFault):
                raise
            raise fault_from(err, f"writing {items[0][0]} (group of {len(items)})") from err

    def _copy_pdf(self, fd: int, doc: Document) -> None:
        h = hashlib.sha256()
        total = 0
        try:
            src = os.open(doc.pdf, os.O_RDONLY)
        except OSError as err:
            raise DropFault("spool_corrupt", f"{doc.pdf}: cannot read the spool file: {err.strerror}") from err
        buf = self._buf
        try:
            while n := os.readv(src, [buf]):          # one reused buffer: no 1 MiB allocation per read
                chunk = memoryview(buf)[:n]
                h.update(chunk)
                total += n
                view = chunk
                while view:
                    view = view[self.fs.write(fd, view):]
        finally:
            os.close(src)
        if h.hexdigest() != doc.pdf_sha256 or total != doc.pdf_bytes:
            raise DropFault("spool_corrupt", f"{doc.pdf}: content does not match its SHA-256; not delivered")

    def _open_tmp(self, tmp: Path) -> int:
        return self.fs.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)

    def _discard(self, tmps: list[Path]) -> None:
        for tmp in tmps:
            with contextlib.suppress(OSError):
                self.fs.unlink(tmp)

    def _fsync_dir(self) -> None:
        dfd = self.fs.open(self.path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            self.fs.fsync(dfd)
        finally:
            self.fs.close(dfd)

    # -- acknowledgement and clean-up ------------------------------------------------------------
    def read_ack(self, doc: str) -> dict[str, Any] | None:
        try:
            data = json.loads(self.fs.read_bytes(self.ack_path(doc)))
        except FileNotFoundError:
            return None
        except (ValueError, UnicodeDecodeError) as err:
            log.warning("unreadable acknowledgement %s.ack.json: %s", doc, err)
            return None
        except OSError as err:
            raise fault_from(err, f"reading {doc}.ack.json") from err
        return data if isinstance(data, dict) else None

    def remove(self, doc: str) -> None:
        """Remove ``<ID>.json`` (the document is gone), then ``<ID>.pdf``, last ``<ID>.ack.json``
        (missing ones are fine): a ``.json`` is never visible without its PDF."""
        try:
            for p in (self.json_path(doc), self.pdf_path(doc), self.ack_path(doc)):
                with contextlib.suppress(FileNotFoundError):
                    self.fs.unlink(p)
            self._fsync_dir()
        except OSError as err:
            raise fault_from(err, f"removing {doc}") from err

    def sweep_temporaries(self, prefix: str) -> int:
        """Remove our own interrupted temporaries (``.tmp-<prefix>…pdf/json.<rnd>``), never the
        EDMS's (``.ack.json``). ``prefix``: the terminal code, so a shared folder is safe."""
        n = 0
        for name in self.names():
            if not name.startswith(f".tmp-{prefix}") or ".ack.json." in name:
                continue
            if ".pdf." in name or ".json." in name:
                try:
                    self.fs.unlink(self.path / name)
                    n += 1
                except FileNotFoundError:
                    pass
                except OSError as err:
                    raise fault_from(err, f"removing {name}") from err
        return n
