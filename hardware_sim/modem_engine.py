"""The simulated modem's command interpreter: AT lines in, result codes out (3GPP TS 27.007 /
27.005, V.250 framing). Transport-free: :class:`hardware_sim.modem.ModemSim` puts it on a pty.

Answers what ModemManager, gammu and smstools send at start-up and when sending: ``AT``, ``ATZ``,
``ATE0/1``, ``ATV1``, ``ATQ0``, ``AT&F``, ``ATI``, ``+CGMI/+CGMM/+CGMR/+CGSN`` (and ``+GMI``...),
``+GCAP``, ``+CIMI``, ``+CMEE``, ``+CFUN``, ``+CPIN``, ``+CREG/+CGREG/+CEREG``, ``+CSQ``, ``+COPS``,
``+CMGF``, ``+CSCS``, ``+CSCA``, ``+CSMP``, ``+CSMS``, ``+CNMI``, ``+CNMA``, ``+CLIP``, ``+CMGS``
in PDU and text mode with the ``> `` prompt (Ctrl-Z sends, ESC cancels), and the message storage
(``+CPMS +CMGW +CMSS +CMGR +CMGL +CMGD``, in :mod:`hardware_sim.modem_store`). Several commands
on one line (``AT+CMEE=1;+CMGF=0``, ``ATE0V1``) work. Anything else: ``ERROR``, as a modem says it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hardware_sim.modem_lines import CommandError, decode_chars, split_args, split_commands
from hardware_sim.modem_pdu import PduDecodeError, build_status_report, decode_submit, status_report_length
from hardware_sim.modem_settings import SettingCommands
from hardware_sim.modem_store import STAT_CODES, MessageStore, StorageCommands

wire = logging.getLogger("hardware_sim.modem.wire")

CTRL_Z, ESC = 0x1A, 0x1B
_HEX = re.compile(r"^[0-9A-F]{16,}$")
CME_TEXT = {3: "operation not allowed", 4: "operation not supported", 10: "SIM not inserted",
            11: "SIM PIN required", 12: "SIM PUK required", 16: "incorrect password",
            30: "no network service", 100: "unknown"}


class ModemEngine(SettingCommands, StorageCommands):
    """One modem's state. ``send`` writes bytes to the line; ``has`` asks for a fault by name."""

    manufacturer = "hardware-sim"
    model = "SIM-GSM 1"
    revision = "1.0.0"
    imei = "356938035643809"
    imsi = "255990000000001"
    smsc = "+380500000000"
    plmn = "25599"                                   # MCC 255 (Ukraine), MNC 99: not a real network

    def __init__(self, send: Callable[[bytes], None], has: Callable[[str], bool], sms_log: Path, *,
                 pin: str = "1234", operator: str = "SimNet UA", report_delay: float = 0.1,
                 store: MessageStore | None = None) -> None:
        self.send = send
        self.has = has
        self.sms_log = sms_log
        self.pin = pin
        self.operator = operator
        self.report_delay = report_delay
        self.lock = threading.RLock()
        self.pending: dict[tuple[str, int, int], dict[int, tuple[int, str]]] = {}
        self.store = store or MessageStore(sms_log.with_name("modem_storage.json"))
        self.set_terminators: Callable[[bytes], None] = lambda t: None
        self._last = "AT"
        self.deferred: list[tuple[int, str]] = []
        self.reset()
        self.sim_unlocked = False
        self.pin_tries = 3
        self.next_mr = 0
        self.sent_parts = 0

    def reset(self) -> None:
        self.echo = True
        self.cmee = 0
        self.cmgf = 0
        self.cscs = "GSM"
        self.reg_n: dict[str, int] = {}                 # +CREG/+CGREG/+CEREG <n> (2: with location)
        self.cfun = 1
        self.cnmi = [0, 0, 0, 0, 0]
        self.csmp = [17, 167, 0, 0]
        self.mems = ["SM", "SM", "SM"]
        self.cops_format = 0
        self.prompt: dict[str, Any] | None = None

    # -- SIM and network as the faults make them --------------------------------------------------
    def sim_state(self) -> str:
        if self.has("no_sim"):
            return "none"
        if self.has("pin_locked") and not self.sim_unlocked:
            return "SIM PUK" if self.pin_tries <= 0 else "SIM PIN"
        return "READY"

    def reg_stat(self) -> int:
        if self.sim_state() != "READY" or self.cfun != 1:
            return 0
        return 2 if self.has("no_network") else 1

    def csq(self) -> tuple[int, int]:
        if self.cfun != 1 or self.has("no_network"):
            return 99, 99
        return (3, 99) if self.has("weak_signal") else (21, 0)

    def fault_cleared(self, fault: str | None) -> None:
        if fault in (None, "pin_locked"):
            self.sim_unlocked, self.pin_tries = False, 3

    # -- framing --------------------------------------------------------------------------------------
    def on_frame(self, frame: bytes) -> None:
        """A frame from the pty: a command line ending in CR/LF, or prompt input ending in ^Z/ESC."""
        with self.lock:
            if self.has("offline"):
                wire.debug("(offline) ignored %r", frame[:40])
                return
            if self.prompt is not None:
                self._prompt_input(frame)
                while self.deferred and self.prompt is None:
                    self._status_report(*self.deferred.pop(0))
                return
            line = frame.rstrip(b"\r\n").decode("latin-1").strip()
            if not line:
                return
            wire.debug("<<< %s", _masked(line))
            if self.echo:
                self.send(frame.rstrip(b"\n") if frame.endswith(b"\r") else frame + b"\r")
            self._command_line(line)

    def _out(self, *lines: str, final: str | None = None) -> None:
        """V.250 framing: information lines as one block ``CRLF line CRLF line CRLF``, then the
        final result as ``CRLF OK CRLF``."""
        for ln in (*lines, *((final,) if final else ())):
            wire.debug(">>> %s", _masked(ln) if not _HEX.match(ln) else f"<PDU {len(ln) // 2} octets>")
        data = b""
        if lines:
            data += b"\r\n" + "\r\n".join(lines).encode("utf-8", "replace") + b"\r\n"
        if final:
            data += b"\r\n" + final.encode("ascii") + b"\r\n"
        self.send(data)

    def _final_error(self, err: CommandError) -> None:
        if err.kind == "" or self.cmee == 0:
            self._out(final="ERROR")
        elif self.cmee == 2 and err.kind == "CME":
            self._out(final=f"+CME ERROR: {CME_TEXT.get(err.code, 'unknown')}")
        else:
            self._out(final=f"+{err.kind} ERROR: {err.code}")

    # -- command lines ------------------------------------------------------------------------------------
    def _command_line(self, line: str) -> None:
        if line.upper() == "A/":
            line = getattr(self, "_last", "AT")
        self._last = line
        if not line.upper().startswith("AT"):
            self._out(final="ERROR")
            return
        rest = line[2:]
        info: list[str] = []
        try:
            for cmd in split_commands(rest):
                result = self._one(cmd)
                if result is None:          # the > prompt is open: no final result now
                    if info:
                        self._out(*info)
                    return
                info.extend(result)
        except CommandError as err:
            if info:
                self._out(*info)
            self._final_error(err)
            return
        self._out(*info, final="OK")

    def _one(self, cmd: str) -> list[str] | None:
        up = cmd.upper()
        if not up:
            return []
        if up[0] not in "+^$":
            return self._basic(up)
        m = re.match(r"^([+^$][A-Z0-9]+)(=\?|\?|=(.*))?$", cmd, re.IGNORECASE)
        if not m:
            raise CommandError()
        name, suffix, arg = m.group(1).upper(), m.group(2) or "", m.group(3)
        handler = getattr(self, "_x_" + name[1:].lower(), None)
        if handler is None:
            raise CommandError()
        mode = "test" if suffix == "=?" else "read" if suffix == "?" else "set" if suffix else "exec"
        return handler(mode, split_args(arg) if arg is not None else [], arg or "")

    def _basic(self, up: str) -> list[str]:
        letter, digits = up[0], up[1:]
        if letter == "E":
            self.echo = digits != "0"
        elif letter == "Z":
            self.reset()
        elif letter == "I":
            return [f"{self.manufacturer}", f"{self.model}", f"Revision: {self.revision}"]
        elif letter == "&" and digits[:1] == "F":
            self.reset()
        elif letter in "VQX&S" or letter == "&":
            pass
        else:
            raise CommandError()
        return []

    def _need_sim(self, kind: str = "CME") -> None:
        state = self.sim_state()
        if state == "none":
            raise CommandError(kind, 10 if kind == "CME" else 310)
        if state == "SIM PIN":
            raise CommandError(kind, 11 if kind == "CME" else 311)
        if state == "SIM PUK":
            raise CommandError(kind, 12 if kind == "CME" else 316)

    # -- SIM, network -----------------------------------------------------------------------------------
    def _x_cpin(self, mode: str, a: list[str], raw: str) -> list[str]:
        if mode == "test":
            return []
        state = self.sim_state()
        if state == "none":
            raise CommandError("CME", 10)
        if mode == "read":
            return [f"+CPIN: {state}"]
        if mode != "set" or not a:
            raise CommandError("CME", 3)
        if state == "READY":
            return []                                    # a PIN when none is asked: accepted
        if state == "SIM PUK":
            raise CommandError("CME", 12)
        if a[0] == self.pin:
            self.sim_unlocked, self.pin_tries = True, 3
            return []
        self.pin_tries -= 1
        raise CommandError("CME", 16)

    def _reg(self, label: str, mode: str, a: list[str]) -> list[str]:
        if mode == "test":
            return [f"+{label}: (0-2)"]
        n = self.reg_n.get(label, 0)
        if mode == "read":
            stat = self.reg_stat()
            cell = ',"1A2B","00C3D4E5"' + (",7" if label == "CEREG" else "") if n >= 2 and stat in (1, 5) else ""
            return [f"+{label}: {n},{stat}{cell}"]
        if mode == "set" and a and a[0] in ("0", "1", "2"):
            self.reg_n[label] = int(a[0])
            return []
        raise CommandError("CME", 3)

    def _x_creg(self, mode: str, a: list[str], raw: str) -> list[str]:
        return self._reg("CREG", mode, a)

    def _x_cgreg(self, mode: str, a: list[str], raw: str) -> list[str]:
        return self._reg("CGREG", mode, a)

    def _x_cereg(self, mode: str, a: list[str], raw: str) -> list[str]:
        return self._reg("CEREG", mode, a)

    def _x_cgatt(self, mode: str, a: list[str], raw: str) -> list[str]:
        if mode == "test":
            return ["+CGATT: (0,1)"]
        if mode == "read":
            return [f"+CGATT: {1 if self.reg_stat() == 1 else 0}"]
        return []

    def _x_crc(self, mode: str, a: list[str], raw: str) -> list[str]:
        return ["+CRC: 0"] if mode == "read" else ["+CRC: (0,1)"] if mode == "test" else []

    def _x_csq(self, mode: str, a: list[str], raw: str) -> list[str]:
        if mode == "test":
            return ["+CSQ: (0-31,99),(0-7,99)"]
        rssi, ber = self.csq()
        return [f"+CSQ: {rssi},{ber}"]

    def _x_cops(self, mode: str, a: list[str], raw: str) -> list[str]:
        if mode == "test":
            return [f'+COPS: (2,"{self.operator}","SimNet","{self.plmn}",7),,(0-4),(0-2)']
        if mode == "read":
            if self.reg_stat() != 1:
                return ["+COPS: 0"]
            name = {0: f'"{self.operator}"', 1: '"SimNet"', 2: f'"{self.plmn}"'}[self.cops_format]
            return [f"+COPS: 0,{self.cops_format},{name},7"]
        if mode == "set" and len(a) > 1 and a[1] in ("0", "1", "2"):
            self.cops_format = int(a[1])                 # AT+COPS=3,<format>: how the name is shown
        return []

    # -- sending ------------------------------------------------------------------------------------------
    def _x_cmgs(self, mode: str, a: list[str], raw: str) -> list[str] | None:
        if mode == "test":
            return []
        if mode != "set" or not a:
            raise CommandError("CMS", 302 if mode != "set" else 304)
        self._need_sim("CMS")
        self._open_prompt("send", a)
        return None

    def _open_prompt(self, purpose: str, a: list[str]) -> None:
        """``> ``: the message follows, ended by Ctrl-Z (or ESC to cancel). ``purpose`` is "send"
        (AT+CMGS) or "write" (AT+CMGW: PDU mode ``<length>[,<stat>]``, text ``"<da>"[,<toda>[,<stat>]]``)."""
        if self.cmgf == 0:
            if not a or not a[0].isdigit() or not 7 <= int(a[0]) <= 164:
                raise CommandError("CMS", 304)
            stat = int(a[1]) if len(a) > 1 and a[1].isdigit() else 2
            self.prompt = {"purpose": purpose, "mode": "pdu", "length": int(a[0]), "stat": stat}
        else:
            stat = STAT_CODES.get(a[2].upper(), 2) if len(a) > 2 else 2
            to = decode_chars(a[0], self.cscs) if a else ""
            self.prompt = {"purpose": purpose, "mode": "text", "to": to, "stat": stat}
        self.set_terminators(bytes([CTRL_Z, ESC]))
        wire.debug(">>> > ")
        self.send(b"\r\n> ")

    def _prompt_input(self, frame: bytes) -> None:
        prompt, self.prompt = self.prompt, None
        self.set_terminators(b"\r\n")
        assert prompt is not None
        if frame[-1:] == bytes([ESC]):
            wire.debug("<<< <ESC> (cancelled)")
            self._out(final="OK")
            return
        body = frame[:-1].decode("latin-1")
        wire.debug("<<< <%d bytes> <Ctrl-Z>", len(body))
        try:
            if prompt["mode"] == "pdu":
                pdu = "".join(body.split())
                if len(pdu) % 2 or (len(pdu) // 2 - 1 - int(pdu[:2], 16)) != prompt["length"]:
                    raise CommandError("CMS", 304)
                sub = decode_submit(pdu)
                msg: dict[str, Any] = {"to": sub.to, "text": sub.text, "srr": sub.status_report,
                                       "concat": sub.concat, "enc": sub.encoding, "mode": "pdu", "pdu": pdu}
            else:
                text = decode_chars(body.replace("\r\n", "\n").replace("\r", "\n"), self.cscs)
                msg = {"to": prompt["to"], "text": text, "srr": bool(self.csmp[0] & 0x20), "concat": None,
                       "enc": self.cscs.lower(), "mode": "text", "pdu": None}
            if prompt["purpose"] == "send":
                mr = self._deliver(msg)
                self._out(f"+CMGS: {mr}", final="OK")
            else:
                msg["stat"] = prompt["stat"] if prompt["stat"] in (2, 3) else 2
                self._out(f"+CMGW: {self.store.write(msg)}", final="OK")
        except PduDecodeError as err:
            wire.debug("PDU rejected: %s", err)
            self._final_error(CommandError("CMS", 304))
        except (CommandError, ValueError) as err:
            self._final_error(err if isinstance(err, CommandError) else CommandError("CMS", 304))

    def _deliver(self, msg: dict[str, Any]) -> int:
        """Hand one part to the network: the message reference, or CommandError as the network says."""
        if self.reg_stat() != 1:
            raise CommandError("CMS", 331)
        if self.has("sms_rejected"):
            raise CommandError("CMS", 21)
        mr = self.next_mr
        self.next_mr = (self.next_mr + 1) % 256
        self.sent_parts += 1
        # the network has the message before the modem says so: log first, then answer
        self._collect(msg["to"], msg["text"], mr, msg["concat"], msg["enc"], msg["mode"])
        if msg["srr"] and self.cnmi[3] == 1:
            timer = threading.Timer(self.report_delay, self._status_report, (mr, msg["to"]))
            timer.daemon = True
            timer.start()
        return mr

    def _encode_chars(self, text: str) -> str:
        return text.encode("utf-16-be").hex().upper() if self.cscs == "UCS2" else text

    def _status_report(self, mr: int, to: str) -> None:
        with self.lock:
            if self.has("offline"):
                return
            if self.prompt is not None:          # 27.005: unsolicited codes wait while the > is open
                self.deferred.append((mr, to))
                return
            if self.cmgf == 0:
                pdu = build_status_report(mr, to, 0x00)
                self._out(f"+CDS: {status_report_length(pdu)}", pdu)
            else:
                now = dt.datetime.now(dt.UTC).strftime('"%y/%m/%d,%H:%M:%S+00"')
                toa = 145 if to.startswith("+") else 129
                self._out(f'+CDS: 6,{mr},"{to}",{toa},{now},{now},0')

    def _collect(self, to: str, text: str, mr: int, concat: Sequence[int] | None, enc: str,
                 mode: str) -> None:
        if concat is None or concat[1] <= 1:
            self._log({"to": to, "text": text, "parts": 1, "references": [mr], "reference": None,
                       "encoding": enc, "mode": mode})
            return
        ref, total, seq = concat
        key = (to, ref, total)
        got = self.pending.setdefault(key, {})
        got[seq] = (mr, text)
        if len(got) == total and all(i in got for i in range(1, total + 1)):
            del self.pending[key]
            ordered = [got[i] for i in range(1, total + 1)]
            self._log({"to": to, "text": "".join(t for _, t in ordered), "parts": total,
                       "references": [m for m, _ in ordered], "reference": ref, "encoding": enc,
                       "mode": mode})

    def _log(self, entry: dict[str, Any]) -> None:
        entry["time"] = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
        self.sms_log.parent.mkdir(parents=True, exist_ok=True)
        with self.sms_log.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, ensure_ascii=False) + "\n")


def _masked(line: str) -> str:
    """Log form of a line: no PIN, phone numbers to their last two digits (as the driver logs)."""
    if line.upper().startswith("AT+CPIN="):
        return "AT+CPIN=****"
    return re.sub(r'"\+?(\d+)(\d\d)"', lambda m: '"' + "*" * len(m.group(1)) + m.group(2) + '"', line)
