"""GSM modem driver: SMS over AT commands (3GPP TS 27.005 / 27.007) on a serial port (pyserial).

Layers (as python-escpos does it): :mod:`devices.sms_pdu` turns a text into PDUs,
:mod:`devices.modem_at` speaks the AT dialogue, this module is the intent (start the modem,
send an SMS and follow its delivery, the technician's check) and picks the port by config.

Start-up, in order: ``AT`` (up to 3 tries; silence -> :class:`DeviceOffline`), ``ATE0``,
``AT+CMEE=1`` (numeric errors), ``AT+CPIN?`` (READY / SIM PIN -> the configured PIN is entered once
per process, never retried after a refusal, so the driver cannot burn the SIM's three tries /
SIM PUK / ``+CME ERROR: 10`` no SIM), ``AT+CMGF=0`` (PDU mode), ``AT+CNMI=2,1,0,1,0`` (status
reports as ``+CDS``), optionally ``AT+CSCA``. Before each SMS: ``AT+CREG?`` (registered home or
roaming, else :class:`NoNetwork`) and ``AT+CSQ`` (below ``weak_signal_dbm`` ->
:class:`WeakSignal`, the sync agent retries later).

Sending: each part is ``AT+CMGS=<tpdu length>``, the ``> `` prompt, the PDU hex + Ctrl-Z, then
``+CMGS: <mr>``. Every part asks for a status report (TP-SRR); the driver then waits up to
``delivery_timeout`` for a ``+CDS`` with each part's message reference. A part without a report in
time is ``delivered=False``, not an error: the SMS went to the network.

Errors: ``+CME ERROR`` / ``+CMS ERROR`` become the typed errors of :mod:`devices.errors` (see
``CME_ERRORS`` / ``CMS_ERRORS`` in :mod:`devices.modem_at`); the error keeps ``.number`` (the
numeric code) and ``.at_error`` (the line as the modem sent it).

Personal data: the phone number is masked in every log line and error (``+**********67``), the
PIN is never logged, and PDUs (which hold number and text) are logged as a masked summary only.
"""

from __future__ import annotations

import itertools
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from devices.config import declared, read_settings
from devices.errors import (
    DeviceConfigError,
    DeviceError,
    DeviceNotFound,
    DeviceOffline,
    DeviceProtocolError,
    DeviceTimeout,
    NoNetwork,
    NoSim,
    PinLocked,
    WeakSignal,
)
from devices.modem_at import ESC, ATChannel
from devices.modem_storage import StoredSms
from devices.sms_pdu import PduError, decode_status_report, describe_submit, encode_submit, mask_number
from devices.state import DeviceState, DeviceStatus

log = logging.getLogger(__name__)

CONNECTIONS = ("serial", "url")

SETTINGS: list[dict[str, Any]] = declared("modem")  # devices/settings.toml
DEFAULTS: dict[str, Any] = {s["key"]: s["default"] for s in SETTINGS}

REG_STATES = {0: "not_registered", 1: "registered_home", 2: "searching", 3: "denied", 4: "unknown",
              5: "registered_roaming"}


def rssi_to_dbm(rssi: int) -> int | None:
    """AT+CSQ <rssi> 0..31 -> dBm (-113 + 2*rssi); 99 (unknown) -> None."""
    if rssi == 99 or not 0 <= rssi <= 31:
        return None
    return -113 + 2 * rssi


