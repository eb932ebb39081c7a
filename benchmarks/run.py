"""Every performance figure of the project, one command:

    .venv/bin/python benchmarks/run.py            # the full figures (about 15 minutes)
    .venv/bin/python benchmarks/run.py --quick    # smaller sets, same figures (a few minutes)
    .venv/bin/python benchmarks/run.py sheets ui  # only these
    .venv/bin/python benchmarks/run.py legibility # the archive copy's legibility per kind of paper

Each benchmark prints its figures beside a baseline measured in the same run, and the ratio.
The test suite checks behaviour, not speed: nothing here fails a build.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# name -> (script, full arguments, quick arguments, what it measures)
BENCHMARKS: dict[str, tuple[str, list[str], list[str], str]] = {
    "sheets": ("sheets.py", [], ["--quick"], "sheet pipeline: sheets/s, PDF size per page, label read-back (zxing-cpp vs pyzbar)"),
    "legibility": ("legibility.py", ["--per-kind", "6"], ["--per-kind", "2"],
                   "per kind of paper: class chosen, KB per page, Tesseract CER on the stored page vs the scan"),
    "intake": ("intake_latency.py", ["--runs", "10"], ["--quick"], "confirm to the last receipt byte accepted by the printer"),
    "path": ("resident_path.py", [], [], "the resident's taps and estimated seconds: typed identity vs BankID on the phone"),
    "ui": ("ui.py", [], ["--starts", "2", "--sheets", "10"], "kiosk cold start; longest UI-thread block during a 10-sheet intake"),
    "drain": ("drain.py", [], ["--quick"], "sync agent drain: appeals/s vs cp; peak memory at 10,000 and 100,000"),
    "server": ("server_load.py", [], ["--seconds", "8"], "city server: 50 terminals + 200 residents, rps and p99 vs a minimal ASGI app"),
    "scaleout": ("server_scaleout.py", [], ["--seconds", "8"],
                 "city server on SQLite (1 process) and PostgreSQL (1 process, 2 processes on one database)"),
    "petition": ("petition_load.py", [], ["--signers", "500"], "2,000 residents signing one petition vs raw SQLite inserts"),
    "survey": ("survey_answers.py", [], ["--answers", "500"], "anonymous survey answers (no order of arrival kept) vs open ones"),
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", help=f"some of: {', '.join(BENCHMARKS)}")
    ap.add_argument("--quick", action="store_true", help="smaller sets")
    ns = ap.parse_args()
    unknown = [n for n in ns.names if n not in BENCHMARKS]
    if unknown:
        ap.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    failed = []
    for name in ns.names or list(BENCHMARKS):
        script, full, quick, what = BENCHMARKS[name]
        print(f"\n=== {name}: {what}", flush=True)
        start = time.monotonic()
        rc = subprocess.call([sys.executable, str(HERE / script), *(quick if ns.quick else full)])
        print(f"--- {name}: {'done' if rc == 0 else f'FAILED (exit {rc})'} in {time.monotonic() - start:.0f} s", flush=True)
        if rc:
            failed.append(name)
    if failed:
        print(f"\nbenchmarks that did not run to the end: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
