"""A sheet-fed scanner behind the SANE network protocol: ``saned``, in pure Python.

SANE's own ``net`` backend (so ``scanimage``, python-sane, any SANE frontend) connects to it on
TCP 6566 (``sane-port``; the net backend has no port syntax) and scans the sheets waiting in the
virtual paper path's scanner input, in order, one page per START, until the feeder is empty
(NO_DOCS). The device is ``net:<host>:sim-adf``.

Faults (``inject``):
* ``jam``: START answers JAMMED (the sheet stays in the feeder); injected while a page streams,
  the page ends with JAMMED.
* ``double_feed``: as jam, and the read-only ``double-feed`` sensor option reads true.
* ``cover_open``: COVER_OPEN, and the ``cover-open`` sensor reads true.
* ``unplugged_mid_batch``: the next page's data stops part-way with IO_ERROR and the device
  disappears (GET_DEVICES lists nothing, OPEN fails) until the fault is cleared.
* ``offline``: the port refuses connections (open connections are dropped) until cleared.

``inject(fault, after_pages=N)`` arms a fault that takes effect once N more pages have been
streamed (``after_pages=1`` jams sheet 2 at its START; ``1.5`` jams it half-way through).

Wire traffic goes to the logger ``hardware_sim.saned.wire``: ``>>>`` what the client sent,
``<<<`` what the scanner answered (as the driver logs it).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hardware_sim.base import Simulator
from hardware_sim.paper import PaperPath
from hardware_sim.saned_device import OPTIONS, Settings
from hardware_sim.saned_wire import (
    FRAME_GRAY,
    Action,
    Device,
    Proc,
    Reader,
    Status,
    WireError,
    control_option_reply,
    data_record,
    end_of_page,
    get_devices_reply,
    init_reply,
    open_reply,
    option_descriptors_reply,
    parameters_reply,
    read_control_option_request,
    start_reply,
    word,
)

log = logging.getLogger(__name__)
wire = logging.getLogger(__name__ + ".wire")

RECORD_BYTES = 64 * 1024
DATA_ACCEPT_TIMEOUT = 10.0
MID_PAGE_FAULTS = ("unplugged_mid_batch", "cover_open", "jam", "double_feed")


@dataclass
class _Handle:
    settings: Settings
    cancel: threading.Event = field(default_factory=threading.Event)
    transfer: threading.Thread | None = None
    back_pending: bool = False          # duplex: the back of the last sheet is still to come


class SanedSim(Simulator):
    name = "scanner"

    def __init__(self, workdir: Path, paper: PaperPath, host: str = "127.0.0.1", port: int = 6566,
                 *, device_name: str = "sim-adf", page_seconds: float = 0.0) -> None:
        super().__init__(workdir)
        self.paper = paper
        self.host = host
        self.port = port
        self.device_name = device_name
        self.page_seconds = page_seconds          # how long one page takes to stream (0 = at once)
        self.device = Device(device_name, "Appeal Terminal", "Virtual ADF scanner", "sheetfed scanner")
        self.pages_scanned = 0
        self.gone = False                         # unplugged: not listed, cannot be opened
        self._armed: dict[str, float] = {}
        self._listener: socket.socket | None = None
        self._conns: set[socket.socket] = set()
        self._running = False
        self._accept_thread: threading.Thread | None = None

    # -- life cycle ---------------------------------------------------------------------
    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._running = True
        if not self.has("offline"):
            self._listen()

    def stop(self) -> None:
        self._running = False
        self._unlisten()
        self._drop_connections()

    def endpoint(self) -> dict[str, Any]:
        return {"transport": "saned", "host": self.host, "port": self.port,
                "device": f"net:{self.host}:{self.device_name}"}

    def _listen(self) -> None:
        sock = socket.create_server((self.host, self.port), backlog=8)  # SO_REUSEADDR set
        self.port = sock.getsockname()[1]
        self._listener = sock
        self._accept_thread = threading.Thread(target=self._accept_loop, args=(sock,),
                                               name="saned-accept", daemon=True)
        self._accept_thread.start()
        log.info("saned simulator listening on %s:%d (device %s)", self.host, self.port, self.device_name)

    def _unlisten(self) -> None:
        sock, self._listener = self._listener, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _drop_connections(self) -> None:
        with self.lock:
            conns, self._conns = set(self._conns), set()
        for c in conns:
            with contextlib.suppress(OSError):
                c.shutdown(socket.SHUT_RDWR)
            c.close()

    def _accept_loop(self, sock: socket.socket) -> None:
        while True:
            try:
                conn, peer = sock.accept()
            except OSError:
                return
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self.lock:
                self._conns.add(conn)
            threading.Thread(target=self._serve, args=(conn, peer), name="saned-conn", daemon=True).start()

    # -- faults -------------------------------------------------------------------------
    def inject(self, fault: str, after_pages: float = 0.0) -> None:
        super().inject(fault)                    # validates the name, then we decide when it bites
        if after_pages > 0:
            with self.lock:
                self.faults.discard(fault)
                self._armed[fault] = float(after_pages)
            return
        self._activated(fault)

    def _activated(self, fault: str) -> None:
        log.info("scanner fault %s active", fault)
        if fault == "offline":
            self._unlisten()
            self._drop_connections()

    def clear(self, fault: str | None = None) -> None:
        was_offline = self.has("offline")
        super().clear(fault)
        with self.lock:
            if fault is None:
                self._armed.clear()
            else:
                self._armed.pop(fault, None)
            if fault in (None, "unplugged_mid_batch"):
                self.gone = False
        if was_offline and not self.has("offline") and self._running and self._listener is None:
            self._listen()

    def _advance(self, pages: float) -> None:
        """``pages`` more of a page went through: arm faults whose time has come."""
        fired = []
        with self.lock:
            for fault in list(self._armed):
                self._armed[fault] -= pages
                if self._armed[fault] <= 1e-9:
                    del self._armed[fault]
                    self.faults.add(fault)
                    fired.append(fault)
        for fault in fired:
            self._activated(fault)

    def sensor(self, name: str) -> bool:
        if name == "page-loaded":
            return self.paper.scanner_has_paper()
        return self.has(name.replace("-", "_"))

    def state(self) -> dict[str, Any]:
        st = super().state()
        with self.lock:
            st.update({"pages_scanned": self.pages_scanned, "unplugged": self.gone,
                       "armed": dict(self._armed), "connections": len(self._conns),
                       "feeder": len(self.paper.scanner_input)})
        return st

    # -- the control connection ---------------------------------------------------------
    def _serve(self, conn: socket.socket, peer: Any) -> None:
        stream = conn.makefile("rb")
        r = Reader(stream)
        handles: dict[int, _Handle] = {}
        next_handle = 0
        log.debug("saned connection from %s", peer)

        def send(data: bytes, what: str) -> None:
            wire.debug("<<< %s (%d bytes)", what, len(data))
            conn.sendall(data)

        try:
            proc = r.word()
            if proc != Proc.INIT:
                raise WireError(f"expected INIT, got {proc}")
            version, user = r.word(), r.string()
            wire.debug(">>> INIT version=%#x user=%s", version, "<set>" if user else "<none>")
            send(init_reply(), "INIT GOOD")
            while True:
                proc = r.word()
                if proc == Proc.GET_DEVICES:
                    wire.debug(">>> GET_DEVICES")
                    devices = [] if self.gone else [self.device]
                    send(get_devices_reply(devices), f"GET_DEVICES {len(devices)} device(s)")
                elif proc == Proc.OPEN:
                    name = r.string() or ""
                    wire.debug(">>> OPEN %r", name)
                    if self.gone or name not in ("", self.device_name):
                        send(open_reply(Status.INVAL, 0), "OPEN INVAL")
                        continue
                    h = next_handle
                    next_handle += 1
                    handles[h] = _Handle(Settings(self.sensor))
                    send(open_reply(Status.GOOD, h), f"OPEN GOOD handle={h}")
                elif proc == Proc.CLOSE:
                    h = r.word()
                    wire.debug(">>> CLOSE %d", h)
                    hd = handles.pop(h, None)
                    if hd is not None:
                        hd.cancel.set()
                    send(word(0), "CLOSE ack")
                elif proc == Proc.GET_OPTION_DESCRIPTORS:
                    h = r.word()
                    wire.debug(">>> GET_OPTION_DESCRIPTORS %d", h)
                    send(option_descriptors_reply(OPTIONS), f"{len(OPTIONS)} option descriptors")
                elif proc == Proc.CONTROL_OPTION:
                    self._control_option(r, handles, send)
                elif proc == Proc.GET_PARAMETERS:
                    h = r.word()
                    wire.debug(">>> GET_PARAMETERS %d", h)
                    hd = handles.get(h)
                    if hd is None or self.gone:
                        send(parameters_reply(Status.INVAL if hd is None else Status.IO_ERROR,
                                              FRAME_GRAY, True, 0, 0, 0, 8), "GET_PARAMETERS error")
                        continue
                    p = hd.settings.parameters()
                    send(parameters_reply(Status.GOOD, FRAME_GRAY, True, p.bytes_per_line,
                                          p.pixels_per_line, p.lines, p.depth),
                         f"GET_PARAMETERS {p.pixels_per_line}x{p.lines} depth {p.depth}")
                elif proc == Proc.START:
                    h = r.word()
                    wire.debug(">>> START %d", h)
                    self._start(conn, handles.get(h), send)
                elif proc == Proc.CANCEL:
                    h = r.word()
                    wire.debug(">>> CANCEL %d", h)
                    hd = handles.get(h)
                    if hd is not None:
                        hd.cancel.set()
                        hd.back_pending = False
                    send(word(0), "CANCEL ack")
                elif proc == Proc.AUTHORIZE:
                    r.string(), r.string(), r.string()
                    wire.debug(">>> AUTHORIZE")
                    send(word(0), "AUTHORIZE ack")
                elif proc == Proc.EXIT:
                    wire.debug(">>> EXIT")
                    break
                else:
                    raise WireError(f"unknown procedure {proc}")
        except (WireError, OSError) as err:
            log.debug("saned connection from %s ends: %s", peer, err)
        finally:
            for hd in handles.values():
                hd.cancel.set()
            with self.lock:
                self._conns.discard(conn)
            with contextlib.suppress(OSError):
                stream.close()
                conn.close()

    def _control_option(self, r: Reader, handles: dict[int, _Handle], send: Any) -> None:
        req = read_control_option_request(r)
        hd = handles.get(req.handle)
        name = OPTIONS[req.option].name if 0 <= req.option < len(OPTIONS) else "?"
        action = Action(req.action).name if req.action in (0, 1, 2) else str(req.action)
        info = 0
        if hd is None:
            status, value = Status.INVAL, req.value
        elif req.action == Action.GET_VALUE:
            status, value = hd.settings.get(req.option)
        elif req.action == Action.SET_VALUE:
            status, info = hd.settings.set(req.option, req.value)
            status, value = (status, req.value) if status != Status.GOOD else (status, hd.settings.get(req.option)[1])
        else:
            status, value = Status.UNSUPPORTED, req.value
        if status != Status.GOOD:
            value = req.value
        wire.debug(">>> CONTROL_OPTION %s %s", action, name or "#0")
        # the reply must carry exactly the size the client asked with: it copies only then
        send(control_option_reply(status, info, req.value_type, req.value_size, value),
             f"CONTROL_OPTION {Status(status).name} info={info}")

    # -- scanning -----------------------------------------------------------------------
    def _start(self, conn: socket.socket, hd: _Handle | None, send: Any) -> None:
        if hd is None:
            send(start_reply(Status.INVAL), "START INVAL")
            return
        if hd.transfer is not None and hd.transfer.is_alive():
            hd.cancel.set()
            hd.transfer.join(timeout=2)
        hd.cancel = threading.Event()
        image, status, fault = None, Status.GOOD, ""
        source = hd.settings.source
        with self.lock:
            if self.gone:
                status = Status.IO_ERROR
            elif self.has("cover_open"):
                status = Status.COVER_OPEN
            elif source == "Flatbed":
                image = None                                   # the empty glass: a white page
            elif hd.back_pending:
                hd.back_pending = False                        # the back of a blank-backed sheet
            elif not self.paper.scanner_has_paper():
                status = Status.NO_DOCS
            elif self.has("jam") or self.has("double_feed"):
                status = Status.JAMMED
            elif self.has("unplugged_mid_batch"):
                fault = "unplugged_mid_batch"
            else:
                sheet, image = self.paper.scan_next()
                hd.back_pending = source == "ADF Duplex"
                log.info("scanning sheet %d (%s)", sheet.id, sheet.source)
        if status != Status.GOOD:
            send(start_reply(status), f"START {status.name}")
            return
        data = hd.settings.render(image)
        params = hd.settings.parameters()
        lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        lsock.bind((conn.getsockname()[0], 0))
        lsock.listen(1)
        lsock.settimeout(DATA_ACCEPT_TIMEOUT)
        port = lsock.getsockname()[1]
        # the reply first: the client connects to the data port only after reading it
        send(start_reply(Status.GOOD, port), f"START GOOD data port {port}")
        hd.transfer = threading.Thread(target=self._stream, args=(lsock, data, params.bytes_per_line,
                                                                  hd.cancel, fault),
                                       name="saned-data", daemon=True)
        hd.transfer.start()

    def _stream(self, lsock: socket.socket, data: bytes, bpl: int, cancel: threading.Event,
                fault: str) -> None:
        try:
            dsock, _ = lsock.accept()
        except OSError as err:
            log.warning("the client never connected to the data port: %s", err)
            lsock.close()
            return
        lsock.close()
        total = len(data)
        step = max(bpl, RECORD_BYTES // max(bpl, 1) * bpl)
        pause = self.page_seconds * step / total if total and self.page_seconds else 0.0
        status = Status.EOF
        try:
            for offset in range(0, total, step):
                if cancel.is_set():
                    return
                failed = self._mid_page_fault(fault, offset, total)
                if failed is not None:
                    status = failed
                    break
                dsock.sendall(data_record(data[offset:offset + step]))
                self._advance(min(step, total - offset) / total)
                if pause:
                    time.sleep(pause)
            else:
                with self.lock:
                    self.pages_scanned += 1
            wire.debug("<<< end of page %s", status.name)
            dsock.sendall(end_of_page(status))
        except OSError as err:
            log.debug("data connection ends: %s", err)
        finally:
            with contextlib.suppress(OSError):
                dsock.shutdown(socket.SHUT_RDWR)
            dsock.close()

    def _mid_page_fault(self, fault: str, offset: int, total: int) -> Status | None:
        if fault == "unplugged_mid_batch" and offset >= total // 3:
            with self.lock:
                self.gone = True
            log.info("scanner unplugged part-way through a page")
            return Status.IO_ERROR
        with self.lock:
            active = [f for f in MID_PAGE_FAULTS if f in self.faults]
        if not active:
            return None
        if active[0] == "unplugged_mid_batch":
            with self.lock:
                self.gone = True
            return Status.IO_ERROR
        return Status.COVER_OPEN if active[0] == "cover_open" else Status.JAMMED


__all__ = ["SanedSim"]
