"""The terminal's devices, opened from configuration through each driver's ``from_config``.

Drivers are built on first use, so a missing or faulty device never stops the terminal from
starting: it shows as offline and the flows that need it say so. :meth:`DeviceSet.status_all`
is what the technician's view shows; :meth:`DeviceSet.publish` writes it to
``<store.dir>/device-status.json`` for the sync agent's heartbeat.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import logging
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from devices.errors import DeviceError
from devices.state import DeviceState, DeviceStatus

from .config import DEVICE_MODULES

log = logging.getLogger(__name__)


class _Driver:
    """``devices.scanner`` is ``devices.get("scanner")``: the driver of the kind the attribute names."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.kind = name

    def __get__(self, devices: DeviceSet | None, owner: type | None = None) -> Any:
        return self if devices is None else devices.get(self.kind)


class DeviceSet:
    def __init__(self, sections: Mapping[str, Mapping[str, Any]]) -> None:
        """``sections``: device kind -> its driver configuration (``cfg.section("devices.<kind>")``)."""
        self.sections = {k: dict(v) for k, v in sections.items()}
        self._drivers: dict[str, Any] = {}
        self._lock = threading.RLock()

    @classmethod
    def from_config(cls, cfg: Any) -> DeviceSet:
        return cls({kind: cfg.section(f"devices.{kind}") for kind in DEVICE_MODULES})

    def get(self, kind: str) -> Any:
        with self._lock:
            if kind not in self._drivers:
                module = importlib.import_module(DEVICE_MODULES[kind])
                self._drivers[kind] = module.from_config(self.sections.get(kind, {}))
            return self._drivers[kind]

    receipt_printer = _Driver()
    form_printer = _Driver()
    scanner = _Driver()
    intake = _Driver()
    barcode_reader = _Driver()

    def status_all(self, kinds: tuple[str, ...] | None = None) -> dict[str, DeviceStatus]:
        """Ask each device; never raises. The modem belongs to the sync agent and is not asked."""
        out: dict[str, DeviceStatus] = {}
        for kind in kinds or tuple(k for k in DEVICE_MODULES if k != "modem"):
            try:
                out[kind] = self.get(kind).status()
            except DeviceError as err:
                out[kind] = DeviceStatus(kind, DeviceState.OFFLINE, err.code, last_error=err.as_dict())
            except Exception as err:  # a driver bug must not take the terminal down
                log.exception("status of %s failed", kind)
                out[kind] = DeviceStatus(kind, DeviceState.UNKNOWN, "error",
                                         last_error={"device": kind, "code": "internal", "message": str(err)})
        return out

    def publish(self, path: Path, statuses: Mapping[str, DeviceStatus]) -> None:
        """Write the statuses atomically for the sync agent (no personal data in it)."""
        data = {
            "updated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "devices": {k: s.as_dict() for k, s in statuses.items()},
        }
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, path)

    def close(self) -> None:
        with self._lock:
            for d in self._drivers.values():
                try:
                    d.close()
                except Exception:
                    log.exception("closing a driver failed")
            self._drivers.clear()
