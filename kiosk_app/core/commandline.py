"""What the terminal's commands (``kioskctl``, ``sync-agent``) share: a registry of subcommands,
each declared once with its help and an example; the ``settings`` subcommand; JSON log lines."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pythonjsonlogger.json

from .settings import Config, ConfigError, Setting, describe

Run = Callable[[argparse.Namespace], int]
AddArgs = Callable[[argparse.ArgumentParser], Any]


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    example: str
    add_args: AddArgs
    run: Run


class Commands(list[Command]):
    """The subcommands of one program, in the order they were declared."""

    def command(self, name: str, help: str, example: str, add_args: AddArgs | None = None) -> Callable[[Run], Run]:
        """Declare a subcommand; its arguments come from ``add_args`` or an ``@args`` below it."""
        def wrap(fn: Run) -> Run:
            self.append(Command(name, help, example, add_args or getattr(fn, "_args", lambda p: None), fn))
            return fn
        return wrap

    def parser(self, prog: str, description: str, example: str, config_help: str) -> argparse.ArgumentParser:
        parser = argparse.ArgumentParser(prog=prog, description=description, epilog=f"Example: {example}",
                                         formatter_class=argparse.RawDescriptionHelpFormatter)
        parser.add_argument("--config", help=config_help)
        parser.add_argument("-v", "--verbose", action="store_true", help="debug logs to stderr")
        sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
        for c in self:
            p = sub.add_parser(c.name, help=c.help, description=c.help, epilog=f"Example: {c.example}")
            c.add_args(p)
            p.set_defaults(_run=c.run)
        return parser


def run(prog: str, ns: argparse.Namespace) -> int:
    """Run the subcommand ``ns`` names; a configuration error is one line on stderr and exit status 2."""
    try:
        return int(ns._run(ns))
    except ConfigError as err:
        print(f"{prog}: configuration error: {err}", file=sys.stderr)
        return 2


def args(adder: AddArgs) -> Callable[[Run], Run]:
    """Attach the arguments of the subcommand declared above it with ``@commands.command``."""
    def wrap(fn: Run) -> Run:
        fn._args = adder  # type: ignore[attr-defined]
        return fn
    return wrap


def settings_markdown(rows: list[dict[str, Any]]) -> str:
    """A Markdown table of settings: key, default, unit, environment variable, help."""
    out = ["| key | default | unit | environment | what it is |", "|---|---|---|---|---|"]
    for r in rows:
        default = json.dumps(r["default"], ensure_ascii=False)
        choices = f" One of: {', '.join(map(str, r['choices']))}." if r.get("choices") else ""
        out.append(f"| `{r['key']}` | `{default}` | {r['unit']} | `{r['env']}` | {r['help']}{choices} |")
    return "\n".join(out)


def add_settings_command(commands: Commands, prog: str, default_file: str, schema: Callable[[], Iterable[Setting]],
                         env_prefix: str, load: Callable[[str], Config]) -> None:
    """The ``settings`` subcommand: list every setting, check a file, or print the Markdown table."""
    def add(p: argparse.ArgumentParser) -> None:
        p.add_argument("--check", metavar="FILE", help="validate this configuration file and print the values")
        p.add_argument("--json", action="store_true", help="JSON output")
        p.add_argument("--markdown", action="store_true", help="a Markdown table (docs/configuration.md is made of them)")

    def run(ns: argparse.Namespace) -> int:
        if ns.check:
            cfg = load(ns.check)
            print(json.dumps({"source": cfg.source, "values": cfg.as_dict()}, ensure_ascii=False, indent=2, default=str))
            return 0
        rows = describe(schema(), env_prefix)
        if ns.markdown:
            print(settings_markdown(rows))
        elif ns.json:
            print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        else:
            for r in rows:
                unit = f" {r['unit']}" if r["unit"] else ""
                print(f"{r['key']} = {r['default']!r}{unit}  ({r['env']})\n    {r['help']}")
        return 0

    commands.command("settings", "List every setting with its default, unit, environment name and help; or check a file",
                     f"{prog} settings --check {default_file}", add)(run)


class JsonFormatter(pythonjsonlogger.json.JsonFormatter):
    """One JSON object per log line (journald keeps them): ``t``, ``level``, ``logger``, ``msg``, the
    extra fields of a record, ``exc`` for a traceback (python-json-logger)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s", datefmt="%Y-%m-%dT%H:%M:%S",
                         rename_fields={"asctime": "t", "levelname": "level", "name": "logger", "message": "msg",
                                        "exc_info": "exc"},
                         json_ensure_ascii=False, json_default=str)


def setup_logging(level: str | int) -> None:
    """Handlers are configured only here, in entry points."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
