"""``kioskctl``: the technician's and tester's command, a thin shell over ``kiosk_app.core``.

Each subcommand is declared once in ``COMMANDS`` with its help and an example (docs/technicians.md
lists them all; a test checks that). Exit status: 0 done, 1 the check or action failed, 2 usage or
configuration error. ``--json`` output is for scripts.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk_app.core import applicant as applicant_mod
from kiosk_app.core.config import ENV_PREFIX, load_kiosk_config, schema
from kiosk_app.core.settings import ConfigError, describe


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    example: str
    add_args: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


COMMANDS: list[Command] = []


def command(name: str, help: str, example: str) -> Callable[[Callable[[argparse.Namespace], int]], Callable[[argparse.Namespace], int]]:
    def wrap(fn: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
        adder = getattr(fn, "_args", lambda p: None)
        COMMANDS.append(Command(name, help, example, adder, fn))
        return fn

    return wrap


def args(adder: Callable[[argparse.ArgumentParser], None]) -> Callable[[Callable[..., int]], Callable[..., int]]:
    def wrap(fn: Callable[..., int]) -> Callable[..., int]:
        fn._args = adder  # type: ignore[attr-defined]
        return fn

    return wrap


def emit(data: Any, as_json: bool, text: str | None = None) -> None:
    if as_json:
        print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        print(text if text is not None else json.dumps(data, ensure_ascii=False, indent=2, default=str))


# -- check-applicant -------------------------------------------------------------------------
@command(
    "check-applicant",
    "Validate an applicant record (JSON file) and print it normalised, or every field error",
    "kioskctl check-applicant --json examples/applicant.json",
)
@args(lambda p: p.add_argument("--json", dest="file", required=True, metavar="FILE", help="JSON object with the applicant's fields ('-' for standard input)"))
def _check_applicant(ns: argparse.Namespace) -> int:
    try:
        raw = sys.stdin.read() if ns.file == "-" else Path(ns.file).read_text(encoding="utf-8")
    except OSError as err:
        print(f"kioskctl: cannot read {ns.file}: {err.strerror}", file=sys.stderr)
        return 2
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as err:
        emit({"ok": False, "errors": [{"field": "*", "uk": f"Файл не є JSON: {err.msg}", "en": f"Not JSON: {err.msg} (line {err.lineno})"}]}, True)
        return 1
    try:
        result = applicant_mod.validate(data)
    except applicant_mod.ApplicantInvalid as err:
        emit({"ok": False, "errors": [e.as_dict() for e in err.errors]}, True)
        return 1
    emit({"ok": True, "applicant": result.as_dict()}, True)
    return 0


# -- settings --------------------------------------------------------------------------------
@command("settings", "List every setting with its default, unit, environment name and help; or check a file",
         "kioskctl settings --check /etc/appeal-terminal/kiosk.toml")
@args(lambda p: (p.add_argument("--check", metavar="FILE", help="validate this configuration file and print the values"),
                 p.add_argument("--json", action="store_true", help="JSON output"),
                 p.add_argument("--markdown", action="store_true", help="a Markdown table (docs/configuration.md is made with it)")))
def _settings(ns: argparse.Namespace) -> int:
    if ns.markdown:
        print(settings_markdown(describe(schema(), ENV_PREFIX)))
        return 0
    if ns.check:
        cfg = load_kiosk_config(ns.check)
        emit({"source": cfg.source, "values": cfg.as_dict()}, True)
        return 0
    rows = describe(schema(), ENV_PREFIX)
    if ns.json:
        emit(rows, True)
    else:
        for r in rows:
            unit = f" {r['unit']}" if r["unit"] else ""
            print(f"{r['key']} = {r['default']!r}{unit}  ({r['env']})\n    {r['help']}")
    return 0


def settings_markdown(rows: list[dict[str, Any]]) -> str:
    """A Markdown table of settings: key, default, unit, environment variable, help."""
    out = ["| key | default | unit | environment | what it is |", "|---|---|---|---|---|"]
    for r in rows:
        default = json.dumps(r["default"], ensure_ascii=False)
        choices = f" One of: {', '.join(map(str, r['choices']))}." if r.get("choices") else ""
        out.append(f"| `{r['key']}` | `{default}` | {r['unit']} | `{r['env']}` | {r['help']}{choices} |")
    return "\n".join(out)


def _load_extra_commands() -> None:
    """Subcommands that live beside their subject (devices, intake, ...) register themselves."""
    import importlib

    for module in ("kiosk_app.commands", "kiosk_app.ui_commands", "kiosk_app.provision_commands"):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as err:
            if err.name != module:
                raise


def build_parser() -> argparse.ArgumentParser:
    _load_extra_commands()
    parser = argparse.ArgumentParser(
        prog="kioskctl",
        description="The appeal terminal's technician and tester command.",
        epilog="Example: kioskctl check-applicant --json examples/applicant.json",
    )
    parser.add_argument("--config", help="configuration file (default: $KIOSK_CONFIG or /etc/appeal-terminal/kiosk.toml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logs to stderr")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for c in COMMANDS:
        p = sub.add_parser(c.name, help=c.help, description=c.help, epilog=f"Example: {c.example}")
        c.add_args(p)
        p.set_defaults(_run=c.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    ns = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if ns.verbose else logging.WARNING,
                        format='{"t":"%(asctime)s","level":"%(levelname)s","logger":"%(name)s","msg":%(message)r}',
                        stream=sys.stderr)
    try:
        return int(ns._run(ns))
    except ConfigError as err:
        print(f"kioskctl: configuration error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    # Run through the package module so that subcommands registered by kiosk_app.commands
    # land in the same COMMANDS list (python -m would otherwise load this file twice).
    from kiosk_app.cli import main as _main

    sys.exit(_main())
