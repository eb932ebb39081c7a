"""The spool: page images and PDFs as files, written atomically and named by their content.

A write goes to ``tmp/<random>.part`` in the spool, is fsynced, renamed to its final name
``<kind>/<sha256[:2]>/<sha256><suffix>`` and the folder is fsynced. A crash leaves either nothing
or a ``.part`` file that :meth:`Spool.sweep_partials` removes; a final name always holds whole,
verified content. Content addressing makes a retried write a no-op.

The store references files by relative path and SHA-256; the file is durable before the row
that references it is committed, so a row never points at a missing file.

The spool is private whatever the umask: folders 0700, files 0600 (they hold personal data).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from . import faultpoints


@dataclass(frozen=True)
class FileRef:
    path: str          # relative to the spool root
    sha256: str
    bytes: int


class SpoolError(Exception):
    pass


def private_dir(path: Path) -> Path:
    """Create ``path`` (its parents as usual) as a 0700 folder; an existing one is made 0700."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.stat().st_mode & 0o777 != 0o700:
        os.chmod(path, 0o700)
    return path


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sha256_file(path: str | Path) -> str:
    """The hex SHA-256 of a file's content, read in chunks (the one file-digest helper)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


class Spool:
    def __init__(self, root: str | Path) -> None:
        self.root = private_dir(Path(root))
        self.tmp = private_dir(self.root / "tmp")

    def path_of(self, ref: FileRef | str) -> Path:
        rel = ref.path if isinstance(ref, FileRef) else ref
        return self.root / rel

    def write(self, data: bytes, *, kind: str, suffix: str) -> FileRef:
        """Write ``data`` durably; returns its reference. Same content, same name: a no-op."""
        digest = hashlib.sha256(data).hexdigest()
        rel = f"{kind}/{digest[:2]}/{digest}{suffix}"
        final = self.root / rel
        if final.exists() and final.stat().st_size == len(data):
            return FileRef(rel, digest, len(data))
        self._folder_of(rel)
        part = self.tmp / f"{secrets.token_hex(8)}.part"
        with self.open_private(part) as f:
            half = len(data) // 2
            f.write(data[:half])
            f.flush()
            faultpoints.reached("spool.mid_write")
            f.write(data[half:])
            f.flush()
            os.fsync(f.fileno())
        os.replace(part, final)
        fsync_dir(final.parent)
        return FileRef(rel, digest, len(data))

    def open_private(self, path: Path, append: bool = False) -> BinaryIO:
        """Open ``path`` for writing, created 0600 (an existing file keeps its content if ``append``)."""
        flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
        return os.fdopen(os.open(path, flags, 0o600), "ab" if append else "wb")

    def place(self, src: Path, *, kind: str, sha256: str, suffix: str) -> FileRef:
        """Move a complete, verified file (already fsynced, in this spool's ``tmp``) to its final
        name ``<kind>/<sha[:2]>/<sha><suffix>``, and make the rename durable."""
        rel = f"{kind}/{sha256[:2]}/{sha256}{suffix}"
        final = self.root / rel
        self._folder_of(rel)
        os.chmod(src, 0o600)
        os.replace(src, final)
        fsync_dir(final.parent)
        return FileRef(rel, sha256, final.stat().st_size)

    def _folder_of(self, rel: str) -> None:
        """Create the folders of ``rel`` (0700); a new folder's entry is made durable too."""
        folder = self.root
        for part in Path(rel).parent.parts:
            folder = folder / part
            if not folder.is_dir():
                private_dir(folder)
                fsync_dir(folder.parent)

    def read(self, ref: FileRef) -> bytes:
        data = self.path_of(ref).read_bytes()
        if hashlib.sha256(data).hexdigest() != ref.sha256:
            raise SpoolError(f"{ref.path}: content does not match its SHA-256")
        return data

    def verify(self, ref: FileRef, *, full: bool = True) -> str | None:
        """Return what is wrong with the referenced file, or None."""
        p = self.path_of(ref)
        if not p.is_file():
            return "missing"
        if p.stat().st_size != ref.bytes:
            return f"size {p.stat().st_size} != {ref.bytes}"
        if full and sha256_file(p) != ref.sha256:
            return "SHA-256 mismatch"
        return None

    def sweep_partials(self, folder_grace: float = 600.0) -> int:
        """Remove half-written files left by a crash, and the work folders of a PDF build or an
        OCR run it interrupted (``tmp/<folder>/``, untouched for ``folder_grace`` seconds: another
        process may be using a fresh one); returns how many files. Downloads the sync agent
        resumes (``tmp/answer-*.download``) stay."""
        n = 0
        for part in self.tmp.glob("*.part"):
            part.unlink(missing_ok=True)
            n += 1
        cutoff = time.time() - folder_grace
        for folder in [p for p in self.tmp.iterdir() if p.is_dir() and p.stat().st_mtime < cutoff]:
            n += sum(1 for f in folder.rglob("*") if f.is_file())
            shutil.rmtree(folder, ignore_errors=True)
        return n

    def all_files(self) -> Iterator[str]:
        for p in self.root.rglob("*"):
            if p.is_file() and p.parent != self.tmp:
                yield str(p.relative_to(self.root))

    def remove(self, rel: str) -> None:
        p = self.root / rel
        p.unlink(missing_ok=True)
        fsync_dir(p.parent)
