"""Receipt printer: ESC/POS through python-escpos, over network, serial, USB or a file.

Layers (python-escpos's own split): :mod:`devices.escpos_document` turns a :class:`Receipt`
into bytes; :mod:`devices.escpos_status` asks and decodes DLE EOT; this module holds the small
connection underneath (one python-escpos printer class per transport, picked by config) and the
driver that checks status, sends, and checks again.

    printer = from_config({"connection": "network", "host": "192.168.1.50"})
    receipt = Receipt().text("Квитанція", bold=True, size=2, align="center").barcode128("0170001235-01")
    printer.print_receipt(receipt)       # raises PaperOut / CoverOpen / DeviceOffline / DeviceTimeout

Each call opens the connection and closes it again, so the printer is free for a technician's
tools in between and a printer that was switched off and on is found again.
"""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import Iterator, Mapping
from typing import Any

from escpos import exceptions as escpos_errors
from escpos.escpos import Escpos

from devices import errors
from devices.config import check_connection, declared
from devices.escpos_document import CODEPAGES, Receipt, receipt_bytes
from devices.escpos_status import DEVICE, QUERIES, PrinterStatus, query
from devices.state import DeviceState, DeviceStatus

log = logging.getLogger(__name__)
wire = logging.getLogger(__name__ + ".wire")

CONNECTIONS = ("network", "serial", "usb", "file")

SETTINGS: list[dict[str, Any]] = declared("receipt_printer")  # devices/settings.toml
DEFAULTS: dict[str, Any] = {s["key"]: s["default"] for s in SETTINGS}


class _Link:
    """One open connection: bytes out, one status byte in."""

    def __init__(self, kind: str, printer: Escpos, cfg: Mapping[str, Any]) -> None:
        self.kind = kind
        self.printer = printer
        self.cfg = cfg

    def send(self, data: bytes) -> None:
        wire.debug(">>> %d bytes of print data", len(data))
        dev: Any = self.printer.device
        try:
            if self.kind == "network":
                dev.settimeout(float(self.cfg["write_timeout"]))
            self.printer._raw(data)
        except TimeoutError as err:
            raise errors.DeviceTimeout("receipt printer did not take the data in time", device=DEVICE) from err
        except OSError as err:
            raise errors.DeviceOffline(f"receipt printer connection lost: {err}", device=DEVICE) from err

    def ask(self, n: int) -> int | None:
        """Send DLE EOT n and return the reply byte (None if this transport cannot read)."""
        if self.kind == "file":
            return None
        q = query(n)
        wire.debug(">>> %s", q.hex(" "))
        dev: Any = self.printer.device
        timeout = float(self.cfg["status_timeout"])
        try:
            self.printer._raw(q)
            if self.kind == "network":
                dev.settimeout(timeout)
                data = self.printer._read()
            elif self.kind == "serial":
                dev.timeout = timeout
                data = dev.read(1)
            else:
                data = bytes(self.printer._read())
        except TimeoutError as err:
            raise errors.DeviceTimeout(f"receipt printer did not answer DLE EOT {n}", device=DEVICE) from err
        except OSError as err:
            raise errors.DeviceOffline(f"receipt printer connection lost: {err}", device=DEVICE) from err
        except NotImplementedError:
            return None
        wire.debug("<<< %s", data.hex(" "))
        if not data:
            if self.kind == "network":
                raise errors.DeviceOffline("receipt printer closed the connection", device=DEVICE)
            raise errors.DeviceTimeout(f"receipt printer did not answer DLE EOT {n}", device=DEVICE)
        return data[-1]

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.printer.close()


