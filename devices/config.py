"""A driver's settings as its ``from_config`` reads them: their declaration (``settings.toml``
beside this module: key, default, unit, help), the one check of a device's section (the
connection among the driver's choices, no unknown keys) and the defaults of ``SETTINGS``."""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from typing import Any, TypeVar

from devices.errors import DeviceConfigError


@functools.cache
def _declarations() -> dict[str, list[dict[str, Any]]]:
    return tomllib.loads(resources.files("devices").joinpath("settings.toml").read_text(encoding="utf-8"))


def declared(device: str) -> list[dict[str, Any]]:
    """The settings ``device`` (a driver's module name) declares in ``settings.toml``, in order:
    each a dict of ``key``, ``default``, ``unit`` and ``help``."""
    return [dict(s) for s in _declarations()[device]]


def read_settings(device: str, cfg: Mapping[str, Any], settings: Sequence[Mapping[str, Any]],
                  connections: Sequence[str] = ()) -> dict[str, Any]:
    """``cfg`` over the defaults of ``settings``; a :class:`DeviceConfigError` naming the choices for
    an unknown connection (when ``connections`` are given) or an unknown key."""
    values = {s["key"]: cfg.get(s["key"], s["default"]) for s in settings}
    if connections:
        check_connection(device, values.get("connection"), connections)
    unknown = sorted(set(cfg) - set(values))
    if unknown:
        raise DeviceConfigError(f"{device}: unknown setting(s) {', '.join(unknown)}; known: "
                                f"{', '.join(sorted(values))}", device=device)
    return values


def check_connection(device: str, connection: Any, connections: Sequence[str]) -> None:
    """A :class:`DeviceConfigError` naming the choices when ``connection`` is not one of them."""
    if connection not in connections:
        raise DeviceConfigError(f"{device}: unknown connection {connection!r}; choose one of: "
                                f"{', '.join(connections)}", device=device)


T = TypeVar("T")


def build(device: str, make: Callable[[], T]) -> T:
    """``make()``, with a setting of the wrong type or value (``TypeError``/``ValueError`` while
    converting it) reported as a :class:`DeviceConfigError` of ``device``."""
    try:
        return make()
    except (TypeError, ValueError) as err:
        raise DeviceConfigError(f"{device}: bad setting: {err}", device=device) from err
