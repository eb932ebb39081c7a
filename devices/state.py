"""Device states shared by every driver, and the grouped sets the UI asks once.

A driver's ``status()`` returns a :class:`DeviceStatus`: the state, consumables (name -> level
0..100 or a count), and the last error. ``READY_STATES`` answers "can I use it now?".
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class DeviceState(enum.StrEnum):
    READY = "ready"            # online and able to work
    BUSY = "busy"              # working on a job
    WARNING = "warning"        # works, but needs attention soon (paper near end, bin nearly full)
    FAULT = "fault"            # a physical condition stops it (paper out, jam, cover open, ...)
    OFFLINE = "offline"        # does not answer
    UNKNOWN = "unknown"        # not asked yet


READY_STATES = frozenset({DeviceState.READY, DeviceState.WARNING})
OPERATIONAL_STATES = frozenset({DeviceState.READY, DeviceState.WARNING, DeviceState.BUSY})


@dataclass
class DeviceStatus:
    device: str
    state: DeviceState = DeviceState.UNKNOWN
    detail: str = ""                                   # e.g. "paper_near_end", "cover_open"
    consumables: dict[str, Any] = field(default_factory=dict)
    last_error: dict[str, str] | None = None

    @property
    def ready(self) -> bool:
        return self.state in READY_STATES

    def as_dict(self) -> dict[str, Any]:
        return {
            "device": self.device,
            "state": self.state.value,
            "detail": self.detail,
            "consumables": dict(self.consumables),
            "last_error": self.last_error,
        }