class ReceiptPrinter:
    """The receipt printer driver. Build it with :func:`from_config`."""

    def __init__(self, cfg: Mapping[str, Any]) -> None:
        self.cfg = {**DEFAULTS, **cfg}
        kind = self.cfg["connection"]
        check_connection(DEVICE, kind, CONNECTIONS)
        if self.cfg["codepage"] not in CODEPAGES:
            raise errors.DeviceConfigError(
                f"codepage {self.cfg['codepage']!r}; choose one of: {', '.join(CODEPAGES)}", device=DEVICE)
        self.kind: str = kind
        self.last_status = DeviceStatus(device=DEVICE)

    # -- public -------------------------------------------------------------------------
    def render(self, receipt: Receipt) -> bytes:
        """The exact bytes :meth:`print_receipt` sends for ``receipt``."""
        return receipt_bytes(receipt, profile=self.cfg["profile"], codepage=self.cfg["codepage"],
                             columns=int(self.cfg["columns"]))

    def print_receipt(self, receipt: Receipt) -> DeviceStatus:
        """Check status, print, cut, check again. Returns the status after printing.

        Raises PaperOut / CoverOpen / DeviceOffline before sending anything if the printer
        cannot print; raises the same after sending if the printer stopped while printing
        (the receipt may then be incomplete); DeviceTimeout if it does not answer.
        """
        data = self.render(receipt)
        try:
            with self._open() as link:
                before = self._read_status(link)
                if before is not None and (fault := before.fault()) is not None:
                    log.warning("receipt printer refuses to print: %s", fault.code)
                    raise fault
                link.send(data)
                after = self._read_status(link)
                if after is not None and (fault := after.fault()) is not None:
                    raise type(fault)(f"{fault} (after printing: the receipt may be incomplete)",
                                      device=DEVICE)
        except errors.DeviceError as err:
            self.last_status = self._status_for_error(err)
            raise
        self.last_status = after.to_device_status() if after else DeviceStatus(
            device=DEVICE, state=DeviceState.UNKNOWN, detail="no_status_channel")
        log.info("receipt printed (%d bytes), printer %s", len(data), self.last_status.state.value)
        return self.last_status

    def status(self) -> DeviceStatus:
        """Ask the printer (DLE EOT 1..4). Never raises for a device condition."""
        try:
            with self._open() as link:
                st = self._read_status(link)
        except errors.DeviceError as err:
            self.last_status = self._status_for_error(err)
            return self.last_status
        self.last_status = st.to_device_status() if st else DeviceStatus(
            device=DEVICE, state=DeviceState.UNKNOWN, detail="no_status_channel")
        return self.last_status

    def printer_status(self) -> PrinterStatus | None:
        """The decoded DLE EOT flags (None on a connection that cannot read). Raises on failure."""
        with self._open() as link:
            return self._read_status(link)

    def close(self) -> None:
        """Nothing stays open between calls; kept for the common driver interface."""

    # -- internals ----------------------------------------------------------------------
    def _read_status(self, link: _Link) -> PrinterStatus | None:
        if not self.cfg["status"]:
            return None
        replies: dict[int, int] = {}
        for n in QUERIES:
            byte = link.ask(n)
            if byte is None:
                return None
            replies[n] = byte
        return PrinterStatus.from_replies(replies)

    @staticmethod
    def _status_for_error(err: errors.DeviceError) -> DeviceStatus:
        if isinstance(err, errors.DeviceOffline | errors.DeviceTimeout | errors.DeviceNotFound):
            state = DeviceState.OFFLINE
        else:
            state = DeviceState.FAULT
        return DeviceStatus(device=DEVICE, state=state, detail=err.code, last_error=err.as_dict())

    @contextlib.contextmanager
    def _open(self) -> Iterator[_Link]:
        link = _Link(self.kind, self._make_printer(), self.cfg)
        try:
            yield link
        finally:
            link.close()

    def _make_printer(self) -> Escpos:
        c = self.cfg
        timeout = float(c["connect_timeout"])
        profile = c["profile"]
        try:
            if self.kind == "network":
                from escpos.printer import Network

                p: Escpos = Network(c["host"], int(c["port"]), timeout=timeout, profile=profile)
            elif self.kind == "serial":
                from escpos.printer import Serial

                p = Serial(c["device"], baudrate=int(c["baudrate"]), timeout=timeout, profile=profile)
            elif self.kind == "usb":
                from escpos.printer import Usb

                p = Usb(int(c["vendor_id"]), int(c["product_id"]), timeout=int(timeout * 1000), profile=profile)
            else:
                from escpos.printer import File

                p = File(c["device"], profile=profile)
            p.open()
            if self.kind == "network":
                # Status queries are 3 bytes out, 1 byte back: without TCP_NODELAY each one waits
                # out Nagle and the peer's delayed ACK (about 40 ms).
                p.device.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except escpos_errors.DeviceNotFoundError as err:
            if self.kind == "network":
                raise errors.DeviceOffline(f"receipt printer at {c['host']}:{c['port']} does not answer",
                                    device=DEVICE) from err
            raise errors.DeviceNotFound(f"receipt printer ({self.kind}) not found: {err}", device=DEVICE) from err
        except TimeoutError as err:
            raise errors.DeviceTimeout("receipt printer connection timed out", device=DEVICE) from err
        except (OSError, escpos_errors.Error) as err:
            raise errors.DeviceNotFound(f"receipt printer ({self.kind}): {err}", device=DEVICE) from err
        except RuntimeError as err:
            # python-escpos's Usb says a missing pyusb with a bare RuntimeError
            raise errors.DeviceConfigError(f"receipt printer ({self.kind}): the USB library pyusb is missing ({err})",
                                    device=DEVICE) from err
        except ValueError as err:
            if type(err).__name__ != "NoBackendError":  # pyusb found no libusb on the system
                raise
            raise errors.DeviceConfigError(f"receipt printer ({self.kind}): no USB backend (libusb) installed: {err}",
                                    device=DEVICE) from err
        return p


def from_config(cfg: Mapping[str, Any]) -> ReceiptPrinter:
    return ReceiptPrinter(cfg)


def test_receipt() -> Receipt:
    """The technician's test print: every Ukrainian letter, a barcode and a QR code."""
    return (
        Receipt()
        .text("ТЕСТОВИЙ ДРУК / TEST PRINT", bold=True, align="center")
        .rule()
        .text("АБВГҐДЕЄЖЗИІЇЙКЛМНОПРСТУФХЦЧШЩЬЮЯ")
        .text("абвгґдеєжзиіїйклмнопрстуфхцчшщьюя")
        .text("пам’ять, «лапки» — № 1…")
        .barcode128("0170001235-01")
        .qr("https://example.org/test")
    )
