"""``kioskctl`` subcommands that drive the terminal: intake runs, reprints, the archive box,
device checks. Thin shells over :class:`kiosk_app.core.terminal.Terminal`.

``--sim DIR`` (or ``HARDWARE_SIM_DIR``) points every device at a running ``hardware-sim``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from devices.errors import DeviceError
from kiosk_app.cli import args, command, emit
from kiosk_app.core import messages
from kiosk_app.core.config import load_kiosk_config, sim_overrides
from kiosk_app.core.intake import IntakeStopped, Progress
from kiosk_app.core.terminal import Terminal, message_dict

T = TypeVar("T")


def _sim_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--sim", metavar="DIR", default=os.environ.get("HARDWARE_SIM_DIR"),
                   help="use the devices of the hardware-sim running in DIR (default: $HARDWARE_SIM_DIR)")
    p.add_argument("--store", metavar="DIR", help="terminal store folder (overrides store.dir)")
    p.add_argument("--json", action="store_true", help="JSON output")


@contextlib.contextmanager
def open_terminal(ns: argparse.Namespace) -> Iterator[Terminal]:
    """The terminal of ``--config``/``--sim``/``--store``, closed when the block ends."""
    env = dict(os.environ)
    if getattr(ns, "sim", None):
        env.update(sim_overrides(ns.sim))
    if getattr(ns, "store", None):
        env["KIOSK_STORE_DIR"] = ns.store
    t = Terminal(load_kiosk_config(ns.config, env=env))
    try:
        yield t
    finally:
        t.close()


def ask(ns: argparse.Namespace, question: Callable[[Terminal], T]) -> T:
    """Open the terminal, ask it one thing, close it: the answer."""
    with open_terminal(ns) as t:
        return question(t)


def _emit_ok(out: dict[str, Any]) -> int:
    """Print ``out`` as JSON; exit status 0 when it says ``"ok": true``."""
    emit(out, True)
    return 0 if out.get("ok") else 1


def _feed_sim(sim_dir: str, files: list[str]) -> None:
    from hardware_sim.control_client import ControlClient

    ControlClient.for_bench(sim_dir, timeout=10).post("/api/feed", {"files": [str(Path(f).resolve()) for f in files]})


def _print_progress(as_json: bool) -> Any:
    def show(p: Progress) -> None:
        if as_json:
            print(json.dumps({"step": p.step, "sheet": p.sheet, "total": p.total}), file=sys.stderr)
        else:
            print(f"  {p.text('uk')}  /  {p.text('en')}", file=sys.stderr)
    return show


# -- intake -------------------------------------------------------------------------------------
def _intake_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scenario", required=True, metavar="FILE", help="scenario TOML (examples/intake-*.toml)")
    _sim_arg(p)


@command("intake", "Run a whole intake headless (applicant, sheets, choices from a scenario), printing each step",
         "kioskctl intake --scenario examples/intake-basic.toml --sim var/sim")
@args(_intake_args)
def _intake(ns: argparse.Namespace) -> int:
    scenario_path = Path(ns.scenario)
    scenario = tomllib.loads(scenario_path.read_text(encoding="utf-8"))
    sheets = [str((scenario_path.parent / s).resolve()) for s in scenario.get("sheets", [])]
    if sheets:
        if not ns.sim:
            print("kioskctl: the scenario has sheets to feed; give --sim DIR of a running hardware-sim", file=sys.stderr)
            return 2
        _feed_sim(ns.sim, sheets)
        print(f"fed {len(sheets)} sheet(s) into the simulator's tray", file=sys.stderr)
    with open_terminal(ns) as t:
        try:
            applicant = t.validate_applicant(scenario["applicant"])
            print(f"applicant valid ({applicant.identity.type} {applicant.identity.masked()})", file=sys.stderr)
            if scenario.get("print_form"):
                t.print_form(applicant)
                print("pre-filled form printed", file=sys.stderr)
            intake = t.begin_intake(applicant, sms=bool(scenario.get("sms", False)), parent=scenario.get("parent"),
                                    progress=_print_progress(ns.json))
            print(f"number issued: {intake.number.display}", file=sys.stderr)
            try:
                intake.scan()
            except IntakeStopped:
                if scenario.get("cancel_on_fault", True):
                    intake.cancel("scenario: stopped by a fault")
                raise
            result = intake.confirm()
            emit({"ok": True, "result": result.as_dict()}, True)
            sys.stdout.flush()
            if t.ocr_enabled:          # started after the receipt, off the resident's path
                print("adding the OCR text layer (after the receipt)…", file=sys.stderr)
                t.ocr_wait()
                done = result.number.compact if t.ocr_added(result.number.compact) else "none"
                print(f"OCR text layer added to: {done}", file=sys.stderr)
            return 0
        except IntakeStopped as stop:
            emit({"ok": False, "stopped": message_dict(stop.message), "device": stop.device, "code": stop.code,
                  "sheet": stop.sheet, "number": stop.number.display if stop.number else None}, True)
            return 1


@command("ocr", "Add the OCR text layer to appeals still waiting for it (the kiosk does this after each receipt)",
         "kioskctl ocr")
@args(_sim_arg)
def _ocr(ns: argparse.Namespace) -> int:
    with open_terminal(ns) as t:
        if not t.ocr_enabled:
            emit({"ok": False, "reason": "OCR is off (intake.ocr) or Tesseract with ukr+eng is not installed"}, True)
            return 1
        emit({"ok": True, "ocr_added": t.ocr_pending()}, True)
        return 0


@command("reprint", "Print the answer to an appeal on the form printer if it has come; else show its status and deadline "
         "(--receipt: a copy of the receipt instead)", "kioskctl reprint 017-000123-4 --code K7M2Q-9XH4T --sim var/sim")
@args(lambda p: (p.add_argument("number", help="the appeal number, as on the receipt (or the link its QR code holds)"),
                 p.add_argument("--code", help="the receipt's access code: required for the answer or status "
                                "(docs/receipt.md)"),
                 p.add_argument("--receipt", action="store_true", help="print a copy of the receipt (appeals taken here)"),
                 _sim_arg(p)))
def _reprint(ns: argparse.Namespace) -> int:
    from kiosk_app.core.answers import AccessDenied, AccessLocked
    from kiosk_app.core.numbering import NumberError
    with open_terminal(ns) as t:
        if ns.receipt:
            notices = t.reprint_receipt(ns.number)
            emit({"ok": not notices, "printed": None if notices else "receipt",
                  "notices": [message_dict(m) for m in notices]}, True)
            return 0 if not notices else 1
        try:
            found = t.answer(ns.number, ns.code)
        except NumberError as err:
            emit({"ok": False, "error": {"uk": err.uk, "en": err.en}}, True)
            return 1
        except AccessDenied as err:
            locked = isinstance(err, AccessLocked)
            emit({"ok": False, "printed": None, "error": {
                "code": "access_locked" if locked else "access_denied",
                "uk": "забагато невірних кодів, спробуйте пізніше" if locked else "потрібен код доступу з чека",
                "en": "too many wrong codes, try later" if locked else "the receipt's access code is required"}}, True)
            return 1
        out: dict[str, Any] = {"number": found.number.display, "state": found.state,
                               "status_uk": found.words("uk"), "status_en": found.words("en"),
                               "deadline": found.deadline.isoformat() if found.deadline else None,
                               "registration_index": found.registration_index, "source": found.source, "printed": None}
        if found.pdf is not None:
            try:
                t.print_answer(found)
                out["printed"] = "answer"
            except DeviceError as err:
                out["error"] = message_dict(messages.for_error(err, "form_printer"))
        emit({"ok": out["printed"] is not None or found.pdf is None, **out}, True)
        return 0 if "error" not in out else 1


@command("box", "Show the archive box: appeals and sheets in it, and sheets still held in the terminal",
         "kioskctl box --manifest --json")
@args(lambda p: (p.add_argument("--manifest", action="store_true", help="the manifest of the box now in the terminal"),
                 p.add_argument("--empty", metavar="WHO", help="record that WHO emptied the box; prints its final manifest"),
                 _sim_arg(p)))
def _box(ns: argparse.Namespace) -> int:
    manifest = ask(ns, lambda t: t.empty_box(ns.empty) if ns.empty else t.box())
    if ns.json:
        emit(manifest, True)
    else:
        print(f"Архівна скринька № {manifest['box']} / Archive box {manifest['box']} (від / since {manifest['opened_at']})")
        print(f"Звернень / appeals: {manifest['appeals']}, аркушів / sheets: {manifest['sheets']}")
        for e in manifest["entries"]:
            print(f"  {e['document_id']}  {e['sheets']:>3} арк.  {'скріплено' if e['stapled'] else 'не скріплено'}  {e['state']}  {e['at']}")
        if manifest["not_archived"]:
            print("Не в скриньці / not in the box:", ", ".join(manifest["not_archived"]))
    return 0


@command("devices", "Each device's state, consumables and last error", "kioskctl devices --json --sim var/sim")
@args(_sim_arg)
def _devices(ns: argparse.Namespace) -> int:
    status = ask(ns, Terminal.device_status)
    if ns.json:
        emit(status, True)
    else:
        for kind, s in status.items():
            err = f"  last error: {s['last_error']['code']}" if s.get("last_error") else ""
            print(f"{kind:16} {s['state']:8} {s['detail']:18} {s['consumables']}{err}")
    return 0 if all(s["state"] in ("ready", "warning") for s in status.values()) else 1


@command("test-print", "Print a test receipt (and with --form a test page on the form printer)",
         "kioskctl test-print --form --sim var/sim")
@args(lambda p: (p.add_argument("--form", action="store_true", help="also print a pre-filled test form"), _sim_arg(p)))
def _test_print(ns: argparse.Namespace) -> int:
    out: dict[str, Any] = {}
    with open_terminal(ns) as t:
        out["receipt_printer"] = t.test_print()
        if ns.form:
            demo = json.loads(Path(__file__).resolve().parents[1].joinpath("examples/applicant.json").read_text(encoding="utf-8"))
            try:
                job = t.print_form(t.validate_applicant(demo))
                out["form_printer"] = {"job": getattr(job, "job_id", None), "state": getattr(job, "state", None)}
            except DeviceError as err:
                out["form_printer"] = err.as_dict()
    emit(out, True)
    return 1 if any("code" in v for v in out.values()) else 0


@command("test-scan", "Scan what is in the scanner's feeder and report each page (size, labels found)",
         "kioskctl test-scan --sim var/sim")
@args(_sim_arg)
def _test_scan(ns: argparse.Namespace) -> int:
    return _emit_ok(ask(ns, Terminal.test_scan))


@command("modem-check", "Ask the GSM modem: SIM, registration, operator, signal (stop the sync agent first)",
         "kioskctl modem-check --sim var/sim")
@args(_sim_arg)
def _modem_check(ns: argparse.Namespace) -> int:
    return _emit_ok(ask(ns, Terminal.modem_check))


@command("intakes", "Interrupted, abandoned and running intakes with their sheets and void numbers",
         "kioskctl intakes --json")
@args(_sim_arg)
def _intakes(ns: argparse.Namespace) -> int:
    with open_terminal(ns) as t:
        rows = t.intakes()
        emit({"recovered_now": t.recovery.as_dict(), "intakes": rows}, True)
    return 0


@command("verify", "Check the terminal store: every file present and matching its SHA-256, every appeal in the outbox",
         "kioskctl verify --store /var/lib/appeal-terminal")
@args(_sim_arg)
def _verify(ns: argparse.Namespace) -> int:
    problems = ask(ns, Terminal.verify)
    return _emit_ok({"ok": not problems, "problems": problems})