@dataclass
class SmsResult:
    parts: int
    references: list[int]                       # TP-MR the modem gave each part (+CMGS)
    delivered: list[bool]                       # per part: a status report said delivered
    encoding: str = "gsm7"
    statuses: list[int | None] = field(default_factory=list)  # TP-ST per part, None = no report

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class GsmModem(StoredSms):
    """The driver. ``port_factory`` returns an open pyserial-like port (``from_config`` makes it)."""

    device = "modem"

    def __init__(self, port_factory: Callable[[], Any], settings: Mapping[str, Any] | None = None) -> None:
        self.settings = {**DEFAULTS, **(settings or {})}
        self._port_factory = port_factory
        self._port: Any = None
        self._at: ATChannel | None = None
        self._started = False
        self._pin_refused = False
        self._storage_selected = False
        self._lock = threading.RLock()
        self._concat = itertools.count(random.randrange(0x10000))
        self.last_error: DeviceError | None = None

    # -- connection ------------------------------------------------------------------------------
    def _channel(self) -> ATChannel:
        if self._at is None:
            try:
                self._port = self._port_factory()
            except DeviceError:
                raise
            except Exception as err:  # serial.SerialException, OSError
                raise DeviceNotFound(f"cannot open the modem's port: {err}", device=self.device) from err
            self._at = ATChannel(self._port)
        return self._at

    def cancel_input(self) -> None:
        """Cancel a ``> `` prompt that a killed process may have left open (the modem would take
        every following command as message text): ESC, a short pause, then forget the answer.
        Harmless when no prompt is open. The sync agent calls it once at start."""
        with self._lock:
            at = self._channel()
            at._write(ESC + b"\r", "<ESC> (cancel input left open)")
            deadline = time.monotonic() + 0.3      # OK (a prompt was open) or ERROR (none was)
            while time.monotonic() < deadline:
                line = at._take_line()
                if line is None:
                    at._fill()
                elif line in ("OK", "ERROR") or line.startswith(("+CME ERROR", "+CMS ERROR")):
                    break
            at.drain()

    def close(self) -> None:
        with self._lock:
            if self._port is not None:
                try:
                    self._port.close()
                except Exception as err:  # closing a port that vanished
                    log.debug("closing modem port: %s", err)
            self._port = None
            self._at = None
            self._started = False

    def _cmd(self, cmd: str, timeout: float | None = None) -> list[str]:
        return self._channel().command(cmd, float(timeout or self.settings["command_timeout"]))

    def open(self) -> None:
        """Run the start-up sequence (once; again after a connection failure)."""
        with self._lock:
            if self._started:
                return
            try:
                self._start()
            except (DeviceOffline, DeviceTimeout, DeviceNotFound):
                self.close()
                raise
            self._started = True

    def _start(self) -> None:
        self._storage_selected = False
        at = self._channel()
        for attempt in range(3):
            try:
                at.drain()
                at.command("AT", 1.0)
                break
            except DeviceTimeout as err:
                if attempt == 2:
                    raise DeviceOffline("the modem does not answer AT", device=self.device) from err
            except DeviceProtocolError:
                at.drain()                      # garbage from a half-finished earlier command
        self._cmd("ATE0")
        self._cmd("AT+CMEE=1")
        self._unlock_sim()
        self._cmd("AT+CMGF=0")
        if self.settings["status_reports"]:
            for cnmi in ("2,1,0,1,0", "1,1,0,1,0"):     # some modems refuse mt=2 in this state
                try:
                    self._cmd(f"AT+CNMI={cnmi}")
                    break
                except DeviceProtocolError as err:
                    log.warning("modem refused AT+CNMI=%s (%s); delivery reports may not arrive", cnmi, err)
        if self.settings["smsc"]:
            self._cmd(f'AT+CSCA="{self.settings["smsc"]}",145')

    def _sim_state(self) -> str:
        """'READY', 'SIM PIN', 'SIM PUK', ...; raises NoSim (+CME ERROR: 10) itself."""
        for line in self._cmd("AT+CPIN?"):
            if line.startswith("+CPIN:"):
                return line.split(":", 1)[1].strip().strip('"')
        raise DeviceProtocolError("no +CPIN line in the answer to AT+CPIN?", device=self.device)

    def _unlock_sim(self) -> None:
        state = self._sim_state()
        if state == "READY":
            return
        if state == "SIM PIN" and self.settings["pin"] and not self._pin_refused:
            try:
                self._cmd(f'AT+CPIN="{self.settings["pin"]}"', 10)
            except PinLocked:
                self._pin_refused = True        # never try again: three wrong PINs lock the SIM
                raise
            if self._sim_state() == "READY":
                return
            state = self._sim_state()
        raise PinLocked(f"the SIM is locked ({state}); "
                        + ("the configured PIN was refused" if self._pin_refused else
                           "no PIN configured" if state == "SIM PIN" else "needs the PUK"),
                        device=self.device)

    # -- network -----------------------------------------------------------------------------------
    def _registration(self) -> str:
        for line in self._cmd("AT+CREG?"):
            m = re.match(r"\+CREG: ?\d+,(\d+)", line)
            if m:
                return REG_STATES.get(int(m.group(1)), "unknown")
        raise DeviceProtocolError("no +CREG line in the answer to AT+CREG?", device=self.device)

    def _signal_dbm(self) -> int | None:
        for line in self._cmd("AT+CSQ"):
            m = re.match(r"\+CSQ: ?(\d+),(\d+)", line)
            if m:
                return rssi_to_dbm(int(m.group(1)))
        raise DeviceProtocolError("no +CSQ line in the answer to AT+CSQ", device=self.device)

    def _operator(self) -> str:
        for line in self._cmd("AT+COPS?"):
            m = re.match(r'\+COPS: ?\d+(?:,\d+,"([^"]*)")?', line)
            if m:
                return m.group(1) or ""
        return ""

    def _require_network(self) -> None:
        reg = self._registration()
        if not reg.startswith("registered"):
            raise NoNetwork(f"not registered on a network ({reg})", device=self.device)
        dbm = self._signal_dbm()
        if dbm is not None and dbm < int(self.settings["weak_signal_dbm"]):
            raise WeakSignal(f"signal {dbm} dBm is below {self.settings['weak_signal_dbm']} dBm",
                             device=self.device)

    # -- SMS ----------------------------------------------------------------------------------------
    def send_sms(self, number: str, text: str) -> SmsResult:
        """Send ``text`` to ``number`` (``+380...``), in as many parts as needed; wait for the
        status reports. Raises a typed DeviceError; ``SmsRejected`` etc. carry ``.partial`` (the
        parts that did go out) when a later part fails. A number or text that cannot be encoded
        raises ``devices.sms_pdu.PduError`` (a ValueError): permanent, retrying will not help."""
        return self._guarded(self._send, number, text)

    def _guarded(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run one operation under the lock; a timeout is checked for a dead modem (DeviceOffline)."""
        with self._lock:
            try:
                return fn(*args)
            except DeviceTimeout as err:
                self.last_error = self._offline_or(err)
                if self.last_error is err:
                    raise
                raise self.last_error from err
            except DeviceError as err:
                self.last_error = err
                if isinstance(err, DeviceOffline):
                    self.close()
                raise

    def _offline_or(self, err: DeviceTimeout) -> DeviceError:
        """After a timeout: a modem that does not answer a bare ``AT`` either is offline."""
        try:
            at = self._channel()
            at.drain()
            at.command("AT", 1.0)
        except DeviceError:
            self.close()
            offline = DeviceOffline(f"the modem stopped answering ({err})", device=self.device)
            offline.partial = getattr(err, "partial", None)     # type: ignore[attr-defined]
            return offline
        self.close()                                # re-run the start-up before the next use
        return err

    def _send(self, number: str, text: str) -> SmsResult:
        ref16 = bool(self.settings["concat_16bit"])
        ref = next(self._concat) & (0xFFFF if ref16 else 0xFF)
        srr = bool(self.settings["status_reports"])
        try:
            parts = encode_submit(number, text, reference=ref, ref16=ref16, status_report=srr)
        except PduError as err:     # a bad number or an empty text: permanent, not a device fault
            raise PduError(f"cannot send an SMS to {mask_number(number)}: {err}") from err
        self.open()
        self._unlock_sim()
        self._require_network()
        at = self._channel()
        result = SmsResult(parts=len(parts), references=[], delivered=[], encoding=parts[0].encoding)
        log.info("SMS to %s: %d part(s), %s", mask_number(number), len(parts), parts[0].encoding)
        for part in parts:
            try:
                lines = at.send_with_prompt(
                    f"AT+CMGS={part.tpdu_length}", part.pdu.encode("ascii"),
                    describe_submit(part, number), timeout=float(self.settings["send_timeout"]),
                    prompt_timeout=float(self.settings["command_timeout"]))
            except DeviceError as err:
                err.partial = result                    # type: ignore[attr-defined]
                raise
            mr = next((int(m.group(1)) for ln in lines if (m := re.match(r"\+CMGS: ?(\d+)", ln))), None)
            if mr is None:
                raise DeviceProtocolError("no +CMGS reference after sending a part", device=self.device)
            result.references.append(mr)
        result.delivered = [False] * len(parts)
        result.statuses = [None] * len(parts)
        if srr and float(self.settings["delivery_timeout"]) > 0:
            self._await_reports(result, float(self.settings["delivery_timeout"]))
        log.info("SMS to %s: references %s, delivered %s", mask_number(number), result.references,
                 result.delivered)
        return result

    def _await_reports(self, result: SmsResult, timeout: float) -> None:
        waiting = {mr: i for i, mr in enumerate(result.references)}

        def accept(line: str) -> bool:
            if not line.startswith("+CDS:"):
                return False
            report = self._parse_cds(line)
            if report is None:
                return False
            mr, status, final = report
            idx = waiting.get(mr)
            if idx is not None:
                result.statuses[idx] = status
                if final:
                    result.delivered[idx] = status < 0x20
                    waiting.pop(mr, None)
            return not waiting

        self._channel().wait_unsolicited(accept, timeout)

    @staticmethod
    def _parse_cds(line: str) -> tuple[int, int, bool] | None:
        """(reference, TP-ST, final) from a PDU-mode (``+CDS: <len>\\n<pdu>``) or text-mode report."""
        if "\n" in line:
            try:
                rep = decode_status_report(line.split("\n", 1)[1])
            except PduError as err:
                log.warning("unreadable status report: %s", err)
                return None
            return rep.reference, rep.status, rep.final
        m = re.match(r"\+CDS: ?\d+,(\d+),.*,(\d+)$", line)  # text mode: <fo>,<mr>,...,<st>
        if m:
            st = int(m.group(2))
            return int(m.group(1)), st, not 0x20 <= st < 0x40
        return None

    # -- the technician -------------------------------------------------------------------------------
    def check(self) -> dict[str, Any]:
        """The modem check of the technician's command. Never raises a DeviceError: a fault is
        reported in ``error`` ({device, code, message}) with ``ok`` False."""
        info: dict[str, Any] = {"ok": False, "model": "", "manufacturer": "", "revision": "", "imei": "",
                                "sim": "", "registration": "", "operator": "", "signal_dbm": None,
                                "signal_weak": None, "error": None}
        with self._lock:
            try:
                self.open()
            except (NoSim, PinLocked) as err:       # the modem answers; the SIM is the problem
                info["error"] = err.as_dict()
            except DeviceError as err:
                info["error"] = err.as_dict()
                self.last_error = err
                return info
            try:
                info["manufacturer"] = " ".join(self._cmd("AT+CGMI"))
                info["model"] = " ".join(self._cmd("AT+CGMM"))
                info["revision"] = " ".join(self._cmd("AT+CGMR"))
                info["imei"] = " ".join(self._cmd("AT+CGSN"))
                try:
                    info["sim"] = self._sim_state()
                except NoSim as err:
                    info["sim"] = "NO SIM"
                    info["error"] = info["error"] or err.as_dict()
                info["registration"] = self._registration()
                info["operator"] = self._operator()
                dbm = self._signal_dbm()
                info["signal_dbm"] = dbm
                info["signal_weak"] = dbm is None or dbm < int(self.settings["weak_signal_dbm"])
            except DeviceError as err:
                if isinstance(err, DeviceTimeout):
                    err = self._offline_or(err)
                info["error"] = info["error"] or err.as_dict()
                self.last_error = err
                return info
        if info["error"] is None:
            if info["sim"] != "READY":
                info["error"] = PinLocked(f"SIM: {info['sim']}", device=self.device).as_dict()
            elif not info["registration"].startswith("registered"):
                info["error"] = NoNetwork(f"network: {info['registration']}", device=self.device).as_dict()
            elif info["signal_weak"]:
                info["error"] = WeakSignal(f"signal {info['signal_dbm']} dBm", device=self.device).as_dict()
        info["ok"] = info["error"] is None
        return info

    def status(self) -> DeviceStatus:
        info = self.check()
        st = DeviceStatus(self.device, consumables={"signal_dbm": info["signal_dbm"]})
        err = info["error"]
        if err is None:
            st.state = DeviceState.READY
        elif err["code"] in ("offline", "timeout", "not_found"):
            st.state, st.detail = DeviceState.OFFLINE, err["code"]
        elif err["code"] == "weak_signal":
            st.state, st.detail = DeviceState.WARNING, "weak_signal"
        else:
            st.state, st.detail = DeviceState.FAULT, err["code"]
        st.last_error = err
        return st


def from_config(cfg: Mapping[str, Any]) -> GsmModem:
    """``cfg``: the keys of SETTINGS. ``connection`` picks the port; unknown -> DeviceConfigError."""
    settings = read_settings("modem", cfg, SETTINGS, CONNECTIONS)
    import serial  # pyserial

    if settings["connection"] == "serial":
        def factory() -> Any:
            return serial.Serial(str(settings["port"]), int(settings["baudrate"]), timeout=0.05,
                                 write_timeout=5)
    else:
        if not settings["url"]:
            raise DeviceConfigError("connection='url' needs a 'url' setting", device="modem")

        def factory() -> Any:
            return serial.serial_for_url(str(settings["url"]), baudrate=int(settings["baudrate"]),
                                         timeout=0.05, write_timeout=5)
    return GsmModem(factory, settings)


__all__ = ["CONNECTIONS", "DEFAULTS", "SETTINGS", "GsmModem", "SmsResult", "from_config", "rssi_to_dbm"]
