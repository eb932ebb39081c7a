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
from pathlib import Path
from typing import Any

from kiosk_app.core import applicant as applicant_mod
from kiosk_app.core.commandline import Commands, add_settings_command, args, run, setup_logging
from kiosk_app.core.config import ENV_PREFIX, load_kiosk_config, schema

COMMANDS = Commands()
command = COMMANDS.command


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
add_settings_command(COMMANDS, "kioskctl", "/etc/appeal-terminal/kiosk.toml", schema, ENV_PREFIX, load_kiosk_config)


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
    return COMMANDS.parser("kioskctl", "The appeal terminal's technician and tester command.",
                           "kioskctl check-applicant --json examples/applicant.json",
                           "configuration file (default: $KIOSK_CONFIG or /etc/appeal-terminal/kiosk.toml)")


def main(argv: list[str] | None = None) -> int:
    ns = build_parser().parse_args(argv)
    setup_logging(logging.DEBUG if ns.verbose else logging.WARNING)
    return run("kioskctl", ns)


if __name__ == "__main__":
    # Run through the package module so that subcommands registered by kiosk_app.commands
    # land in the same COMMANDS list (python -m would otherwise load this file twice).
    from kiosk_app.cli import main as _main

    sys.exit(_main())
