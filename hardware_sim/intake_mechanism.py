"""The intake mechanism (labeller, sheet transport, stapler, archive bin) on a pseudo-terminal.

Speaks the line protocol of ``docs/intake-protocol.md`` faithfully: CRC-checked frames, ``NAK`` for
frames that fail the check, ``ACK`` then one final reply per command, replay of the stored reply when
a sequence number comes again (so a retried LABEL or STAPLE_BIN is not done twice), ``ERR BUSY``
while a motion command runs, unsolicited ``!`` events, and the physical work on the shared
:class:`~hardware_sim.paper.PaperPath`.

Faults (``FAULTS["intake"]``): ``jam`` and ``door_open`` stop every motion command, ``staples_out``
stops stapling, ``bin_full`` stops STAPLE_BIN, ``offline`` makes the device stop answering
altogether. BIN_EMPTIED stands for the technician emptying the box: it empties the paper path's
bin, resets the counters and clears an injected ``bin_full``.

Test hooks: :meth:`drop_replies` loses the next reply(ies) to a command on the wire;
:attr:`executed` lists every command actually carried out (not replays); :meth:`send_raw`.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

from hardware_sim.base import Simulator
from hardware_sim.intake_wire import BadFrame, Command, parse_command, reply, unesc
from hardware_sim.paper import PaperPath, PaperPathError
from hardware_sim.pty_device import PtyDevice

log = logging.getLogger(__name__)
wire = logging.getLogger("hardware_sim.wire.intake")

MODEL = "DNIPRO-INTAKE-1"
FIRMWARE = "1.0.0-sim"
PROTOCOL = 1
QUERIES = ("HELLO", "STATUS")                    # answered at once, even while busy
_MM = re.compile(rb"^[0-9]{1,3}(\.[0-9])?$")
_BARCODE = re.compile(r"^[\x20-\x7e]{1,48}$")


class _Refused(Exception):
    def __init__(self, code: str, msg: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.msg = msg


class IntakeMechanismSim(Simulator):
    name = "intake"

    def __init__(
        self,
        workdir: Path,
        paper: PaperPath,
        *,
        bin_capacity: int = 500,
        staples: int = 5000,
        nearly_full_percent: int = 90,
        staples_low: int = 100,
        feed_seconds: float = 0.02,
        label_seconds: float = 0.05,
        pass_seconds: float = 0.02,
        staple_seconds: float = 0.05,
        serial_number: str = "SIM-0001",
        history: int = 8,
    ) -> None:
        super().__init__(workdir)
        self.paper = paper
        self.bin_capacity = bin_capacity
        self.staples_left = staples
        self.nearly_full_percent = nearly_full_percent
        self.staples_low = staples_low
        self.seconds = {"FEED": feed_seconds, "LABEL": label_seconds, "PASS": pass_seconds,
                        "STAPLE_BIN": staple_seconds, "RETURN": feed_seconds, "RESET": feed_seconds}
        self.serial_number = serial_number
        self.bin_sheets = sum(len(e["sheets"]) for e in paper.bin)
        self.bin_sets = len(paper.bin)
        self.executed: list[tuple[int, str]] = []
        self._history: OrderedDict[int, tuple[bytes, bytes]] = OrderedDict()
        self._history_size = history
        self._running_seq: int | None = None
        self._drops: list[dict[str, Any]] = []
        self._corrupt: list[dict[str, Any]] = []
        self._work: queue.Queue[Command | None] = queue.Queue()
        self._pty = PtyDevice(self.workdir, self.name, self._on_frame, terminators=b"\r\n")
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._seen: dict[str, Any] = {}

    # -- life cycle -----------------------------------------------------------------------
    def start(self) -> None:
        self._stopping.clear()
        self._work = queue.Queue()                 # a stop() before start() left its sentinel behind
        self._pty.open()
        self._seen = self._conditions()
        self._threads = [threading.Thread(target=self._worker, name="intake-worker", daemon=True),
                         threading.Thread(target=self._monitor, name="intake-monitor", daemon=True)]
        for t in self._threads:
            t.start()
        self._event("READY", proto=PROTOCOL)

    def stop(self) -> None:
        self._stopping.set()
        self._work.put(None)
        for t in self._threads:
            t.join(timeout=2)
        self._threads = []
        self._pty.close()

    def endpoint(self) -> dict[str, Any]:
        return self._pty.endpoint()

    def state(self) -> dict[str, Any]:
        st = super().state()
        with self.lock:
            st.update(self._status_fields())
        return st

    # -- test hooks -----------------------------------------------------------------------
    def drop_replies(self, command: str, count: int = 1, ack: bool = False) -> None:
        """Lose the final reply (and the ACK too if ``ack``) of the next ``count`` executions of
        ``command``, as a noisy line would. Replays of the stored reply are not lost."""
        with self.lock:
            self._drops.append({"command": command, "count": count, "ack": ack})

    def corrupt_frames(self, command: str, count: int = 1) -> None:
        """Flip a bit in the next ``count`` frames carrying ``command`` as they arrive (line noise):
        the checksum fails and the device answers NAK BAD_CRC."""
        with self.lock:
            self._corrupt.append({"command": command, "count": count})

    def send_raw(self, data: bytes) -> None:
        self._send(data)

    # -- wire -----------------------------------------------------------------------------
    def _send(self, data: bytes) -> None:
        if self.has("offline"):
            return
        wire.debug("<<< %r", data)
        self._pty.write(data)

    def _event(self, name: str, **fields: object) -> None:
        self._send(reply("!", name, **fields))

    def _drop_rule(self, command: str) -> dict[str, Any] | None:
        with self.lock:
            return next((d for d in self._drops if d["command"] == command and d["count"] > 0), None)

    def _on_frame(self, frame: bytes) -> None:
        if self.has("offline"):
            wire.debug(">>> %r (offline: ignored)", frame)
            return
        wire.debug(">>> %r", frame)
        frame = self._line_noise(frame)
        try:
            cmd = parse_command(frame)
        except BadFrame as bad:
            self._send(reply(bad.seq, "NAK", bad.reason))
            return
        if cmd.name == "HELLO":
            with self.lock:
                self._history.clear()
        with self.lock:
            stored = self._history.get(cmd.seq)
            running = self._running_seq
        if stored is not None and stored[0] == cmd.body:             # a retransmission: replay
            self._send(reply(cmd.seq, "ACK"))
            self._send(stored[1])
            return
        if running == cmd.seq:                                         # still working on it
            self._send(reply(cmd.seq, "ACK"))
            return
        rule = self._drop_rule(cmd.name)
        if not (rule and rule["ack"]):
            self._send(reply(cmd.seq, "ACK"))
        if cmd.name in QUERIES:
            self._finish(cmd, self._execute(cmd))
        elif running is not None:
            self._send(reply(cmd.seq, "ERR", "BUSY", msg=f"executing {running}"))
        else:
            with self.lock:
                self._running_seq = cmd.seq
            self._work.put(cmd)

    def _line_noise(self, frame: bytes) -> bytes:
        parts = frame.split(b" ", 2)
        with self.lock:
            rule = next((r for r in self._corrupt if r["count"] > 0 and len(parts) > 1
                         and parts[1].split(b"*")[0] == r["command"].encode()), None)
            if rule is None:
                return frame
            rule["count"] -= 1
        pos = frame.rfind(b"*") - 1                      # the last byte of the body
        return frame[:pos] + bytes([frame[pos] ^ 0x01]) + frame[pos + 1 :]

    def _worker(self) -> None:
        while True:
            cmd = self._work.get()
            if cmd is None:
                return
            try:
                final = self._execute(cmd)
            finally:
                with self.lock:
                    self._running_seq = None
            self._finish(cmd, final)

    def _finish(self, cmd: Command, final: bytes) -> None:
        if b" ERR BUSY" not in final:
            with self.lock:
                self._history[cmd.seq] = (cmd.body, final)
                self._history.move_to_end(cmd.seq)
                while len(self._history) > self._history_size:
                    self._history.popitem(last=False)
        rule = self._drop_rule(cmd.name)
        if rule is not None:
            with self.lock:
                rule["count"] -= 1
            wire.debug("<<< %r (dropped on the wire)", final)
            return
        self._send(final)

    # -- the firmware ---------------------------------------------------------------------
    def _execute(self, cmd: Command) -> bytes:
        handler = getattr(self, f"_cmd_{cmd.name.lower()}", None)
        if handler is None:
            return reply(cmd.seq, "ERR", "UNKNOWN_COMMAND", msg=cmd.name)
        try:
            fields: dict[str, object] = handler(cmd.args)
        except _Refused as r:
            return reply(cmd.seq, "ERR", r.code, **({"msg": r.msg} if r.msg else {}))
        except PaperPathError as err:               # the paper path disagrees: report, don't die
            return reply(cmd.seq, "ERR", "INTERNAL", msg=str(err))
        if cmd.name not in QUERIES:
            with self.lock:
                self.executed.append((cmd.seq, cmd.name))
        return reply(cmd.seq, "OK", **fields)

    def _no_args(self, args: list[bytes]) -> None:
        if args:
            raise _Refused("BAD_ARGS", "no arguments expected")

    def _motion_ok(self) -> None:
        if self.has("door_open"):
            raise _Refused("DOOR_OPEN", "service door is open")
        if self.has("jam"):
            raise _Refused("JAM", "sheet jammed in the transport")

    def _take_time(self, command: str) -> None:
        seconds = self.seconds.get(command, 0.0)
        if seconds > 0:
            time.sleep(seconds)

    def _cmd_hello(self, args: list[bytes]) -> dict[str, object]:
        return {"model": MODEL, "fw": FIRMWARE, "proto": PROTOCOL, "serial": self.serial_number,
                "cap": self.bin_capacity}

    def _cmd_status(self, args: list[bytes]) -> dict[str, object]:
        self._no_args(args)
        with self.lock:
            return self._status_fields()

    def _cmd_feed(self, args: list[bytes]) -> dict[str, object]:
        self._no_args(args)
        self._motion_ok()
        if self.paper.label_station is not None:
            raise _Refused("SHEET_PRESENT", "a sheet is already at the label station")
        if not self.paper.tray:
            raise _Refused("TRAY_EMPTY", "no sheet in the tray")
        self._take_time("FEED")
        self.paper.take_from_tray()
        return {"tray": len(self.paper.tray), "station": 1}

    def _cmd_label(self, args: list[bytes]) -> dict[str, object]:
        if len(args) != 3 or not _MM.match(args[0]) or not _MM.match(args[1]) or args[2].count(b"|") != 1:
            raise _Refused("BAD_ARGS", "LABEL x_mm y_mm text|barcode")
        x, y = float(args[0]), float(args[1])
        text_b, code_b = args[2].split(b"|")
        try:
            text, code = unesc(text_b), unesc(code_b)
        except ValueError as err:
            raise _Refused("BAD_ARGS", str(err)) from err
        if x > 300 or y > 300 or not _BARCODE.match(code) or len(text) > 80:
            raise _Refused("BAD_ARGS", "position, barcode or text out of range")
        self._motion_ok()
        if self.paper.label_station is None:
            raise _Refused("NO_SHEET", "no sheet at the label station")
        self._take_time("LABEL")
        self.paper.print_label(text, code, x, y)
        return {}

    def _cmd_pass(self, args: list[bytes]) -> dict[str, object]:
        self._no_args(args)
        self._motion_ok()
        if self.paper.label_station is None:
            raise _Refused("NO_SHEET", "no sheet at the label station")
        self._take_time("PASS")
        self.paper.pass_to_scanner()
        return {"scanner": len(self.paper.scanner_input)}

    def _cmd_staple_bin(self, args: list[bytes]) -> dict[str, object]:
        if len(args) > 1 or (args and args[0] not in (b"staple=0", b"staple=1")):
            raise _Refused("BAD_ARGS", "STAPLE_BIN [staple=0|1]")
        want = not args or args[0] == b"staple=1"
        self._motion_ok()
        n = len(self.paper.stacker)
        if n == 0:
            raise _Refused("NO_SHEET", "the stacker is empty")
        with self.lock:
            if self.has("bin_full") or self.bin_sheets + n > self.bin_capacity:
                raise _Refused("BIN_FULL", f"bin holds {self.bin_sheets} of {self.bin_capacity}")
            stapling = want and n > 1
            if stapling and (self.has("staples_out") or self.staples_left <= 0):
                raise _Refused("STAPLES_OUT", "no staples left")
        self._take_time("STAPLE_BIN")
        entry = self.paper.staple_to_bin(stapling)
        with self.lock:
            self.staples_left -= 1 if entry["stapled"] else 0
            self.bin_sheets += n
            self.bin_sets += 1
            return {"sheets": n, "stapled": int(entry["stapled"]), "bin": self.bin_sheets,
                    "fill": self._fill(), "staples": self.staples_left}

    def _cmd_return(self, args: list[bytes]) -> dict[str, object]:
        self._no_args(args)
        self._motion_ok()
        self._take_time("RETURN")
        return {"returned": len(self.paper.return_sheets())}

    def _cmd_bin_emptied(self, args: list[bytes]) -> dict[str, object]:
        self._no_args(args)
        self.paper.empty_bin()
        with self.lock:
            sheets, sets = self.bin_sheets, self.bin_sets
            self.bin_sheets = self.bin_sets = 0
            self.faults.discard("bin_full")
        return {"sheets": sheets, "sets": sets, "bin": 0, "fill": 0}

    def _cmd_reset(self, args: list[bytes]) -> dict[str, object]:
        self._no_args(args)
        self._take_time("RESET")
        threading.Timer(0.01, self._event, args=("READY",), kwargs={"proto": PROTOCOL}).start()
        return {}

    # -- sensors --------------------------------------------------------------------------
    def _fill(self) -> int:
        return min(100, self.bin_sheets * 100 // self.bin_capacity) if self.bin_capacity else 100

    def _conditions(self) -> dict[str, Any]:
        with self.lock:
            return {
                "door": self.has("door_open"),
                "jam": self.has("jam"),
                "staples_out": self.has("staples_out") or self.staples_left <= 0,
                "staples_low": 0 < self.staples_left <= self.staples_low,
                "bin_full": self.has("bin_full") or self.bin_sheets >= self.bin_capacity,
                "bin_nearly_full": self._fill() >= self.nearly_full_percent,
                "tray": bool(self.paper.tray),
            }

    def _status_fields(self) -> dict[str, object]:
        c = self._conditions()
        errors = [code for code, on in (("JAM", c["jam"]), ("DOOR_OPEN", c["door"]),
                                        ("STAPLES_OUT", c["staples_out"]), ("BIN_FULL", c["bin_full"])) if on]
        warnings = [code for code, on in (("BIN_NEARLY_FULL", c["bin_nearly_full"] and not c["bin_full"]),
                                          ("STAPLES_LOW", c["staples_low"])) if on]
        state = ("FAULT" if errors else "BUSY" if self._running_seq is not None
                 else "WARNING" if warnings else "READY")
        return {
            "state": state, "tray": len(self.paper.tray), "station": int(self.paper.label_station is not None),
            "stacker": len(self.paper.stacker), "bin": self.bin_sheets, "sets": self.bin_sets,
            "cap": self.bin_capacity, "fill": self._fill(), "staples": self.staples_left,
            "door": "open" if c["door"] else "closed", "jam": int(c["jam"]),
            "errors": ",".join(errors) or "-", "warnings": ",".join(warnings) or "-",
        }

    def _monitor(self) -> None:
        """Watch the sensors and send an event on every change (not while offline)."""
        pairs = {"door": ("DOOR_OPEN", "DOOR_CLOSED"), "jam": ("JAM", "JAM_CLEARED"),
                 "staples_out": ("STAPLES_OUT", None), "staples_low": ("STAPLES_LOW", None),
                 "bin_full": ("BIN_FULL", None), "bin_nearly_full": ("BIN_NEARLY_FULL", None),
                 "tray": ("TRAY_LOADED", "TRAY_EMPTY")}
        while not self._stopping.wait(0.05):
            if self.has("offline"):
                continue
            now = self._conditions()
            for key, (on_name, off_name) in pairs.items():
                if now[key] == self._seen.get(key):
                    continue
                name = on_name if now[key] else off_name
                if name == "TRAY_LOADED":
                    self._event(name, tray=len(self.paper.tray))
                elif name == "BIN_NEARLY_FULL":
                    self._event(name, fill=self._fill())
                elif name == "STAPLES_LOW":
                    self._event(name, staples=self.staples_left)
                elif name:
                    self._event(name)
            self._seen = now


__all__ = ["FIRMWARE", "MODEL", "IntakeMechanismSim"]
