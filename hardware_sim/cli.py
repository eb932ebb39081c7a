"""``hardware-sim``: run the simulated terminal hardware, and drive it from a shell.

    hardware-sim start --dir var/sim            # in the background; prints where each device is
    hardware-sim start --foreground             # attached; Ctrl-C / SIGTERM stops everything
    hardware-sim fault modem no_sim             # inject a fault; `clear` removes it
    hardware-sim feed sheet1.png sheet2.png     # put sheets in the intake tray
    hardware-sim sms --json                     # what the modem sent

Client commands find the running bench through ``--dir`` (its ``endpoints.json`` holds the control
API's address; default ``$HARDWARE_SIM_DIR`` or ``./var/sim``) or ``--control URL``. Exit codes:
0 done, 1 failure (no bench running, device unavailable), 2 usage (unknown device or fault).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hardware_sim import control_client
from hardware_sim.base import FAULTS

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def default_dir() -> Path:
    return Path(os.environ.get("HARDWARE_SIM_DIR") or "var/sim")


class CliError(Exception):
    def __init__(self, message: str, code: int = EXIT_FAIL) -> None:
        super().__init__(message)
        self.exit_code = code


# -- talking to a running bench ----------------------------------------------------------------------
def control_url(args: argparse.Namespace) -> str:
    if getattr(args, "control", None):
        return str(args.control).rstrip("/") + "/"
    try:
        return control_client.control_url(getattr(args, "dir", None) or default_dir())
    except control_client.ControlError as err:
        raise CliError(str(err)) from err


_USAGE_CODES = ("unknown_device", "unknown_fault", "bad_request", "bad_code")


def call(args: argparse.Namespace, method: str, path: str, body: dict[str, Any] | None = None,
         timeout: float = 15.0) -> Any:
    try:
        return control_client.ControlClient(control_url(args), timeout).call(method, path, body)
    except control_client.ControlError as err:
        raise CliError(str(err), EXIT_USAGE if err.code in _USAGE_CODES else EXIT_FAIL) from err


def _print(data: Any, as_json: bool, human: str) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2) if as_json else human)


def _check_device_fault(device: str, fault: str | None) -> None:
    if device not in FAULTS:
        raise CliError(f"unknown device {device!r}; choose one of: {', '.join(FAULTS)}", EXIT_USAGE)
    if fault is not None and fault not in FAULTS[device]:
        raise CliError(f"{device} has no fault {fault!r}; choose one of: {', '.join(FAULTS[device])}",
                       EXIT_USAGE)


def format_endpoints(ep: dict[str, Any]) -> str:
    lines = [f"hardware-sim: running in {ep.get('workdir')} (pid {ep.get('pid')})",
             f"  {'control API + page':<20} {ep.get('control', {}).get('url', '')}"]
    for name, d in ep.get("devices", {}).items():
        if not d.get("available"):
            where = d.get("reason", "not available")
        elif d.get("transport") == "serial":
            where = f"serial {d.get('link')} -> {d.get('path')}"
        elif d.get("transport") == "ipp":
            where = f"ipp {d.get('uri')}"
        elif d.get("transport") == "saned":
            where = f"saned {d.get('host')}:{d.get('port')} device {d.get('device')}"
        else:
            where = f"{d.get('transport')} {d.get('host')}:{d.get('port')}"
        lines.append(f"  {name:<20} {where}")
    return "\n".join(lines)


# -- commands ----------------------------------------------------------------------------------------------
def cmd_start(args: argparse.Namespace) -> int:
    workdir = Path(args.dir or default_dir()).resolve()
    if (workdir / "endpoints.json").exists():
        try:
            call(argparse.Namespace(dir=workdir, control=None), "GET", "/api/endpoints", timeout=2)
        except CliError:
            (workdir / "endpoints.json").unlink()      # left over from a bench that died
        else:
            raise CliError(f"a bench is already running in {workdir}; stop it with: "
                           f"hardware-sim stop --dir {workdir}")
    if args.foreground:
        return run_foreground(args, workdir)
    return run_background(args, workdir)


def _log_json(level: int) -> None:
    """One JSON object per log line on stderr, the fields of the terminal's programs (python-json-logger)."""
    from pythonjsonlogger.json import JsonFormatter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s", datefmt="%Y-%m-%dT%H:%M:%S",
        rename_fields={"asctime": "t", "levelname": "level", "name": "logger", "message": "msg", "exc_info": "exc"},
        json_ensure_ascii=False, json_default=str))
    logging.getLogger().handlers[:] = [handler]
    logging.getLogger().setLevel(level)


