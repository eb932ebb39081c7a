"""``kioskctl provision``: first-boot configuration of a terminal (logic in :mod:`kiosk_app.provision`)."""

from __future__ import annotations

import argparse
import sys

from kiosk_app.cli import args, command, emit
from kiosk_app.provision import (
    DEFAULT_ETC,
    ProvisionError,
    ask_answers,
    parse_answers,
    provision,
    read_answers_file,
)


def _provision_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="answers", metavar="FILE",
                   help="the answers in a TOML or JSON file (keys: terminal_code, address, server_url, token or "
                        "token_file; optional name, drop_dir, verify_tls, form_printer (the printer's ipp:// URI: a driverless "
                        "CUPS queue is made for it), cups_server); without it, each is asked")
    p.add_argument("--etc", default=str(DEFAULT_ETC), metavar="DIR",
                   help=f"where kiosk.toml, sync-agent.toml and server-token are written (default {DEFAULT_ETC})")
    p.add_argument("--json", action="store_true", help="JSON output")


@command("provision",
         "First boot: check the terminal code, address, server and credential (by connecting), write the configuration",
         "kioskctl provision --from /root/terminal-017.toml")
@args(_provision_args)
def _provision(ns: argparse.Namespace) -> int:
    try:
        answers = parse_answers(read_answers_file(ns.answers)) if ns.answers else ask_answers(
            say=lambda text: print(text, file=sys.stderr))
    except ProvisionError as err:
        _fail(err, ns.json)
        return 2
    except (EOFError, KeyboardInterrupt):
        print("\nkioskctl provision: перервано, нічого не записано / interrupted, nothing written", file=sys.stderr)
        return 2
    try:
        result = provision(answers, ns.etc)
    except ProvisionError as err:
        _fail(err, ns.json)
        return 1
    except OSError as err:
        print(f"kioskctl provision: не вдається записати / cannot write: {err}", file=sys.stderr)
        return 1
    lines = [f"Термінал {answers.code3} налаштовано / terminal {answers.code3} configured",
             f"  сервер / server: {result.server['url']} (облікові дані прийнято / credential accepted)"]
    if result.form_printer:
        lines.append(f"  принтер бланків / form printer: {result.form_printer['device_uri']} -> "
                     f"{result.form_printer['queue']} (CUPS)")
    lines += [f"  {path} ({mode})" for path, mode in result.files.items()]
    lines.append("Далі / next: systemctl restart appeal-sync-agent appeal-kiosk")
    emit(result.as_dict(), ns.json, "\n".join(lines))
    return 0


def _fail(err: ProvisionError, as_json: bool) -> None:
    if as_json:
        emit({"ok": False, "error": err.as_dict()}, True)
    print(f"kioskctl provision: {err.field}: {err.uk} / {err.en}", file=sys.stderr)
