"""Driver of the intake mechanism: labeller, sheet transport, stapler and archive bin.

The wire protocol is ``docs/intake-protocol.md``; the bytes come from :mod:`devices.intake_protocol`
and travel over a :class:`SerialLink` (pyserial, 115200 8N1). Stop-and-wait: one command at a time,
each with a fresh sequence number; on a lost ACK, a lost final reply or a NAK the same frame is sent
again with the same sequence number, and the device replays its stored reply instead of acting
twice, so a retried LABEL prints one label and a retried STAPLE_BIN staples once.

    intake = from_config({"connection": "serial", "port": "/dev/intake"})
    intake.feed(); intake.label("№ 017-000123-5 · арк. 1/3", "0170001235-01", 150, 10)
    intake.pass_to_scanner(); ...; intake.staple_and_bin()

Errors: ERR JAM -> PaperJam, STAPLES_OUT -> StaplesOut, BIN_FULL -> BinFull, DOOR_OPEN -> DoorOpen,
TRAY_EMPTY -> FeederEmpty, NO_SHEET/SHEET_PRESENT/BUSY/BAD_ARGS/UNKNOWN_COMMAND/INTERNAL ->
IntakeCommandError (code = the device's code in lower case); no answer at all -> DeviceOffline;
ACK but no final reply -> DeviceTimeout; unparseable answers -> DeviceProtocolError; the port cannot
be opened -> DeviceNotFound. Wire traffic goes to the logger ``devices.wire.intake`` (>>> / <<<).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

import serial

from devices.config import build, declared, read_settings
from devices.errors import (
    BinFull,
    DeviceError,
    DeviceNotFound,
    DeviceOffline,
    DeviceProtocolError,
    DeviceTimeout,
    DoorOpen,
    FeederEmpty,
    PaperJam,
    StaplesOut,
)
from devices.intake_protocol import FrameError, Reply, encode_command, encode_label, next_seq, parse_reply
from devices.state import DeviceState, DeviceStatus

log = logging.getLogger(__name__)
wire = logging.getLogger("devices.wire.intake")

DEVICE = "intake"
CONNECTIONS = ("serial",)

# Per-phase timeouts: seconds the device may take to send the final reply after its ACK.
DEFAULT_TIMEOUTS: dict[str, float] = {
    "HELLO": 1.0, "STATUS": 1.0, "FEED": 3.0, "LABEL": 5.0, "PASS": 3.0,
    "STAPLE_BIN": 8.0, "RETURN": 15.0, "BIN_EMPTIED": 2.0, "RESET": 15.0,
}
_TIMEOUT_KEYS = {"HELLO": "timeout_query", "STATUS": "timeout_query", "FEED": "timeout_feed",
                 "LABEL": "timeout_label", "PASS": "timeout_pass", "STAPLE_BIN": "timeout_staple",
                 "RETURN": "timeout_return", "BIN_EMPTIED": "timeout_query", "RESET": "timeout_reset"}

SETTINGS: list[dict[str, Any]] = declared("intake_mechanism")  # devices/settings.toml

_FAULT_ERRORS: dict[str, type[DeviceError]] = {
    "JAM": PaperJam, "STAPLES_OUT": StaplesOut, "BIN_FULL": BinFull, "DOOR_OPEN": DoorOpen,
    "TRAY_EMPTY": FeederEmpty,
}


class IntakeCommandError(DeviceError):
    """The device refused a command for a reason that is not a physical fault (NO_SHEET,
    SHEET_PRESENT, BUSY, BAD_ARGS, UNKNOWN_COMMAND, INTERNAL): a workflow or driver bug."""

    def __init__(self, message: str, *, code: str, device: str = DEVICE) -> None:
        super().__init__(message, device=device)
        self.code = code


class SerialLink:
    """The connection: opens the port lazily, writes frames, reads CRLF-terminated lines."""

    def __init__(self, port: str, baudrate: int = 115200) -> None:
        self.port = port
        self.baudrate = baudrate
        self._ser: serial.Serial | None = None
        self._buf = bytearray()

    @property
    def is_open(self) -> bool:
        return self._ser is not None

    def open(self) -> None:
        if self._ser is not None:
            return
        try:
            self._ser = serial.Serial(self.port, self.baudrate, bytesize=8, parity="N", stopbits=1,
                                      timeout=0.05, write_timeout=2)
        except (serial.SerialException, OSError) as err:
            raise DeviceNotFound(f"cannot open {self.port}: {err}", device=DEVICE) from err
        self._buf.clear()

    def write(self, data: bytes) -> None:
        self.open()
        assert self._ser is not None
        try:
            self._ser.write(data)
            self._ser.flush()
        except (serial.SerialException, OSError) as err:
            self.close()
            raise DeviceOffline(f"write to {self.port} failed: {err}", device=DEVICE) from err

    def read_line(self, deadline: float) -> bytes | None:
        """One line without CR/LF, or None when ``deadline`` (time.monotonic) passes first."""
        self.open()
        assert self._ser is not None
        while True:
            nl = self._buf.find(b"\n")
            if nl >= 0:
                line = bytes(self._buf[:nl]).rstrip(b"\r")
                del self._buf[: nl + 1]
                if line:
                    return line
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self._ser.timeout = min(remaining, 0.05)
            try:
                chunk = self._ser.read(max(1, self._ser.in_waiting))
            except (serial.SerialException, OSError) as err:
                self.close()
                raise DeviceOffline(f"read from {self.port} failed: {err}", device=DEVICE) from err
            self._buf += chunk
            if len(self._buf) > 4096 and b"\n" not in self._buf:
                self._buf.clear()                   # line noise without end

    def close(self) -> None:
        if self._ser is not None:
            try:
                self._ser.close()
            finally:
                self._ser = None


class IntakeMechanism:
    """The intake mechanism driver. Thread-safe (one command on the wire at a time)."""

    device = DEVICE

    def __init__(
        self,
        link: SerialLink,
        *,
        ack_timeout: float = 0.5,
        retries: int = 3,
        timeouts: Mapping[str, float] | None = None,
        on_event: Callable[[dict[str, Any]], None] | None = None,
        first_seq: int | None = None,
    ) -> None:
        self.link = link
        self.ack_timeout = ack_timeout
        self.retries = retries
        self.timeouts = {**DEFAULT_TIMEOUTS, **(timeouts or {})}
        self.on_event = on_event
        self.ident: dict[str, str] = {}
        # Any start will do (HELLO clears the device's memory); the first command uses first_seq.
        start = first_seq if first_seq is not None else int(time.monotonic() * 1000) % 9000 + 2
        self._seq = start - 1 if start > 1 else 9999
        self._lock = threading.RLock()
        self._events: deque[dict[str, Any]] = deque(maxlen=100)
        self._hello_done = False
        self.last_error: DeviceError | None = None

    # -- the commands ---------------------------------------------------------------------
    def hello(self) -> dict[str, str]:
        """Identify the device: {"model", "fw", "proto", "serial", "cap"}."""
        with self._lock:
            reply = self._transact("HELLO", encode_command)
            self.ident = dict(reply.fields)
            self._hello_done = True
            if self.ident.get("proto") != "1":
                raise DeviceProtocolError(f"device speaks protocol {self.ident.get('proto')}, we speak 1",
                                          device=DEVICE)
            return dict(self.ident)

    def sensors(self) -> dict[str, Any]:
        """The STATUS reply, typed: tray, station, stacker, bin, sets, cap, fill, staples (int);
        door ("open"/"closed"), jam (bool), state, errors and warnings (lists of codes)."""
        f = self._command("STATUS").fields
        try:
            out: dict[str, Any] = {k: int(f[k]) for k in
                                   ("tray", "station", "stacker", "bin", "sets", "cap", "fill", "staples")}
            out.update(state=f["state"], door=f["door"], jam=f["jam"] == "1",
                       errors=[] if f["errors"] == "-" else f["errors"].split(","),
                       warnings=[] if f["warnings"] == "-" else f["warnings"].split(","))
        except (KeyError, ValueError) as err:
            raise DeviceProtocolError(f"STATUS reply lacks or garbles {err}", device=DEVICE) from err
        return out

    def status(self) -> DeviceStatus:
        """What the technician sees. Never raises: no answer gives state OFFLINE."""
        try:
            s = self.sensors()
        except DeviceError as err:
            state = DeviceState.OFFLINE if isinstance(err, (DeviceOffline, DeviceNotFound)) else DeviceState.UNKNOWN
            return DeviceStatus(DEVICE, state, err.code, {}, err.as_dict())
        consumables = {"staples_left": s["staples"], "bin_fill_percent": s["fill"],
                       "bin_sheets": s["bin"], "bin_capacity": s["cap"]}
        if s["errors"]:
            state, detail = DeviceState.FAULT, s["errors"][0].lower()
        elif s["state"] == "BUSY":
            state, detail = DeviceState.BUSY, ""
        elif s["warnings"]:
            state, detail = DeviceState.WARNING, s["warnings"][0].lower()
        else:
            state, detail = DeviceState.READY, ""
        last = self.last_error.as_dict() if self.last_error else None
        return DeviceStatus(DEVICE, state, detail, consumables, last)

    def tray_count(self) -> int:
        """Sheets the tray's sensor sees."""
        return int(self.sensors()["tray"])

    def feed(self) -> None:
        """Take the top sheet from the tray to the label station."""
        self._command("FEED")

    def label(self, text: str, barcode: str, x_mm: float, y_mm: float) -> None:
        """Print a label (Code128 ``barcode``, ``text`` under it) on the sheet at the label station,
        its top-left corner ``x_mm``/``y_mm`` from the sheet's top-left corner."""
        try:
            encode_label(1, text, barcode, x_mm, y_mm)
        except ValueError as err:
            raise IntakeCommandError(f"LABEL: {err}", code="bad_args") from err
        with self._lock:
            self._ensure_hello()
            self._transact("LABEL", lambda seq, _c: encode_label(seq, text, barcode, x_mm, y_mm))

    def pass_to_scanner(self) -> None:
        """Move the labelled sheet from the label station into the scanner's feeder."""
        self._command("PASS")

    def staple_and_bin(self, staple: bool = True) -> dict[str, int]:
        """Staple the stacker's sheets (if more than one and ``staple``) and drop them in the bin.
        Returns {"sheets", "stapled" (0/1), "bin_sheets", "bin_fill_percent", "staples_left"}."""
        f = self._command("STAPLE_BIN", f"staple={int(staple)}").fields
        return self._ints(f, {"sheets": "sheets", "stapled": "stapled", "bin_sheets": "bin",
                              "bin_fill_percent": "fill", "staples_left": "staples"})

    def return_sheets(self) -> int:
        """Give every sheet inside the machine back to the resident; returns how many."""
        return self._ints(self._command("RETURN").fields, {"returned": "returned"})["returned"]

    def bin_emptied(self) -> dict[str, int]:
        """The technician emptied the bin: reset the counters. Returns what the bin held:
        {"sheets", "sets"}."""
        return self._ints(self._command("BIN_EMPTIED").fields, {"sheets": "sheets", "sets": "sets"})

    def reset(self) -> None:
        """Re-home the mechanics (after a jam is cleared)."""
        self._command("RESET")

    def events(self) -> list[dict[str, Any]]:
        """Unsolicited events received so far (and drained): [{"event": "DOOR_OPEN", ...fields}]."""
        with self._lock:
            out = list(self._events)
            self._events.clear()
            return out

    def poll_events(self, timeout: float = 0.0) -> list[dict[str, Any]]:
        """Read what the device sent while idle, for up to ``timeout`` seconds, then drain events."""
        with self._lock:
            deadline = time.monotonic() + timeout
            while True:
                line = self.link.read_line(deadline)
                if line is None:
                    break
                self._dispatch(line, expect_seq=None)
            return self.events()

    def close(self) -> None:
        with self._lock:
            self.link.close()
            self._hello_done = False

    # -- the exchange ---------------------------------------------------------------------
    def _ensure_hello(self) -> None:
        if not self._hello_done or not self.link.is_open:
            self.hello()

    def _command(self, command: str, *args: str) -> Reply:
        with self._lock:
            self._ensure_hello()
            return self._transact(command, lambda seq, c: encode_command(seq, c, *args))

    def _transact(self, command: str, encode: Callable[[int, str], bytes]) -> Reply:
        self._seq = next_seq(self._seq)
        seq = self._seq
        frame = encode(seq, command)
        acked = False
        for attempt in range(self.retries + 1):
            if attempt:
                log.info("intake: %s seq %d: retry %d", command, seq, attempt)
            wire.debug(">>> %r", frame)
            self.link.write(frame)
            deadline = time.monotonic() + self.ack_timeout
            while True:
                line = self.link.read_line(deadline)
                if line is None:
                    break                                   # lost: send the same frame again
                reply = self._dispatch(line, expect_seq=seq)
                if reply is None:
                    continue
                if reply.kind == "NAK":
                    log.warning("intake: NAK %s for %s seq %d", reply.code, command, seq)
                    break
                if reply.kind == "ACK":
                    acked = True
                    deadline = time.monotonic() + self.timeouts[command]
                    continue
                return self._final(command, reply)
        if acked:
            err: DeviceError = DeviceTimeout(
                f"{command} (seq {seq}) acknowledged but not finished within {self.timeouts[command]} s",
                device=DEVICE)
        else:
            err = DeviceOffline(f"no answer to {command} after {self.retries + 1} attempts", device=DEVICE)
            self._hello_done = False
        self.last_error = err
        raise err

    def _dispatch(self, line: bytes, expect_seq: int | None) -> Reply | None:
        """Parse one line; queue events; return a reply for ``expect_seq`` (NAK 0 counts), else None."""
        wire.debug("<<< %r", line)
        try:
            reply = parse_reply(line)
        except FrameError as err:
            log.warning("intake: unusable frame from device (%s)", err)
            return None                                     # treated as lost: the retry recovers
        if reply.is_event:
            event = {"event": reply.code, **reply.fields}
            self._events.append(event)
            if self.on_event is not None:
                self.on_event(event)
            return None
        if expect_seq is None:
            return None
        if reply.seq == expect_seq or (reply.kind == "NAK" and reply.seq == 0):
            return reply
        log.debug("intake: stale reply seq %s ignored (waiting for %d)", reply.seq, expect_seq)
        return None

    def _final(self, command: str, reply: Reply) -> Reply:
        if reply.kind == "OK":
            if command not in ("HELLO", "STATUS"):      # a query does not clear the last failure
                self.last_error = None
            return reply
        msg = reply.fields.get("msg", "")
        text = f"{command}: {reply.code}" + (f" ({msg})" if msg else "")
        cls = _FAULT_ERRORS.get(reply.code)
        err = cls(text, device=DEVICE) if cls else IntakeCommandError(text, code=reply.code.lower())
        self.last_error = err
        raise err

    @staticmethod
    def _ints(fields: Mapping[str, str], names: Mapping[str, str]) -> dict[str, int]:
        try:
            return {ours: int(fields[theirs]) for ours, theirs in names.items()}
        except (KeyError, ValueError) as err:
            raise DeviceProtocolError(f"reply lacks or garbles {err}", device=DEVICE) from err


def from_config(cfg: Mapping[str, Any]) -> IntakeMechanism:
    """Build the driver from its settings (see ``SETTINGS``). The port opens on first use."""
    get = read_settings(DEVICE, cfg, SETTINGS, CONNECTIONS)
    return build(DEVICE, lambda: IntakeMechanism(
        SerialLink(str(get["port"]), int(get["baudrate"])), ack_timeout=float(get["ack_timeout"]),
        retries=int(get["retries"]), timeouts={cmd: float(get[key]) for cmd, key in _TIMEOUT_KEYS.items()}))


__all__ = ["DEFAULT_TIMEOUTS", "SETTINGS", "IntakeCommandError", "IntakeMechanism", "SerialLink", "from_config"]
