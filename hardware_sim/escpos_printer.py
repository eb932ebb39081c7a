"""The virtual receipt printer: an ESC/POS printer listening on TCP like a raw port 9100.

Any ESC/POS program can print to it (our driver, python-escpos used directly, ``nc`` with a
file of bytes). Each cut, or a connection closed after printing something, ends a receipt:
``<workdir>/receipts/receipt-NNNN.png`` (the paper as printed) and ``.txt`` (the decoded text).

Faults (``inject``): ``paper_out`` (nothing is printed, DLE EOT reports paper end),
``paper_near_end`` (prints, DLE EOT 4 reports near end), ``cover_open`` (nothing printed,
reported), ``offline`` (connections are accepted and closed at once; nothing answers).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from pathlib import Path
from typing import Any

from hardware_sim.base import Simulator
from hardware_sim.escpos_parser import EscposInterpreter, PrinterFlags
from hardware_sim.escpos_render import ReceiptCanvas

log = logging.getLogger(__name__)
wire = logging.getLogger(__name__ + ".wire")


class EscposPrinterSim(Simulator):
    name = "receipt_printer"

    def __init__(self, workdir: Path, host: str = "127.0.0.1", port: int = 9100) -> None:
        super().__init__(workdir)
        self.host = host
        self.port = port
        self.receipt_dir = self.workdir / "receipts"
        self._receipts: list[dict[str, Any]] = []
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._conns: set[socket.socket] = set()
        self.bytes_received = 0

    # -- life cycle ---------------------------------------------------------------------
    def start(self) -> None:
        self.receipt_dir.mkdir(parents=True, exist_ok=True)
        sock = socket.create_server((self.host, self.port), backlog=8)  # SO_REUSEADDR set
        self.port = sock.getsockname()[1]
        self._sock = sock
        self._stopping.clear()
        self._thread = threading.Thread(target=self._serve, name="escpos-sim", daemon=True)
        self._thread.start()
        log.info("virtual receipt printer on %s:%d", self.host, self.port)

    def stop(self) -> None:
        self._stopping.set()
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)
            self._sock.close()
            self._sock = None
        with self.lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def endpoint(self) -> dict[str, Any]:
        return {"transport": "tcp", "host": self.host, "port": self.port}

    # -- what testers see ---------------------------------------------------------------
    def receipts(self) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(r) for r in self._receipts]

    def state(self) -> dict[str, Any]:
        st = super().state()
        with self.lock:
            st["receipts"] = len(self._receipts)
        st["bytes_received"] = self.bytes_received
        return st

    def flags(self) -> PrinterFlags:
        return PrinterFlags(
            paper_out=self.has("paper_out"),
            paper_near_end=self.has("paper_near_end"),
            cover_open=self.has("cover_open"),
        )

    # -- serving ------------------------------------------------------------------------
    def _serve(self) -> None:
        assert self._sock is not None
        while not self._stopping.is_set():
            try:
                conn, addr = self._sock.accept()
            except OSError:
                break
            if self.has("offline"):
                log.info("receipt printer offline: connection from %s dropped", addr)
                conn.close()
                continue
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)   # a printer answers status at once
            threading.Thread(target=self._handle, args=(conn,), name="escpos-conn", daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with self.lock:
            self._conns.add(conn)
        interp = EscposInterpreter(ReceiptCanvas, self._save, self.flags)
        try:
            while not self._stopping.is_set():
                try:
                    data = conn.recv(65536)
                except OSError:
                    break
                if not data:
                    break
                if self.has("offline"):
                    break
                self.bytes_received += len(data)
                wire.debug(">>> %d bytes", len(data))
                reply = interp.feed(data)
                if reply:
                    wire.debug("<<< %s", reply.hex(" "))
                    try:
                        conn.sendall(reply)
                    except OSError:
                        break
            interp.finish()
        except Exception:
            log.exception("receipt printer: interpreter failed")
        finally:
            with self.lock:
                self._conns.discard(conn)
            conn.close()

    def _save(self, canvas: ReceiptCanvas) -> None:
        with self.lock:
            number = len(self._receipts) + 1
            stem = self.receipt_dir / f"receipt-{number:04d}"
            png, txt = stem.with_suffix(".png"), stem.with_suffix(".txt")
            canvas.save(png, txt)
            record = {
                "id": number,
                "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "png": str(png),
                "txt": str(txt),
                "text": canvas.text(),
                "barcodes": [b["data"] for b in canvas.barcodes],
                "qr": list(canvas.qr_codes),
                "images": canvas.images,
            }
            self._receipts.append(record)
        log.info("receipt %d printed: %s", number, png)


def main() -> None:  # pragma: no cover - manual use: python -m hardware_sim.escpos_printer DIR [PORT]
    import sys

    logging.basicConfig(level=logging.INFO)
    sim = EscposPrinterSim(Path(sys.argv[1] if len(sys.argv) > 1 else "."),
                           port=int(sys.argv[2]) if len(sys.argv) > 2 else 9100)
    sim.start()
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        sim.stop()


if __name__ == "__main__":  # pragma: no cover
    main()
