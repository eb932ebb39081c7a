"""A driver's settings as its ``from_config`` reads them: the one check of a device's section
(the connection among the driver's choices, no unknown keys) and the defaults of ``SETTINGS``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from devices.errors import DeviceConfigError


def read_settings(device: str, cfg: Mapping[str, Any], settings: Sequence[Mapping[str, Any]],
                  connections: Sequence[str] = ()) -> dict[str, Any]:
    """``cfg`` over the defaults of ``settings``; a :class:`DeviceConfigError` naming the choices for
    an unknown connection (when ``connections`` are given) or an unknown key."""
    values = {s["key"]: cfg.get(s["key"], s["default"]) for s in settings}
    if connections and values.get("connection") not in connections:
        raise DeviceConfigError(f"{device}: unknown connection {values.get('connection')!r}; choose one of: "
                                f"{', '.join(connections)}", device=device)
    unknown = sorted(set(cfg) - set(values))
    if unknown:
        raise DeviceConfigError(f"{device}: unknown setting(s) {', '.join(unknown)}; known: "
                                f"{', '.join(sorted(values))}", device=device)
    return values
