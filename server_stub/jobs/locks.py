"""Which server process runs a background job: one lock per job, held for as long as it runs it.

PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) taken on a database connection
of the lock's own, kept open while the process runs the job. The other processes try again every
interval; when the holder stops or loses its connection, PostgreSQL frees the lock and another
process takes the job over within one interval.

SQLite: an exclusive ``flock(2)`` on ``<data dir>/locks/<job>.lock``, freed by the kernel when the
holder exits. It is correct for every process on one host, and one host is as far as an SQLite
database can be shared (docs/server.md "Scaling out").
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)
KEY_SPACE = 0x43495459  # "CITY": the first int of the two-int advisory key, the second names the job


def advisory_key(name: str) -> int:
    """The job's half of the advisory lock key: a stable signed 32-bit hash of its name."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=4).digest(), "big", signed=True)


def _postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


class JobLock:
    """``try_acquire()`` answers whether this process runs job ``name`` now (taking it when free)."""

    def __init__(self, name: str):
        self.name = name
        self._conn: Any = None  # PostgreSQL: the connection that holds the advisory lock
        self._fd: int | None = None  # SQLite: the locked file

    @property
    def held(self) -> bool:
        return self._conn is not None or self._fd is not None

    def try_acquire(self) -> bool:
        if self.held:
            return self._still_held()
        return self._take_pg() if _postgres() else self._take_file()

    def release(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(DatabaseError), self._conn.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(%s, %s)", [KEY_SPACE, advisory_key(self.name)])
            with contextlib.suppress(DatabaseError):
                self._conn.close()
            self._conn = None
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def _take_pg(self) -> bool:
        conn = connections.create_connection("default")  # not the thread's: request handling never closes it
        conn.inc_thread_sharing()  # taken at start by the main thread, then held by the job's thread
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT pg_try_advisory_lock(%s, %s)", [KEY_SPACE, advisory_key(self.name)])
                got = bool(cur.fetchone()[0])
        except DatabaseError as err:
            logger.warning("job %s: could not ask PostgreSQL for its lock: %s", self.name, err)
            got = False
        if got:
            self._conn = conn
        else:
            with contextlib.suppress(DatabaseError):
                conn.close()
        return got

    def _still_held(self) -> bool:
        """A session lock lives as long as its connection: check the connection, drop the lock with it."""
        if self._conn is None:
            return True
        try:
            with self._conn.cursor() as cur:
                cur.execute("SELECT 1")
            return True
        except DatabaseError as err:
            logger.warning("job %s: lost its lock with its database connection: %s", self.name, err)
            with contextlib.suppress(DatabaseError):
                self._conn.close()
            self._conn = None
            return False

    def _take_file(self) -> bool:
        folder = settings.DATA_DIR / "locks"
        folder.mkdir(mode=0o700, exist_ok=True)
        fd = os.open(folder / f"{self.name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True
