"""The AT command channel under the modem driver: lines in, lines out, over a pyserial port.

It knows the shape of a 3GPP TS 27.007 dialogue and nothing about SMS: a command is written with
CR, the answer is information lines up to a final result code (``OK``, ``ERROR``,
``+CME ERROR: <n>``, ``+CMS ERROR: <n>``); lines that arrive unasked (``+CDS``, ``+CMTI``,
``RING``...) are queued for whoever waits for them. ``+CDS: <len>`` in PDU mode is followed by
its PDU on the next line; the channel joins the two.

Wire traffic goes to the ``devices.modem.wire`` logger as ``>>>`` / ``<<<`` lines, with the
personal data removed: a PIN is logged as ``****``, a quoted phone number masked, and a PDU
(which holds the number and the text) replaced by its length.
"""

from __future__ import annotations

import collections
import logging
import re
import time
from collections.abc import Callable
from typing import Any

from devices.errors import (
    DeviceError,
    DeviceOffline,
    DeviceProtocolError,
    DeviceTimeout,
    ModemError,
    NoNetwork,
    NoSim,
    PinLocked,
    SmsRejected,
)
from devices.sms_pdu import mask_number

wire = logging.getLogger("devices.modem.wire")

CTRL_Z = b"\x1a"
ESC = b"\x1b"

_FINAL_OK = ("OK",)
_FINAL_ERR = re.compile(r"^(ERROR|\+CME ERROR: ?(.+)|\+CMS ERROR: ?(.+)|NO CARRIER|COMMAND NOT SUPPORT)$")
_UNSOLICITED = ("+CDS:", "+CMTI:", "+CMT:", "+CDSI:", "RING", "+CLIP:", "^", "+CUSD:", "+CBM:")
_HEX = re.compile(r"^[0-9A-Fa-f]{16,}$")
_QUOTED_NUMBER = re.compile(r'"(\+?\d{3,})"')

# +CME ERROR (27.007 9.2) -> the typed error
CME_ERRORS: dict[int, type[DeviceError]] = {
    10: NoSim, 13: NoSim, 15: NoSim,                 # not inserted, failure, wrong SIM
    5: PinLocked, 11: PinLocked, 12: PinLocked, 16: PinLocked, 17: PinLocked, 18: PinLocked,
    30: NoNetwork, 31: DeviceTimeout, 32: NoNetwork,  # no service, network timeout, emergency only
}
# +CMS ERROR (27.005 3.2.5); 0..127 are network causes (TS 24.011) -> the network refused it
CMS_ERRORS: dict[int, type[DeviceError]] = {
    310: NoSim, 313: NoSim, 315: NoSim,
    311: PinLocked, 312: PinLocked, 316: PinLocked, 317: PinLocked, 318: PinLocked,
    330: SmsRejected,                                # SMSC address unknown
    322: ModemError,                                 # memory full (store-then-send)
    331: NoNetwork, 332: DeviceTimeout,
    38: NoNetwork,                                   # network out of order
    304: DeviceProtocolError, 305: DeviceProtocolError, 302: DeviceProtocolError,
    303: DeviceProtocolError,
}
CME_TEXT = {3: "operation not allowed", 4: "operation not supported", 10: "SIM not inserted",
            11: "SIM PIN required", 12: "SIM PUK required", 13: "SIM failure", 16: "incorrect password",
            30: "no network service", 31: "network timeout", 100: "unknown"}
CMS_TEXT = {21: "short message transfer rejected", 38: "network out of order", 42: "congestion",
            304: "invalid PDU mode parameter", 321: "invalid memory index", 322: "memory full", 310: "SIM not inserted", 311: "SIM PIN required",
            330: "SMSC address unknown", 331: "no network service", 332: "network timeout",
            500: "unknown error"}


def error_for(line: str, command: str = "") -> DeviceError:
    """The typed error for a final error result; ``.at_error`` keeps the line, ``.number`` the code."""
    m = _FINAL_ERR.match(line)
    cme = m.group(2) if m else None
    cms = m.group(3) if m else None
    number: int | None = None
    cls: type[DeviceError] = DeviceProtocolError
    what = "modem answered ERROR"
    if cme is not None and cme.strip().isdigit():
        number = int(cme)
        cls = CME_ERRORS.get(number, DeviceProtocolError)
        what = f"+CME ERROR: {number} ({CME_TEXT.get(number, 'see 3GPP TS 27.007 9.2')})"
    elif cms is not None and cms.strip().isdigit():
        number = int(cms)
        cls = CMS_ERRORS.get(number, SmsRejected if number < 128 or number >= 500 else DeviceProtocolError)
        what = f"+CMS ERROR: {number} ({CMS_TEXT.get(number, 'see 3GPP TS 27.005 3.2.5')})"
    elif cme is not None or cms is not None:
        what = line                                   # verbose error text (CMEE=2)
    err = cls(f"{what} to {_mask_command(command) or 'the modem'}", device="modem")
    err.at_error = line                               # type: ignore[attr-defined]
    err.number = number                               # type: ignore[attr-defined]
    return err


def _mask_command(cmd: str) -> str:
    if cmd.upper().startswith("AT+CPIN="):
        return "AT+CPIN=****"
    return _QUOTED_NUMBER.sub(lambda m: '"' + mask_number(m.group(1)) + '"', cmd)


def _mask_line(line: str) -> str:
    if _HEX.match(line):
        return f"<PDU {len(line) // 2} octets>"
    return _mask_command(line)


