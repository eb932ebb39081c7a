"""The one helper through which device and storage work leaves the UI thread.

``Worker.run(fn, on_done, on_error, on_progress)`` queues ``fn(progress)`` on a single background
thread (the :class:`~kiosk_app.core.terminal.Terminal` takes one call at a time, so the pool has one
thread and jobs run in order). ``fn`` gets a ``progress(obj)`` function it may call from the worker
thread; every callback is delivered on the main thread through queued signals. The work itself never
touches a widget.

By default the terminal the jobs call is a :class:`~kiosk_app.ui.host.HostedTerminal`: the job
then only waits on a pipe while a helper process does the work, so the scan's image processing
never holds this process's interpreter lock (see benchmarks/ui.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from .qt import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class _Relay(QObject):
    """Lives on the main thread; signals emitted from the worker are queued to it. One per
    worker, for its whole life (jobs are told apart by their number)."""

    done = Signal(int, object)
    failed = Signal(int, object)
    progress = Signal(int, object)


class _Job(QRunnable):
    def __init__(self, job_id: int, fn: Callable[[Callable[[Any], None]], Any], relay: _Relay, name: str) -> None:
        super().__init__()
        self.job_id, self.fn, self.relay, self.name = job_id, fn, relay, name
        self.setAutoDelete(True)

    def run(self) -> None:
        started = time.monotonic()
        try:
            result = self.fn(lambda obj: self.relay.progress.emit(self.job_id, obj))
        except BaseException as err:  # delivered to the UI, which decides what the resident sees
            log.info("job %s failed after %.2f s: %s", self.name, time.monotonic() - started, type(err).__name__)
            self.relay.failed.emit(self.job_id, err)
            return
        log.debug("job %s done in %.2f s", self.name, time.monotonic() - started)
        self.relay.done.emit(self.job_id, result)


class Worker(QObject):
    """Single-threaded, ordered background jobs with main-thread callbacks."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.pending = 0
        self._next = 0
        self._callbacks: dict[int, tuple[Done | None, Failed | None, Done | None, str]] = {}
        self.relay = _Relay(self)
        self.relay.done.connect(self._done)
        self.relay.failed.connect(self._failed)
        self.relay.progress.connect(self._progress)

    def run(self, fn: Callable[[Callable[[Any], None]], Any], on_done: Done | None = None,
            on_error: Failed | None = None, on_progress: Done | None = None, name: str = "job") -> None:
        self._next += 1
        self._callbacks[self._next] = (on_done, on_error, on_progress, name)
        self.pending += 1
        if self.pending == 1:
            self.busy_changed.emit(True)
        self.pool.start(_Job(self._next, fn, self.relay, name))

    def _finish(self, job_id: int) -> None:
        self._callbacks.pop(job_id, None)
        self.pending -= 1
        if self.pending == 0:
            self.busy_changed.emit(False)

    def _done(self, job_id: int, result: Any) -> None:
        on_done = self._callbacks.get(job_id, (None,) * 4)[0]
        try:
            if on_done:
                on_done(result)
        finally:
            self._finish(job_id)

    def _failed(self, job_id: int, err: BaseException) -> None:
        _d, on_error, _p, name = self._callbacks.get(job_id, (None, None, None, "job"))
        try:
            if on_error:
                on_error(err)
            else:
                log.error("background job %s failed: %r", name, err)
        finally:
            self._finish(job_id)

    def _progress(self, job_id: int, obj: Any) -> None:
        on_progress = self._callbacks.get(job_id, (None,) * 4)[2]
        if on_progress:
            on_progress(obj)

    @property
    def busy(self) -> bool:
        return self.pending > 0

    def wait(self, ms: int = 30000) -> bool:
        """Block until queued jobs ran (shutdown and tests only; never from a screen)."""
        return bool(self.pool.waitForDone(ms))