def run_foreground(args: argparse.Namespace, workdir: Path) -> int:
    from hardware_sim.bench import Bench
    from hardware_sim.control import ControlServer

    _log_json(getattr(logging, args.log_level.upper(), logging.INFO))
    stop = threading.Event()
    bench = Bench(workdir, host=args.host, receipt_port=args.receipt_port, ipp_port=args.ipp_port,
                  saned_port=args.saned_port)
    bench.start()
    try:
        server = ControlServer(bench, args.host, args.control_port, on_shutdown=stop.set)
    except OSError as err:
        bench.stop()
        raise CliError(f"cannot listen on {args.host}:{args.control_port} for the control API: {err}") from err
    server.start()
    bench.control_url = server.url
    bench.write_endpoints()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    ep = bench.endpoints()
    _print(ep, args.json, format_endpoints(ep))
    sys.stdout.flush()
    while not stop.wait(0.5):
        pass
    logging.getLogger(__name__).info("stopping")
    server.stop()
    bench.stop()
    return EXIT_OK


def run_background(args: argparse.Namespace, workdir: Path) -> int:
    workdir.mkdir(parents=True, exist_ok=True)
    logfile = workdir / "hardware-sim.log"
    cmd = [sys.executable, "-m", "hardware_sim.cli", "start", "--foreground", "--dir", str(workdir),
           "--host", args.host, "--control-port", str(args.control_port),
           "--receipt-port", str(args.receipt_port), "--ipp-port", str(args.ipp_port),
           "--saned-port", str(args.saned_port), "--log-level", args.log_level]
    with logfile.open("ab") as log_fh:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log_fh, stderr=log_fh,
                                start_new_session=True)
    deadline = time.monotonic() + 30
    path = workdir / "endpoints.json"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = logfile.read_text(errors="replace").splitlines()[-15:]
            raise CliError("the bench did not start:\n" + "\n".join(tail))
        if path.exists():
            ep = json.loads(path.read_text(encoding="utf-8"))
            if ep.get("pid") == proc.pid and ep.get("control", {}).get("url"):
                _print(ep, args.json, format_endpoints(ep) + f"\n  log: {logfile}\n  stop: hardware-sim stop "
                                                             f"--dir {workdir}")
                return EXIT_OK
        time.sleep(0.1)
    proc.terminate()
    raise CliError(f"the bench did not start within 30 s; see {logfile}")


def cmd_stop(args: argparse.Namespace) -> int:
    ep = call(args, "GET", "/api/endpoints")
    call(args, "POST", "/api/shutdown", {})
    pid = ep.get("pid")
    path = Path(ep.get("workdir", "")) / "endpoints.json"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and path.exists():
        time.sleep(0.1)
    print(f"stopped the bench (pid {pid})")
    return EXIT_OK


def cmd_feed(args: argparse.Namespace) -> int:
    files = [str(Path(f).resolve()) for f in args.files]
    missing = [f for f in files if not Path(f).is_file()]
    if missing:
        raise CliError(f"no such file: {', '.join(missing)}", EXIT_USAGE)
    if not files and not args.blank:
        raise CliError("give image files to feed, or --blank N", EXIT_USAGE)
    res = call(args, "POST", "/api/feed", {"files": files, "blank": args.blank})
    _print(res, args.json, f"fed {len(res['sheets'])} sheet(s): ids {', '.join(map(str, res['sheets']))}")
    return EXIT_OK


def cmd_fault(args: argparse.Namespace) -> int:
    _check_device_fault(args.device, args.fault)
    body: dict[str, Any] = {"device": args.device, "fault": args.fault}
    if args.after_pages is not None:
        body["after_pages"] = args.after_pages
    res = call(args, "POST", "/api/fault", body)
    _print(res, args.json, f"{args.device}: faults now {', '.join(res.get('faults', [])) or 'none'}")
    return EXIT_OK


