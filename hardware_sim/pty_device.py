"""The far end of a serial device on a pseudo-terminal: the shared base of the serial simulators
(intake mechanism, barcode reader, modem).

A :class:`PtyDevice` opens a pty pair (``os.openpty``), puts it in raw mode (no echo, no CR/LF
translation: bytes pass exactly as on a real UART), points the stable symlink
``<workdir>/<name>.tty`` at the slave side (what the driver opens with pyserial), and runs one
reader thread on the master side that cuts the incoming bytes into frames and hands each complete
frame to a callback. Replies go back with :meth:`PtyDevice.write`. The simulator keeps the slave
side open itself, so the pty survives a driver closing and re-opening the port.

API (everything a simulator needs)::

    dev = PtyDevice(workdir, "modem", on_frame, terminators=b"\\r")
    dev.open()                 # creates the pty, the symlink, starts the reader thread
    dev.path                   # "/dev/pts/7": the slave side
    dev.link                   # Path("<workdir>/modem.tty")
    dev.endpoint()             # {"transport": "serial", "path": dev.path, "link": str(dev.link)}
    dev.write(b"OK\\r\\n")       # to the driver (thread-safe)
    dev.terminators = b"\\x1a"  # change framing at any time, e.g. from inside the callback
    dev.close()                # stops the thread, removes the symlink, closes both fds

Framing: a frame ends at the first byte that is in ``terminators`` (default CR or LF). The
callback gets the frame without its terminator (``keep_terminator=True`` keeps it, so a modem can
tell CR from Ctrl-Z); empty frames (the LF of a CRLF) are skipped unless ``skip_empty=False``.
The callback runs on the reader thread, one frame at a time, in order; the remaining buffer is cut
again after each callback, so a callback may change ``terminators`` for the bytes that follow.
``on_frame=None`` makes a write-only device (the barcode reader). ``on_bytes`` (optional) sees
every raw chunk first, for echo or logging.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import threading
import tty
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FrameCallback = Callable[[bytes], None]


@dataclass(eq=False)
class PtyDevice:
    """One serial port's device end on a pseudo-terminal. See the module docstring."""

    workdir: Path
    name: str
    on_frame: FrameCallback | None = None
    _: KW_ONLY
    terminators: bytes = b"\r\n"
    keep_terminator: bool = False
    skip_empty: bool = True
    on_bytes: Callable[[bytes], None] | None = None
    max_frame: int = 65536
    path: str = field(default="", init=False)
    _master: int = field(default=-1, init=False, repr=False)
    _slave: int = field(default=-1, init=False, repr=False)
    _wake_r: int = field(default=-1, init=False, repr=False)
    _wake_w: int = field(default=-1, init=False, repr=False)
    _buf: bytearray = field(default_factory=bytearray, init=False, repr=False)
    _write_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _thread: threading.Thread | None = field(default=None, init=False, repr=False)
    _running: bool = field(default=False, init=False, repr=False)

    def __post_init__(self) -> None:
        self.workdir = Path(self.workdir)
        self.link = self.workdir / f"{self.name}.tty"

    # -- life cycle -----------------------------------------------------------------------
    def open(self) -> None:
        if self._running:
            return
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        tty.setraw(self._master)
        os.set_blocking(self._master, False)
        self.path = os.ttyname(self._slave)
        with contextlib.suppress(FileNotFoundError):
            self.link.unlink()
        self.link.symlink_to(self.path)
        self._wake_r, self._wake_w = os.pipe()
        self._running = True
        self._thread = threading.Thread(target=self._reader, name=f"pty-{self.name}", daemon=True)
        self._thread.start()
        log.info("%s on %s (%s)", self.name, self.path, self.link)

    def close(self) -> None:
        if not self._running:
            return
        self._running = False
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2)
        self._thread = None
        with contextlib.suppress(FileNotFoundError, OSError):
            if self.link.is_symlink() and os.readlink(self.link) == self.path:
                self.link.unlink()
        for fd in (self._master, self._slave, self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._master = self._slave = self._wake_r = self._wake_w = -1
        self._buf.clear()

    @property
    def is_open(self) -> bool:
        return self._running

    def endpoint(self) -> dict[str, Any]:
        return {"transport": "serial", "path": self.path, "link": str(self.link)}

    # -- traffic --------------------------------------------------------------------------
    def write(self, data: bytes) -> None:
        """Send bytes to the driver (thread-safe; whole ``data`` or nothing is queued)."""
        if not self._running:
            return
        with self._write_lock:
            view = memoryview(data)
            while view:
                try:
                    n = os.write(self._master, view)
                except BlockingIOError:
                    select.select([], [self._master], [], 0.5)
                    continue
                except OSError as err:      # pty closed under us
                    log.debug("%s: write failed: %s", self.name, err)
                    return
                view = view[n:]

    def _reader(self) -> None:
        while self._running:
            try:
                ready, _, _ = select.select([self._master, self._wake_r], [], [], 0.5)
            except (OSError, ValueError):
                return
            if not self._running:
                return
            if self._master not in ready:
                continue
            try:
                chunk = os.read(self._master, 4096)
            except BlockingIOError:
                continue
            except OSError:                 # EIO: nobody has the slave open (cannot happen: we do)
                continue
            if not chunk:
                continue
            if self.on_bytes is not None:
                self._safe(self.on_bytes, chunk)
            if self.on_frame is None:
                continue
            self._buf += chunk
            self._cut_frames()

    def _cut_frames(self) -> None:
        while self._running:
            end = next((i for i, b in enumerate(self._buf) if b in self.terminators), -1)
            if end < 0:
                if len(self._buf) > self.max_frame:     # runaway line noise: drop it
                    log.warning("%s: dropped %d bytes without a terminator", self.name, len(self._buf))
                    self._buf.clear()
                return
            frame = bytes(self._buf[: end + 1 if self.keep_terminator else end])
            del self._buf[: end + 1]
            body = frame[:-1] if self.keep_terminator else frame
            if not body and self.skip_empty:
                continue
            assert self.on_frame is not None
            self._safe(self.on_frame, frame)

    def _safe(self, fn: Callable[[bytes], None], data: bytes) -> None:
        try:
            fn(data)
        except Exception:                   # a simulator bug must not kill the port
            log.exception("%s: callback failed", self.name)


__all__ = ["FrameCallback", "PtyDevice"]
