"""The server's background jobs, each run by one process at a time whatever the number of servers.

Every ``city-server run`` starts one thread per job. The thread holding the job's lock (locks.py)
runs it every interval and records each pass (``jobs.Run``: host, pid, start, end, success); the
threads of the other processes only try the lock again every interval, ready to take over.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from .locks import JobLock

logger = logging.getLogger("server_stub.jobs")
KEEP_RUNS = timedelta(days=7)


@dataclass(frozen=True)
class Job:
    name: str
    interval: float  # seconds; 0 or less: not run in the background
    body: Callable[[], object]
    at_start: bool = True  # run at once when the lock is taken (else after one interval)
    lock: str = ""  # the lock's name when it is not the job's (one lock per drop folder)


def edms_lock(folder: str | Path) -> str:
    """One import at a time per drop folder (not per server: two folders import side by side)."""
    digest = hashlib.blake2b(str(Path(folder).resolve()).encode(), digest_size=6).hexdigest()
    return f"edms-import-{digest}"


def record(name: str, body: Callable[[], object]) -> object:
    """Run ``body`` once as a recorded pass of job ``name``."""
    from .models import Run

    run = Run.objects.create(job=name, host=socket.gethostname()[:100], pid=os.getpid(), started_at=timezone.now())
    ok = False
    try:
        result = body()
        ok = True
        return result
    finally:
        Run.objects.filter(pk=run.pk).update(finished_at=timezone.now(), ok=ok)
        Run.objects.filter(job=name, started_at__lt=timezone.now() - KEEP_RUNS).delete()


def loop(job: Job, lock: JobLock | None = None) -> None:
    """Forever: while this process holds the job's lock, a pass every interval; otherwise try for it."""
    lock = lock or JobLock(job.lock or job.name)
    running = lock.held
    if running and not job.at_start:
        time.sleep(job.interval)
    while True:
        try:
            if lock.try_acquire():
                if not running:
                    logger.info("job %s: this process (pid %d) runs it", job.name, os.getpid())
                running = True
                record(job.name, job.body)
            elif running:
                logger.warning("job %s: this process no longer runs it", job.name)
                running = False
        except Exception:
            logger.exception("job %s failed; next try in %.0f s", job.name, job.interval)
        finally:
            close_old_connections()
        time.sleep(job.interval)


def _edms_import() -> object:
    from server_stub.standins.edms.importer import import_once

    folder = Path(settings.EDMS_DROP_FOLDER)
    return import_once(folder, settings.EDMS_ACK_MODE) if folder.is_dir() else []


def _petitions() -> object:
    from server_stub.petitions.services import run_jobs

    done = run_jobs(None, None)
    for pk, action in done:
        logger.info("petition %s: %s", pk, action)
    return done


def _reminders() -> object:
    from server_stub.cabinet.services import send_reminders

    return send_reminders(None)


def _opendata() -> object:
    from server_stub.opendata.generate import regenerate_all

    return regenerate_all()


def jobs() -> list[Job]:
    scheduled = float(os.environ.get("CITY_SERVER_JOBS_INTERVAL", "600"))
    return [
        Job("edms-import", settings.EDMS_IMPORT_INTERVAL_S if settings.EDMS_DROP_FOLDER else 0, _edms_import,
            lock=edms_lock(settings.EDMS_DROP_FOLDER) if settings.EDMS_DROP_FOLDER else ""),
        Job("opendata", float(os.environ.get("CITY_SERVER_OPENDATA_INTERVAL", "3600")), _opendata, at_start=False),
        Job("petitions", scheduled, _petitions),
        Job("reminders", scheduled, _reminders),
    ]


def start() -> list[threading.Thread]:
    """At ``city-server run``: open data regenerated before serving by the process that gets its lock
    (the others serve what it wrote), then a thread per job."""
    threads = []
    for job in jobs():
        lock = None
        if job.name == "opendata":
            lock = JobLock(job.name)
            if lock.try_acquire():
                record(job.name, job.body)
        if job.interval > 0:
            thread = threading.Thread(target=loop, args=(job, lock), name=f"job-{job.name}", daemon=True)
            thread.start()
            threads.append(thread)
        elif lock is not None:
            lock.release()
    return threads