def cmd_clear(args: argparse.Namespace) -> int:
    _check_device_fault(args.device, args.fault)
    res = call(args, "POST", "/api/clear", {"device": args.device, "fault": args.fault})
    _print(res, args.json, f"{args.device}: faults now {', '.join(res.get('faults', [])) or 'none'}")
    return EXIT_OK


def cmd_endpoints(args: argparse.Namespace) -> int:
    ep = call(args, "GET", "/api/endpoints")
    _print(ep, args.json, format_endpoints(ep))
    return EXIT_OK


def _listing(args: argparse.Namespace, path: str, line: Callable[[dict[str, Any]], str], none: str,
             sep: str = "\n") -> int:
    items = call(args, "GET", path)
    _print(items, args.json, sep.join(line(i) for i in items) or none)
    return EXIT_OK


def cmd_receipts(args: argparse.Namespace) -> int:
    return _listing(args, "/api/receipts", lambda r: f"#{r.get('id')} {r.get('time')} {r.get('png')}\n{r.get('text', '')}",
                    "no receipts yet", sep="\n\n")


def cmd_jobs(args: argparse.Namespace) -> int:
    return _listing(args, "/api/jobs", lambda j: f"#{j.get('id')} {j.get('time')} {j.get('state')} {j.get('pdf')}",
                    "no print jobs yet")


def cmd_sms(args: argparse.Namespace) -> int:
    return _listing(args, "/api/sms",
                    lambda m: f"{m.get('time')} to {m.get('to')} ({m.get('parts')} part(s)): {m.get('text')}",
                    "no SMS sent yet")


def cmd_bin(args: argparse.Namespace) -> int:
    if args.empty:
        res = call(args, "POST", "/api/bin/empty", {})
        _print(res, args.json, f"emptied the bin: {res['emptied_sets']} set(s), {res['emptied_sheets']} sheet(s)")
        return EXIT_OK
    b = call(args, "GET", "/api/bin")
    lines = [f"bin: {b.get('sets')} set(s), {b.get('sheets')} sheet(s), staples used {b.get('staples_used')}"]
    for i, e in enumerate(b.get("contents", []), start=1):
        codes = [lab.get("barcode") for s in e["sheets"] for lab in s.get("labels", [])]
        lines.append(f"  set {i}: {len(e['sheets'])} sheet(s), {'stapled' if e.get('stapled') else 'loose'}: "
                     f"{' '.join(c for c in codes if c)}")
    _print(b, args.json, "\n".join(lines))
    return EXIT_OK


def cmd_scan_barcode(args: argparse.Namespace) -> int:
    res = call(args, "POST", "/api/barcode", {"code": args.code})
    _print(res, args.json, f"barcode reader sent {res['code']}")
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    st = call(args, "GET", "/api/state")
    lines = []
    for name, d in st["devices"].items():
        if not d.get("available"):
            lines.append(f"{name:<16} not available ({d.get('reason')})")
        else:
            lines.append(f"{name:<16} {'FAULT ' + ','.join(d['faults']) if d.get('faults') else 'ok'}")
    p = st["paper"]
    lines.append(f"paper: tray {len(p['tray'])}, scanner input {len(p['scanner_input'])}, stacker "
                 f"{len(p['stacker'])}, bin {p['bin']['sets']} set(s) / {p['bin']['sheets']} sheet(s)")
    _print(st, args.json, "\n".join(lines))
    return EXIT_OK


def cmd_faults(args: argparse.Namespace) -> int:
    _print(FAULTS, args.json, "\n".join(f"{d:<16} {' '.join(fs)}" for d, fs in FAULTS.items()))
    return EXIT_OK


