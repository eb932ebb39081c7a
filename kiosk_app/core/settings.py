"""Settings: every setting declared once with its default, unit and help; one TOML file per
process; environment overrides for tests; validated at start.

A process declares its settings as a list of :class:`Setting` and calls :func:`load`. A bad file
or value raises :class:`ConfigError`, whose message is one line naming the file, the key and
what is wrong; entry points print it and exit with status 2.

Keys are dotted (``store.dir``) and map to TOML tables (``[store] dir = ...``). The environment
overrides a key with ``<PREFIX>_<KEY>``, dots and dashes turned into underscores, upper case
(``KIOSK_STORE_DIR``).
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """A configuration problem; ``str()`` is one line: file, key, what is wrong."""


_TYPES: dict[str, type | tuple[type, ...]] = {
    "str": str,
    "int": int,
    "float": (int, float),
    "bool": bool,
    "path": str,
    "list": list,
}


@dataclass(frozen=True)
class Setting:
    key: str
    default: Any
    type: str = "str"                       # str | int | float | bool | path | list
    unit: str = ""
    help: str = ""
    choices: tuple[Any, ...] | None = None
    min: float | None = None
    max: float | None = None
    check: Callable[[Any], str | None] | None = field(default=None, compare=False)

    def env_name(self, prefix: str) -> str:
        return f"{prefix}_{self.key}".upper().replace(".", "_").replace("-", "_")

    def coerce_env(self, raw: str) -> Any:
        if self.type == "bool":
            low = raw.strip().lower()
            if low in ("1", "true", "yes", "on"):
                return True
            if low in ("0", "false", "no", "off"):
                return False
            raise ValueError("expected true or false")
        if self.type == "int":
            return int(raw)
        if self.type == "float":
            return float(raw)
        if self.type == "list":
            return [item.strip() for item in raw.split(",") if item.strip()]
        return raw

    def validate(self, value: Any) -> str | None:
        """Return what is wrong with ``value``, or None."""
        expected = _TYPES[self.type]
        if self.type in ("int", "float") and isinstance(value, bool):
            return f"expected a number, got {value!r}"
        if not isinstance(value, expected):
            return f"expected {self.type}, got {type(value).__name__} {value!r}"
        if self.choices is not None and value not in self.choices:
            return f"must be one of {', '.join(map(str, self.choices))}, got {value!r}"
        if self.min is not None and value < self.min:
            return f"must be at least {self.min}{self.unit and ' ' + self.unit}, got {value!r}"
        if self.max is not None and value > self.max:
            return f"must be at most {self.max}{self.unit and ' ' + self.unit}, got {value!r}"
        if self.check is not None:
            return self.check(value)
        return None


class Config(Mapping[str, Any]):
    """The validated settings of one process: ``cfg["store.dir"]``, ``cfg.section("server")``."""

    def __init__(self, values: dict[str, Any], source: str) -> None:
        self._values = values
        self.source = source

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def section(self, prefix: str) -> dict[str, Any]:
        """The settings under ``prefix.`` with the prefix removed (e.g. a device's driver config)."""
        cut = len(prefix) + 1
        return {k[cut:]: v for k, v in self._values.items() if k.startswith(prefix + ".")}

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in table.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


def load(
    schema: Iterable[Setting],
    path: str | Path | None,
    *,
    env_prefix: str,
    env: Mapping[str, str] | None = None,
    required_file: bool = False,
) -> Config:
    """Defaults, then the TOML file (if given and present), then the environment."""
    env = os.environ if env is None else env
    settings = {s.key: s for s in schema}
    values = {k: s.default for k, s in settings.items()}
    source = "built-in defaults"
    if path is not None:
        p = Path(path)
        if p.exists():
            source = str(p)
            try:
                data = tomllib.loads(p.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
                raise ConfigError(f"{p}: not valid TOML: {err}") from err
            for key, value in _flatten(data).items():
                if key not in settings:
                    near = difflib.get_close_matches(key, settings, n=1)
                    hint = f" (did you mean {near[0]}?)" if near else ""
                    raise ConfigError(f"{p}: {key}: unknown setting{hint}")
                values[key] = value
        elif required_file:
            raise ConfigError(f"{p}: the configuration file does not exist")
    for key, s in settings.items():
        name = s.env_name(env_prefix)
        if name in env:
            try:
                values[key] = s.coerce_env(env[name])
            except ValueError as err:
                raise ConfigError(f"environment {name}: {key}: {err}") from err
    for key, s in settings.items():
        problem = s.validate(values[key])
        if problem:
            where = source if source != "built-in defaults" else "defaults"
            raise ConfigError(f"{where}: {key}: {problem}")
    return Config(values, source)


def describe(schema: Iterable[Setting], env_prefix: str) -> list[dict[str, Any]]:
    """The schema as rows for docs and ``--help-settings``."""
    return [
        {
            "key": s.key,
            "default": s.default,
            "type": s.type,
            "unit": s.unit,
            "help": s.help,
            "env": s.env_name(env_prefix),
            "choices": list(s.choices) if s.choices else None,
        }
        for s in schema
    ]


def from_driver_settings(prefix: str, rows: Iterable[Mapping[str, Any]]) -> list[Setting]:
    """Turn a driver module's ``SETTINGS`` rows (key, default, unit, help) into Settings under
    ``prefix`` (e.g. ``devices.receipt_printer``). Types come from the defaults."""
    out = []
    for row in rows:
        default = row.get("default")
        kind = {bool: "bool", int: "int", float: "float", list: "list"}.get(type(default), "str")
        if default is None:
            default = ""
        out.append(
            Setting(
                key=f"{prefix}.{row['key']}",
                default=default,
                type=row.get("type", kind),
                unit=row.get("unit", ""),
                help=row.get("help", ""),
                choices=tuple(row["choices"]) if row.get("choices") else None,
            )
        )
    return out
