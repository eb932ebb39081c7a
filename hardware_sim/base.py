"""What every simulator is: a named device that listens on a real transport, holds named
faults, and reports its state. ``hardware_sim.bench`` starts them all around one paper path.
"""

from __future__ import annotations

import abc
import threading
from pathlib import Path
from typing import Any

# The fault catalogue: device -> the faults a tester can inject by name.
FAULTS: dict[str, tuple[str, ...]] = {
    "receipt_printer": ("paper_out", "paper_near_end", "cover_open", "offline"),
    "form_printer": ("paper_out", "jam", "offline"),
    "scanner": ("jam", "double_feed", "cover_open", "unplugged_mid_batch", "offline"),
    "intake": ("jam", "staples_out", "bin_full", "door_open", "offline"),
    "modem": ("no_sim", "pin_locked", "no_network", "weak_signal", "sms_rejected", "offline"),
    "barcode_reader": ("offline",),
}


class UnknownFault(ValueError):
    pass


class Simulator(abc.ABC):
    """A simulated device. Subclasses set ``name`` and implement start/stop/endpoint."""

    name: str = ""

    def __init__(self, workdir: Path) -> None:
        self.workdir = Path(workdir)
        self.faults: set[str] = set()
        self.lock = threading.RLock()

    # -- life cycle ---------------------------------------------------------------------
    @abc.abstractmethod
    def start(self) -> None: ...

    @abc.abstractmethod
    def stop(self) -> None: ...

    @abc.abstractmethod
    def endpoint(self) -> dict[str, Any]:
        """Where the device listens, e.g. {"transport": "tcp", "host": ..., "port": 9100}."""

    # -- faults -------------------------------------------------------------------------
    def inject(self, fault: str) -> None:
        if fault not in FAULTS.get(self.name, ()):
            raise UnknownFault(
                f"{self.name} has no fault {fault!r}; choose one of: {', '.join(FAULTS.get(self.name, ()))}"
            )
        with self.lock:
            self.faults.add(fault)

    def clear(self, fault: str | None = None) -> None:
        with self.lock:
            if fault is None:
                self.faults.clear()
            else:
                self.faults.discard(fault)

    def has(self, fault: str) -> bool:
        with self.lock:
            return fault in self.faults

    def state(self) -> dict[str, Any]:
        """What the test bench shows; subclasses add their own keys."""
        with self.lock:
            return {"device": self.name, "faults": sorted(self.faults), "endpoint": self.endpoint()}