# -- the parser ------------------------------------------------------------------------------------------------
COMMANDS: dict[str, tuple[Any, str, str]] = {
    "start": (cmd_start, "run every simulator, the control API and the test-bench page",
              "hardware-sim start --dir var/sim\n  hardware-sim start --foreground --control-port 0 "
              "--receipt-port 0 --ipp-port 0 --saned-port 0"),
    "stop": (cmd_stop, "stop the bench started in --dir", "hardware-sim stop --dir var/sim"),
    "feed": (cmd_feed, "put sheets (image files) into the intake tray, in order",
             "hardware-sim feed page1.png page2.png\n  hardware-sim feed --blank 3"),
    "fault": (cmd_fault, "inject a fault into a device",
              "hardware-sim fault receipt_printer paper_out\n  hardware-sim fault scanner jam --after-pages 1"),
    "clear": (cmd_clear, "clear one fault of a device, or all of them",
              "hardware-sim clear receipt_printer paper_out\n  hardware-sim clear modem"),
    "faults": (cmd_faults, "list the fault catalogue (works without a running bench)", "hardware-sim faults"),
    "endpoints": (cmd_endpoints, "where each device listens", "hardware-sim endpoints --json"),
    "receipts": (cmd_receipts, "receipts the receipt printer printed", "hardware-sim receipts --json"),
    "jobs": (cmd_jobs, "jobs the form printer printed", "hardware-sim jobs --json"),
    "sms": (cmd_sms, "SMS the modem sent", "hardware-sim sms --json"),
    "bin": (cmd_bin, "what is in the archive bin (--empty: empty it)", "hardware-sim bin\n  hardware-sim bin --empty"),
    "scan-barcode": (cmd_scan_barcode, "make the handheld reader scan a code",
                     "hardware-sim scan-barcode 0170001235-01"),
    "status": (cmd_status, "every device's state and the paper path", "hardware-sim status --json"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hardware-sim", description="Simulated hardware of the appeal terminal: run it, inject faults, "
        "feed paper, read receipts and SMS.", formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example:\n  hardware-sim start --dir var/sim && hardware-sim fault modem no_sim --dir var/sim\n"
               "docs: docs/testers.md")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--dir", type=Path, default=argparse.SUPPRESS,
                        help="the bench's folder (default: $HARDWARE_SIM_DIR or ./var/sim)")
    common.add_argument("--control", default=argparse.SUPPRESS, metavar="URL",
                        help="the control API address instead of --dir, e.g. http://127.0.0.1:8765/")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="JSON output")
    parser.add_argument("--dir", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--control", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", default=False, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (func, help_text, example) in COMMANDS.items():
        p = sub.add_parser(name, parents=[common], help=help_text, description=help_text,
                           epilog="example:\n  " + example, formatter_class=argparse.RawDescriptionHelpFormatter)
        p.set_defaults(func=func)
        if name == "start":
            p.add_argument("--foreground", action="store_true", help="stay attached; Ctrl-C stops")
            p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
            p.add_argument("--control-port", type=int, default=8765, help="control API port (0 = any free)")
            p.add_argument("--receipt-port", type=int, default=9100, help="receipt printer TCP port")
            p.add_argument("--ipp-port", type=int, default=8631, help="form printer IPP port")
            p.add_argument("--saned-port", type=int, default=6566, help="scanner saned port")
            p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
        elif name == "feed":
            p.add_argument("files", nargs="*", metavar="FILE", help="PNG/JPEG/TIFF images, one per sheet")
            p.add_argument("--blank", type=int, default=0, metavar="N", help="also feed N generated sheets")
        elif name in ("fault", "clear"):
            p.add_argument("device", help="one of: " + ", ".join(FAULTS))
            p.add_argument("fault", nargs="?" if name == "clear" else None,
                           help="see `hardware-sim faults`" + (" (none: clear all)" if name == "clear" else ""))
            if name == "fault":
                p.add_argument("--after-pages", type=float, default=None, metavar="N",
                               help="scanner only: strike after N more pages (1.5 = half-way through the 2nd)")
        elif name == "bin":
            p.add_argument("--empty", action="store_true", help="empty the bin (the technician's job)")
        elif name == "scan-barcode":
            p.add_argument("code", help="the code the reader sends, e.g. 0170001235-01")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args))
    except CliError as err:
        print(f"hardware-sim: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        return EXIT_FAIL


if __name__ == "__main__":
    sys.exit(main())
