"""Driver of the handheld barcode reader in serial (USB CDC / RS-232) mode.

Such readers send each decoded code as one line: the code, then CR, LF or CR LF (set by scanning
a configuration barcode; many also add a configured prefix/suffix, e.g. an AIM identifier "]C0").
This driver reads lines with pyserial, drops empty ones (the LF of a CRLF), strips the configured
prefix and suffix, and hands out whole codes in order::

    reader = from_config({"connection": "serial", "port": "/dev/barcode"})
    code = reader.read(timeout=5.0)          # "0170001235-01" or None
    for code in reader:                      # blocks; ends when close() is called
        ...

The reader never answers anything, so :meth:`BarcodeReader.status` can only tell whether the
port is there (READY) or gone (OFFLINE). Wire traffic goes to ``devices.wire.barcode_reader``;
codes are appeal numbers, not personal data.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import KW_ONLY, dataclass, field
from typing import Any, ClassVar

import serial

from devices.config import build, declared, read_settings
from devices.errors import DeviceError, DeviceNotFound, DeviceOffline
from devices.state import DeviceState, DeviceStatus

log = logging.getLogger(__name__)
wire = logging.getLogger("devices.wire.barcode_reader")

DEVICE = "barcode_reader"
CONNECTIONS = ("serial",)

SETTINGS: list[dict[str, Any]] = declared("barcode_reader")  # devices/settings.toml


@dataclass(eq=False)
class BarcodeReader:
    """Reads whole codes from a serial barcode reader."""

    device: ClassVar[str] = DEVICE

    port: str
    _: KW_ONLY
    baudrate: int = 9600
    prefix: str = ""
    suffix: str = ""
    encoding: str = "utf-8"
    max_length: int = 256
    last_error: DeviceError | None = field(default=None, init=False)
    _ser: serial.Serial | None = field(default=None, init=False, repr=False)
    _buf: bytearray = field(default_factory=bytearray, init=False, repr=False)
    _closed: threading.Event = field(default_factory=threading.Event, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def open(self) -> None:
        if self._ser is not None:
            return
        try:
            self._ser = serial.Serial(self.port, self.baudrate, timeout=0.05)
        except (serial.SerialException, OSError) as err:
            self.last_error = DeviceNotFound(f"cannot open {self.port}: {err}", device=DEVICE)
            raise self.last_error from err
        self._closed.clear()
        self._buf.clear()

    def read(self, timeout: float | None = None) -> str | None:
        """The next code, or None if none arrives within ``timeout`` seconds (None = wait forever,
        until :meth:`close`)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            self.open()
            while not self._closed.is_set():
                code = self._take_line()
                if code is not None:
                    return code
                if deadline is not None and time.monotonic() >= deadline:
                    return None
                self._fill(0.05 if deadline is None else max(0.0, min(0.05, deadline - time.monotonic())))
            return None

    def __iter__(self) -> Iterator[str]:
        """Codes as they come; the loop ends when :meth:`close` is called."""
        while not self._closed.is_set():
            code = self.read(timeout=0.2)
            if code is not None:
                yield code

    def status(self) -> DeviceStatus:
        try:
            with self._lock:
                self.open()
        except DeviceError as err:
            return DeviceStatus(DEVICE, DeviceState.OFFLINE, err.code, {}, err.as_dict())
        return DeviceStatus(DEVICE, DeviceState.READY, "", {}, None)

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            if self._ser is not None:
                try:
                    self._ser.close()
                finally:
                    self._ser = None

    # -- lines ----------------------------------------------------------------------------
    def _fill(self, wait: float) -> None:
        assert self._ser is not None
        self._ser.timeout = wait
        try:
            chunk = self._ser.read(max(1, self._ser.in_waiting))
        except (serial.SerialException, OSError) as err:
            self._ser = None
            self.last_error = DeviceOffline(f"reader on {self.port} gone: {err}", device=DEVICE)
            raise self.last_error from err
        if chunk:
            wire.debug("<<< %r", chunk)
            self._buf += chunk

    def _take_line(self) -> str | None:
        while True:
            ends = [i for i in (self._buf.find(b"\r"), self._buf.find(b"\n")) if i >= 0]
            if not ends:
                if len(self._buf) > self.max_length * 4:
                    log.warning("barcode reader: %d bytes without a line end dropped", len(self._buf))
                    self._buf.clear()
                return None
            end = min(ends)
            raw = bytes(self._buf[:end])
            del self._buf[: end + 1]
            code = self._clean(raw)
            if code is not None:
                return code

    def _clean(self, raw: bytes) -> str | None:
        text = raw.decode(self.encoding, errors="replace").strip("\x00 \t")
        if not text:
            return None
        if self.prefix and text.startswith(self.prefix):
            text = text[len(self.prefix):]
        if self.suffix and text.endswith(self.suffix):
            text = text[: -len(self.suffix)]
        if not text or len(text) > self.max_length:
            log.warning("barcode reader: line of %d chars dropped", len(text))
            return None
        return text


def from_config(cfg: Mapping[str, Any]) -> BarcodeReader:
    get = read_settings(DEVICE, cfg, SETTINGS, CONNECTIONS)
    return build(DEVICE, lambda: BarcodeReader(
        str(get["port"]), baudrate=int(get["baudrate"]), prefix=str(get["prefix"]), suffix=str(get["suffix"]),
        encoding=str(get["encoding"]), max_length=int(get["max_length"])))


__all__ = ["SETTINGS", "BarcodeReader", "from_config"]
