"""The simulated modem's message storage (the SIM's SMS slots) and its commands (3GPP TS 27.005):
``AT+CPMS`` (pick storage), ``AT+CMGW`` (write a message to storage, with the ``> `` prompt),
``AT+CMSS`` (send one from storage), ``AT+CMGR`` (read one), ``AT+CMGL`` (list), ``AT+CMGD``
(delete). This is what lets a sender be exactly-once across crashes: store, record the index,
ask the slot whether it went (``STO UNSENT`` 2 / ``STO SENT`` 3), send from storage.

The slots live in ``<workdir>/modem_storage.json`` so that, like a SIM, they outlive a restart of
the simulator. Slots are numbered from 1; ``SM``, ``ME`` and ``MT`` are accepted by ``AT+CPMS``
and name the same slots. A message written in text mode has no PDU: it can be read back in text
mode only (PDU mode answers ``+CMS ERROR: 303``).
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from hardware_sim.modem_lines import CommandError

STAT_NAMES = {0: "REC UNREAD", 1: "REC READ", 2: "STO UNSENT", 3: "STO SENT", 4: "ALL"}
STAT_CODES = {v: k for k, v in STAT_NAMES.items()}
MEMORIES = ("SM", "ME", "MT")


class MessageStore:
    def __init__(self, path: Path, capacity: int = 50) -> None:
        self.path = path
        self.capacity = capacity
        self.lock = threading.RLock()
        self.slots: dict[int, dict[str, Any]] = {}
        if path.exists():
            try:
                self.slots = {int(k): v for k, v in json.loads(path.read_text(encoding="utf-8")).items()}
            except (ValueError, OSError):
                self.slots = {}

    def _save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.slots, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.path)

    def write(self, entry: dict[str, Any]) -> int:
        with self.lock:
            free = next((i for i in range(1, self.capacity + 1) if i not in self.slots), None)
            if free is None:
                raise CommandError("CMS", 322)          # memory full
            self.slots[free] = entry
            self._save()
            return free

    def get(self, index: int) -> dict[str, Any] | None:
        if not 1 <= index <= self.capacity:
            raise CommandError("CMS", 321)              # invalid memory index
        with self.lock:
            return self.slots.get(index)

    def mark_sent(self, index: int) -> None:
        with self.lock:
            self.slots[index]["stat"] = 3
            self._save()

    def delete(self, index: int, flag: int = 0) -> None:
        with self.lock:
            if flag == 0:
                if not 1 <= index <= self.capacity:
                    raise CommandError("CMS", 321)
                self.slots.pop(index, None)
            else:                                        # 1 read, 2 +sent, 3 +unsent, 4 all
                doomed = {1: {1}, 2: {1, 3}, 3: {1, 2, 3}, 4: {0, 1, 2, 3}}.get(flag)
                if doomed is None:
                    raise CommandError("CMS", 302)
                self.slots = {i: e for i, e in self.slots.items() if e["stat"] not in doomed}
            self._save()

    def used(self) -> int:
        with self.lock:
            return len(self.slots)


class StorageCommands:
    """Mixed into :class:`hardware_sim.modem_engine.ModemEngine` (which provides the rest)."""

    store: MessageStore
    cmgf: int
    cscs: str
    mems: list[str]

    def _need_sim(self, kind: str = "CME") -> None: ...            # provided by the engine
    def _open_prompt(self, purpose: str, a: list[str]) -> None: ...
    def _deliver(self, msg: dict[str, Any]) -> int: ...
    def _encode_chars(self, text: str) -> str: ...

    def _x_cpms(self, mode: str, a: list[str], raw: str) -> list[str]:
        self._need_sim("CMS")
        used, cap = self.store.used(), self.store.capacity
        if mode == "test":
            return ['+CPMS: ("SM","ME","MT"),("SM","ME","MT"),("SM","ME","MT")']
        if mode == "read":
            return ["+CPMS: " + ",".join(f'"{m}",{used},{cap}' for m in self.mems)]
        if mode == "set" and a and all(m.upper() in MEMORIES for m in a[:3] if m):
            for i, m in enumerate(a[:3]):
                if m:
                    self.mems[i] = m.upper()
            return [f"+CPMS: {used},{cap},{used},{cap},{used},{cap}"]
        raise CommandError("CMS", 302)

    def _x_cmgw(self, mode: str, a: list[str], raw: str) -> list[str] | None:
        if mode == "test":
            return []
        self._need_sim("CMS")
        if self.cmgf == 0 and (mode != "set" or not a):
            raise CommandError("CMS", 304)
        self._open_prompt("write", a if mode == "set" else [])
        return None

    def _index(self, mode: str, a: list[str]) -> int:
        """The storage index a set command names (+CMS ERROR 302 without one; 310 without a SIM)."""
        if mode != "set" or not a or not a[0].isdigit():
            raise CommandError("CMS", 302)
        self._need_sim("CMS")
        return int(a[0])

    def _stored(self, mode: str, a: list[str]) -> tuple[int, dict[str, Any]]:
        """The index and the message stored there (+CMS ERROR 321 for an empty slot)."""
        index = self._index(mode, a)
        entry = self.store.get(index)
        if entry is None:
            raise CommandError("CMS", 321)
        return index, entry

    def _x_cmss(self, mode: str, a: list[str], raw: str) -> list[str]:
        if mode == "test":
            return []
        index, entry = self._stored(mode, a)
        if entry["stat"] not in (2, 3):
            raise CommandError("CMS", 302)              # a received message cannot be sent
        msg = dict(entry)
        if len(a) > 1 and a[1]:
            msg["to"] = a[1]                             # 27.005: <da> overrides the stored address
        mr = self._deliver(msg)
        self.store.mark_sent(index)
        return [f"+CMSS: {mr}"]

    def _x_cmgr(self, mode: str, a: list[str], raw: str) -> list[str]:
        if mode == "test":
            return []
        return self._show(None, self._stored(mode, a)[1])

    def _x_cmgl(self, mode: str, a: list[str], raw: str) -> list[str]:
        self._need_sim("CMS")
        if mode == "test":
            return ["+CMGL: (0-4)"] if self.cmgf == 0 else \
                ['+CMGL: ("REC UNREAD","REC READ","STO UNSENT","STO SENT","ALL")']
        want = a[0] if a else ("4" if self.cmgf == 0 else "ALL")
        stat = int(want) if want.isdigit() else STAT_CODES.get(want.upper(), -1)
        if stat not in STAT_NAMES:
            raise CommandError("CMS", 302)
        out: list[str] = []
        with self.store.lock:
            items = sorted(self.store.slots.items())
        for index, entry in items:
            if stat == 4 or entry["stat"] == stat:
                out.extend(self._show(index, entry))
        return out

    def _x_cmgd(self, mode: str, a: list[str], raw: str) -> list[str]:
        if mode == "test":
            return [f"+CMGD: (1-{self.store.capacity}),(0-4)"]
        index = self._index(mode, a)
        flag = int(a[1]) if len(a) > 1 and a[1].isdigit() else 0
        self.store.delete(index, flag)
        return []

    def _show(self, index: int | None, entry: dict[str, Any]) -> list[str]:
        """+CMGR (index None) or +CMGL lines for one slot, in the current message format."""
        head = "+CMGR: " if index is None else f"+CMGL: {index},"
        if self.cmgf == 0:
            if not entry.get("pdu"):
                raise CommandError("CMS", 303)          # written in text mode: no PDU to show
            pdu = entry["pdu"]
            length = len(pdu) // 2 - 1 - int(pdu[:2], 16)
            return [f"{head}{entry['stat']},,{length}", pdu]
        return [f'{head}"{STAT_NAMES[entry["stat"]]}","{entry["to"]}",,', self._encode_chars(entry["text"])]
