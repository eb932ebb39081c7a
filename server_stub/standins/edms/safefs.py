"""The drop folder is hostile: files are read without following symbolic links, JSON is bounded in size and
depth, dates are real dates, and what the EDMS writes goes through exclusive temporaries with random names.

Every call takes the folder as an open directory descriptor (``dir_fd``), so a name is always looked up in
that folder and nowhere else, even if the folder path is swapped while a pass runs.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import stat
from datetime import date, datetime
from typing import Any

MAX_JSON_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 20  # the metadata record nests 4 levels; anything far deeper is an attack, not a record
MAX_PDF_BYTES = 200 * 1024 * 1024
REJECTED = "rejected"
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Refused(ValueError):
    """The file breaks the contract in a way waiting cannot mend (symlink, not a file, too big, too deep)."""


def open_dir(path: str | os.PathLike[str]) -> int:
    return os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)


def lexists(dir_fd: int, name: str) -> bool:
    try:
        os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


def read_nofollow(dir_fd: int, name: str, limit: int) -> bytes:
    """The bytes of the regular file ``name``; Refused for a symlink, a non-file or a file over ``limit``."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd)
    except OSError as err:
        if err.errno == 40:  # ELOOP: the name is a symbolic link
            raise Refused(f"{name} is a symbolic link") from err
        raise
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise Refused(f"{name} is not a regular file")
        if st.st_size > limit:
            raise Refused(f"{name} is larger than {limit} bytes")
        return fh.read(limit + 1)


def json_depth(text: str) -> int:
    """How deep arrays and objects nest in ``text`` (strings skipped), without parsing it."""
    depth = deepest = 0
    for ch in re.findall(r"[\[\]{}]", _STRINGS.sub('""', text)):
        depth += 1 if ch in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def loads_bounded(data: bytes) -> Any:
    """JSON from ``data``: Refused when nested deeper than MAX_JSON_DEPTH; UnicodeError/JSONDecodeError as json."""
    if len(data) > MAX_JSON_BYTES:
        raise Refused(f"metadata is larger than {MAX_JSON_BYTES} bytes")
    text = data.decode("utf-8")
    if json_depth(text) > MAX_JSON_DEPTH:
        raise Refused(f"metadata nests deeper than {MAX_JSON_DEPTH} levels")
    return json.loads(text)


def date_time(value: str) -> datetime:
    """An RFC 3339 date-time that exists on the calendar and the clock (``2026-02-30T…`` is a ValueError)."""
    if not _DATE_TIME.fullmatch(value):
        raise ValueError(f"{value!r} is not an RFC 3339 date-time")
    return datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))


def calendar_date(value: str) -> date:
    if not _DATE.fullmatch(value):
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)")
    return date.fromisoformat(value)


def write_exclusive(dir_fd: int, final: str, data: bytes, mode: int = 0o640) -> None:
    """Write ``final`` in the folder through a new temporary with an unpredictable name (O_EXCL, no symlink
    followed), fsync it, rename it into place (a planted ``final`` symlink is replaced, not followed)."""
    tmp = f".tmp-{final}.{secrets.token_hex(12)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode, dir_fd=dir_fd)
    try:
        os.fchmod(fd, mode)  # the mode asked for, whatever the umask (the sync agent reads it through its group)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp, dir_fd=dir_fd)
        raise
    os.fsync(dir_fd)


def move_aside(dir_fd: int, names: list[str], reason_name: str, reason: str) -> None:
    """Move ``names`` (files or symlinks themselves, never their targets) into ``rejected/`` beside a reason
    file. A ``rejected`` that is not a real directory of this folder is not used: nothing is moved then."""
    with contextlib.suppress(FileExistsError):
        os.mkdir(REJECTED, 0o750, dir_fd=dir_fd)
    aside = os.open(REJECTED, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
    try:
        for name in names:
            try:
                os.rename(name, name, src_dir_fd=dir_fd, dst_dir_fd=aside)
            except FileNotFoundError:
                continue
        write_exclusive(aside, reason_name, reason.encode("utf-8") + b"\n")
    finally:
        os.close(aside)
    os.fsync(dir_fd)
