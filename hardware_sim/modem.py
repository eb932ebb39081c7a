"""Simulated GSM modem on a pseudo-terminal: what the sync agent's modem driver, ModemManager,
gammu or smstools would talk to through ``<workdir>/modem.tty``.

The AT interpreter is :mod:`hardware_sim.modem_engine`; the PDU decoder is
:mod:`hardware_sim.modem_pdu` (written apart from the driver's encoder). Each complete SMS
(multipart messages reassembled in order) is appended to ``<workdir>/sms.jsonl``, one JSON per
message: ``{"to", "text", "parts", "references" (the +CMGS references of the parts, in order),
"reference" (the concatenation reference or null), "encoding", "mode", "time"}``.

Message storage for store-then-send (``AT+CPMS/CMGW/CMSS/CMGR/CMGL/CMGD``,
:mod:`hardware_sim.modem_store`) lives in ``<workdir>/modem_storage.json`` and outlives a restart,
as a SIM's does.

Faults (``FAULTS["modem"]``) and what the line shows:

=============  ====================================================================================
no_sim         ``AT+CPIN?`` -> ``+CME ERROR: 10``; ``+CREG: 0,0``; ``AT+CMGS`` -> ``+CMS ERROR: 310``
pin_locked     ``+CPIN: SIM PIN`` until ``AT+CPIN="<pin>"`` (default 1234; 3 wrong -> SIM PUK);
               ``AT+CMGS`` -> ``+CMS ERROR: 311``; clearing the fault puts a fresh SIM in
no_network     ``+CREG: 0,2`` (searching), ``+CSQ: 99,99``, ``+COPS: 0``; send -> ``+CMS ERROR: 331``
weak_signal    ``+CSQ: 3,99`` (-107 dBm); sending still works
sms_rejected   the network refuses each message: ``+CMS ERROR: 21`` after the PDU
offline        the modem answers nothing at all (unplugged, powered down)
=============  ====================================================================================
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from hardware_sim.base import Simulator
from hardware_sim.modem_engine import ModemEngine
from hardware_sim.modem_store import MessageStore
from hardware_sim.pty_device import PtyDevice

log = logging.getLogger(__name__)


class ModemSim(Simulator):
    name = "modem"

    def __init__(self, workdir: Path, *, pin: str = "1234", operator: str = "SimNet UA",
                 report_delay: float = 0.1, storage_slots: int = 50) -> None:
        super().__init__(workdir)
        self.sms_path = self.workdir / "sms.jsonl"
        self.pty = PtyDevice(self.workdir, self.name, self._on_frame, terminators=b"\r\n",
                             keep_terminator=True, skip_empty=False)  # a bare ESC cancels a prompt
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.storage = MessageStore(self.workdir / "modem_storage.json", storage_slots)
        self.engine = ModemEngine(self.pty.write, self.has, self.sms_path, pin=pin, operator=operator,
                                  report_delay=report_delay, store=self.storage)
        self.engine.set_terminators = self._set_terminators

    def _on_frame(self, frame: bytes) -> None:
        self.engine.on_frame(frame)

    def _set_terminators(self, terminators: bytes) -> None:
        self.pty.terminators = terminators

    # -- life cycle ----------------------------------------------------------------------------
    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.pty.open()

    def stop(self) -> None:
        self.pty.close()

    def endpoint(self) -> dict[str, Any]:
        return self.pty.endpoint()

    # -- faults ------------------------------------------------------------------------------------
    def inject(self, fault: str) -> None:
        super().inject(fault)
        if fault == "pin_locked":
            with self.engine.lock:
                self.engine.fault_cleared("pin_locked")     # the SIM asks for its PIN again

    def clear(self, fault: str | None = None) -> None:
        super().clear(fault)
        with self.engine.lock:
            self.engine.fault_cleared(fault)

    # -- what testers look at --------------------------------------------------------------------
    def sms_log(self) -> list[dict[str, Any]]:
        if not self.sms_path.exists():
            return []
        out = []
        for line in self.sms_path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    log.warning("unreadable line in %s", self.sms_path)
        return out

    def state(self) -> dict[str, Any]:
        st = super().state()
        e = self.engine
        with e.lock:
            rssi, _ = e.csq()
            st.update({
                "sim": e.sim_state(),
                "registration": {0: "not registered", 1: "registered (home)", 2: "searching"}[e.reg_stat()],
                "signal_dbm": None if rssi == 99 else -113 + 2 * rssi,
                "mode": "text" if e.cmgf else "pdu",
                "parts_sent": e.sent_parts,
                "messages": len(self.sms_log()),
                "incomplete_multipart": len(e.pending),
                "storage": f"{self.storage.used()}/{self.storage.capacity}",
            })
        return st


__all__ = ["ModemSim"]
