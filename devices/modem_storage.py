"""Store-then-send for the modem driver: exactly-once SMS across crashes (3GPP TS 27.005).

A sender that may be killed at any moment cannot know whether a plain ``AT+CMGS`` went out.
Instead each part is written to the modem's storage (``AT+CMGW``, which answers an index), the
caller records the indexes, then sends from storage (``AT+CMSS``). After a crash the caller asks
each slot (``AT+CMGR``): ``STO UNSENT`` (stat 2) still to send, ``STO SENT`` (3) went already.
``AT+CMGD`` frees the slot. Used by ``sync_agent.sms.SmsSender`` through this interface::

    indexes = modem.store_sms(number, text)     # [3, 4, 5]: one slot per part, in order
    modem.stored_state(3)                       # "unsent" | "sent" | None (empty slot)
    modem.send_stored(3)                        # the message reference (+CMSS: <mr>)
    modem.delete_stored(3)
    modem.list_stored(2)                        # slots still unsent (reclaiming after a crash)

The storage (``storage`` setting, default ``SM``, the SIM) is selected with ``AT+CPMS`` for
reading, writing and receiving, so that an index means the same slot to every command.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

from devices.errors import DeviceError, DeviceProtocolError
from devices.modem_at import ATChannel
from devices.sms_pdu import PduError, describe_submit, encode_submit, mask_number

log = logging.getLogger("devices.modem")


class StoredSms:
    """Mixed into :class:`devices.modem.GsmModem`, which provides the rest."""

    device: str
    settings: dict[str, Any]
    _lock: threading.RLock
    _concat: Iterator[int]
    _storage_selected: bool

    # provided by GsmModem
    def open(self) -> None: ...
    def _unlock_sim(self) -> None: ...
    def _require_network(self) -> None: ...
    def _channel(self) -> ATChannel: ...
    def _cmd(self, cmd: str, timeout: float | None = None) -> list[str]: ...
    def _guarded(self, fn: Callable[..., Any], *args: Any) -> Any: ...

    def _ready_storage(self) -> None:
        self.open()
        self._unlock_sim()
        if not self._storage_selected:
            mem = str(self.settings["storage"])
            self._cmd(f'AT+CPMS="{mem}","{mem}","{mem}"')
            self._storage_selected = True

    # -- the interface ------------------------------------------------------------------------------
    def store_sms(self, number: str, text: str) -> list[int]:
        """Write every part to storage, unsent; the slot indexes in part order. If a later part
        cannot be stored the earlier ones are deleted again, so nothing half-stored is left."""
        ref16 = bool(self.settings["concat_16bit"])
        try:
            parts = encode_submit(number, text, reference=next(self._concat) & (0xFFFF if ref16 else 0xFF),
                                  ref16=ref16, status_report=bool(self.settings["status_reports"]))
        except PduError as err:
            raise PduError(f"cannot store an SMS to {mask_number(number)}: {err}") from err
        return list(self._guarded(self._store, parts, number))

    def _store(self, parts: list[Any], number: str) -> list[int]:
        self._ready_storage()
        at = self._channel()
        indexes: list[int] = []
        try:
            for part in parts:
                lines = at.send_with_prompt(f"AT+CMGW={part.tpdu_length}", part.pdu.encode("ascii"),
                                            describe_submit(part, number),
                                            timeout=float(self.settings["command_timeout"]) * 3,
                                            prompt_timeout=float(self.settings["command_timeout"]))
                index = _number_after("+CMGW:", lines)
                if index is None:
                    raise DeviceProtocolError("no +CMGW index after storing a part", device=self.device)
                indexes.append(index)
        except DeviceError:
            for index in indexes:
                try:
                    self._cmd(f"AT+CMGD={index}")
                except DeviceError as err:
                    log.warning("could not delete half-stored part at %d: %s", index, err)
            raise
        log.info("SMS to %s stored at %s (%d part(s))", mask_number(number), indexes, len(parts))
        return indexes

    def stored_state(self, index: int) -> str | None:
        """"unsent" (STO UNSENT), "sent" (STO SENT), "received" (a message the modem received) or
        None when the slot is empty."""
        return self._guarded(self._stored_state, int(index))  # type: ignore[no-any-return]

    def _stored_state(self, index: int) -> str | None:
        self._ready_storage()
        try:
            lines = self._cmd(f"AT+CMGR={index}")
        except DeviceError as err:
            if getattr(err, "number", None) == 321:     # invalid memory index: nothing there
                return None
            raise
        for line in lines:
            m = re.match(r'\+CMGR: ?(?:(\d)|"([A-Z ]+)")', line)
            if m:
                stat = int(m.group(1)) if m.group(1) else {"STO UNSENT": 2, "STO SENT": 3}.get(m.group(2), 0)
                return {2: "unsent", 3: "sent"}.get(stat, "received")
        return None                                       # OK without +CMGR: an empty slot

    def send_stored(self, index: int) -> int:
        """Send the message in slot ``index``; its message reference (TP-MR)."""
        return int(self._guarded(self._send_stored, int(index)))

    def _send_stored(self, index: int) -> int:
        self._ready_storage()
        self._require_network()
        lines = self._cmd(f"AT+CMSS={index}", float(self.settings["send_timeout"]))
        mr = _number_after("+CMSS:", lines)
        if mr is None:
            raise DeviceProtocolError("no +CMSS reference after sending from storage", device=self.device)
        log.info("stored SMS at %d sent, reference %d", index, mr)
        return mr

    def list_stored(self, stat: int = 2) -> list[int]:
        """Indexes of the stored messages with ``stat`` (2 STO UNSENT, 3 STO SENT, 4 all):
        ``AT+CMGL=<stat>``. Lets the sender reclaim slots a crash left behind."""
        return list(self._guarded(self._list_stored, int(stat)))

    def _list_stored(self, stat: int) -> list[int]:
        self._ready_storage()
        return [int(m.group(1)) for line in self._cmd(f"AT+CMGL={stat}") if (m := re.match(r"\+CMGL: ?(\d+)", line))]

    def delete_stored(self, index: int) -> None:
        self._guarded(self._delete_stored, int(index))

    def _delete_stored(self, index: int) -> None:
        self._ready_storage()
        self._cmd(f"AT+CMGD={index}")


def _number_after(prefix: str, lines: list[str]) -> int | None:
    for line in lines:
        m = re.match(re.escape(prefix) + r" ?(\d+)", line)
        if m:
            return int(m.group(1))
    return None
