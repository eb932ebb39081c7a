"""A handheld barcode reader in serial (CDC) mode, on a pseudo-terminal.

``scan(code)`` is the resident or technician pulling the trigger over a barcode: the reader sends
``prefix + code + suffix + terminator`` (default: the code and CR, the factory setting of most
readers). Fault ``offline``: the reader is unplugged or asleep, scans are lost.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from hardware_sim.base import Simulator
from hardware_sim.pty_device import PtyDevice

log = logging.getLogger(__name__)
wire = logging.getLogger("hardware_sim.wire.barcode_reader")

TERMINATORS = {"CR": "\r", "LF": "\n", "CRLF": "\r\n"}


class BarcodeReaderSim(Simulator):
    name = "barcode_reader"

    def __init__(self, workdir: Path, *, terminator: str = "CR", prefix: str = "", suffix: str = "") -> None:
        super().__init__(workdir)
        if terminator not in TERMINATORS:
            raise ValueError(f"terminator must be one of {', '.join(TERMINATORS)}")
        self.terminator = terminator
        self.prefix = prefix
        self.suffix = suffix
        self.scans: list[dict[str, Any]] = []
        self._pty = PtyDevice(self.workdir, self.name, None)

    def start(self) -> None:
        self._pty.open()

    def stop(self) -> None:
        self._pty.close()

    def endpoint(self) -> dict[str, Any]:
        return self._pty.endpoint()

    def scan(self, code: str, terminator: str | None = None) -> bool:
        """Send one code as the reader would; False if the reader is offline (scan lost)."""
        end = TERMINATORS[terminator or self.terminator]
        sent = not self.has("offline")
        with self.lock:
            self.scans.append({"code": code, "sent": sent})
        if sent:
            self.send_raw((self.prefix + code + self.suffix + end).encode("utf-8"))
        return sent

    def send_raw(self, data: bytes) -> None:
        """Put bytes on the line as they are (tests: split writes, noise)."""
        wire.debug("<<< %r", data)
        self._pty.write(data)

    def state(self) -> dict[str, Any]:
        st = super().state()
        with self.lock:
            st.update(terminator=self.terminator, scans=list(self.scans))
        return st


__all__ = ["TERMINATORS", "BarcodeReaderSim"]