class ATChannel:
    """A pyserial-like port (``write``, ``read``, ``in_waiting``, ``timeout``) speaking AT."""

    def __init__(self, port: Any, *, poll: float = 0.02) -> None:
        self.port = port
        self.poll = poll
        self._buf = b""
        self._pending_cds: str | None = None
        self.unsolicited: collections.deque[str] = collections.deque(maxlen=256)
        self._payload = ""
        self.echo_seen = False

    # -- bytes --------------------------------------------------------------------------------
    def _write(self, data: bytes, shown: str) -> None:
        wire.debug(">>> %s", shown)
        try:
            self.port.write(data)
            self.port.flush()
        except Exception as err:  # serial.SerialException, OSError
            raise DeviceOffline(f"cannot write to the modem: {err}", device="modem") from err

    def _fill(self) -> None:
        try:
            n = getattr(self.port, "in_waiting", 0) or 1
            chunk = self.port.read(n)
        except Exception as err:
            raise DeviceOffline(f"cannot read from the modem: {err}", device="modem") from err
        if chunk:
            self._buf += chunk
        elif not getattr(self.port, "timeout", None):
            time.sleep(self.poll)

    def _take_line(self) -> str | None:
        """One complete non-empty line from the buffer, or None."""
        while True:
            m = re.search(rb"\r\n|\r|\n", self._buf)
            if not m:
                return None
            raw, self._buf = self._buf[:m.start()], self._buf[m.end():]
            line = raw.decode("latin-1").strip()
            if line:
                wire.debug("<<< %s", _mask_line(line))
                return line

    def _next_line(self, deadline: float, what: str) -> str:
        while True:
            line = self._take_line()
            if line is not None:
                return line
            if time.monotonic() > deadline:
                raise DeviceTimeout(f"the modem did not answer {what} in time", device="modem")
            self._fill()

    def _route(self, line: str) -> bool:
        """Queue unsolicited lines; True if the line was one."""
        if self._pending_cds is not None:
            self.unsolicited.append(f"{self._pending_cds}\n{line}")
            self._pending_cds = None
            return True
        if line.startswith(_UNSOLICITED) or line == "RING":
            if re.match(r"^\+CDS: ?\d+$", line):     # PDU mode: the PDU follows on the next line
                self._pending_cds = line
            else:
                self.unsolicited.append(line)
            return True
        return False

    # -- commands -----------------------------------------------------------------------------
    def command(self, cmd: str, timeout: float = 2.0) -> list[str]:
        """Send one command, return its information lines; raise the typed error on an error."""
        self._payload = ""
        self._write(cmd.encode("ascii") + b"\r", _mask_command(cmd))
        return self._collect(cmd, time.monotonic() + timeout)

    def _collect(self, cmd: str, deadline: float) -> list[str]:
        info: list[str] = []
        while True:
            line = self._next_line(deadline, cmd)
            if self._route(line):
                continue
            if line.upper() == cmd.upper() or line.startswith(">") or (self._payload and line == self._payload):
                self.echo_seen = True              # echo (ATE1) of the command or PDU: not an answer
                continue
            if line in _FINAL_OK:
                return info
            if _FINAL_ERR.match(line):
                raise error_for(line, cmd)
            info.append(line)

    def send_with_prompt(self, cmd: str, payload: bytes, shown: str, timeout: float = 10.0,
                         prompt_timeout: float = 2.0) -> list[str]:
        """``AT+CMGS=...``: wait for the ``> `` prompt, send ``payload`` + Ctrl-Z, read the answer.
        On no prompt, ESC cancels the input so that the modem is not left waiting."""
        self._write(cmd.encode("ascii") + b"\r", _mask_command(cmd))
        deadline = time.monotonic() + prompt_timeout
        while True:
            line = self._take_line()
            if line is not None:
                if self._route(line) or line.upper() == cmd.upper():
                    continue
                if _FINAL_ERR.match(line):
                    raise error_for(line, cmd)
                if line.startswith(">"):          # a modem that ends its prompt with a line end
                    break
                continue
            if self._buf.lstrip(b"\r\n").startswith(b">"):
                self._buf = b""                      # the prompt: '> ' with no line end after it
                wire.debug("<<< > ")
                break
            if time.monotonic() > deadline:
                self._write(ESC, "<ESC>")
                raise DeviceTimeout(f"no '> ' prompt after {cmd}", device="modem")
            self._fill()
        self._payload = payload.decode("latin-1").strip()
        self._write(payload + CTRL_Z, shown + " <Ctrl-Z>")
        return self._collect(cmd, time.monotonic() + timeout)

    def wait_unsolicited(self, accept: Callable[[str], bool], timeout: float) -> list[str]:
        """Read until ``accept`` says enough (it sees each queued unsolicited line) or timeout;
        returns the lines that were offered. Lines not accepted stay queued for later."""
        deadline = time.monotonic() + timeout
        seen: list[str] = []
        while True:
            while self.unsolicited:
                line = self.unsolicited.popleft()
                seen.append(line)
                if accept(line):
                    return seen
            if time.monotonic() > deadline:
                return seen
            line = self._take_line()
            if line is None:
                self._fill()
                continue
            if not self._route(line):
                wire.debug("ignored unexpected line: %s", _mask_line(line))

    def drain(self) -> None:
        """Forget anything the modem said before our next command (stale results); unsolicited
        lines among it are kept."""
        for _ in range(50):                      # at most ~50 chunks of leftovers
            before = len(self._buf)
            self._fill()
            if len(self._buf) == before:
                break
        while (line := self._take_line()) is not None:
            self._route(line)
        self._buf = b""
