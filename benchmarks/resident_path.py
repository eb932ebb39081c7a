"""The resident's path: taps, screens and estimated seconds from welcome to the appeal's number,
typing the identity (the baseline) and signing in with BankID on one's phone, side by side.

    .venv/bin/python benchmarks/resident_path.py

Both runs are the scripted resident (kiosk_app/ui/scripted.py) in the real kiosk window, offscreen,
against a hardware-sim and the city server started as real processes, with the contract's code
lifetime and poll interval (300 s, 5 s). The same applicant, one sheet, SMS wanted. On the phone
path a second HTTP client plays the phone (the BankID stand-in's sign-in, then Approve).

A person is slower than the script. The estimate counts what the script did and prices it for an
unhurried user (older, first time at this kiosk, reading every screen), after the keystroke-level
model (Card, Moran and Newell 1980: pointing ~1.1 s, mental preparation ~1.35 s), rounded up:

- ``KEY_S`` 1.5 s a key of the on-screen keyboard or number pad (find the letter, touch it);
- ``BUTTON_S`` 2.0 s any other button (decide, reach, touch);
- ``SCREEN_S`` 5.0 s each screen on arrival (read its title and question);
- on the phone path, the resident's phone: ``PHONE_SCAN_S`` 15 s (take it out, open the camera,
  point it at the QR code, open the link), ``PHONE_BANKID_S`` 30 s (continue, choose the bank,
  sign in with the bank's app: PIN or fingerprint), ``PHONE_APPROVE_S`` 8 s (read which terminal
  asks and which data it gets, touch Approve);
- plus the machine's own waits as measured in this run (scanning the sheet, and on the phone
  path the kiosk's polling after the approval: up to the 5 s interval).

Nothing here fails a build; the figures go beside the typed path measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

KEY_S, BUTTON_S, SCREEN_S = 1.5, 2.0, 5.0
PHONE_SCAN_S, PHONE_BANKID_S, PHONE_APPROVE_S = 15.0, 30.0, 8.0
PHONE_S = PHONE_SCAN_S + PHONE_BANKID_S + PHONE_APPROVE_S
SCRIPT_READ_S = 0.3          # the script's own pause on each screen (kiosk_app/ui/scripted.py), not machine time


def walk(phone_path: bool, tmp: Path, srv: Any, bench: Any) -> dict[str, Any]:
    from hardware_sim.process import SHEETS
    from kiosk_app.core.config import load_kiosk_config, sim_overrides
    from kiosk_app.ui.main import terminal_opener
    from kiosk_app.ui.qt import QEventLoop, QTimer
    from kiosk_app.ui.scripted import Resident
    from kiosk_app.ui.window import KioskWindow
    from tests.server.test_device_flow import Phone

    token = tmp / f"token-{phone_path}"
    token.write_text(srv.token("090") + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update(sim_overrides(bench.workdir), KIOSK_STORE_DIR=str(tmp / f"store-{phone_path}"), KIOSK_INTAKE_OCR="false",
               KIOSK_SERVER_URL=srv.url, KIOSK_SERVER_TOKEN_FILE=str(token), KIOSK_TERMINAL_CODE="90",
               KIOSK_IDENTITY_PHONE_SIGN_IN="true")
    cfg = load_kiosk_config("/nonexistent/kiosk.toml", env=env)
    win = KioskWindow(terminal_opener(cfg, "/nonexistent/kiosk.toml", env), cfg=cfg, speech_engine="mock")
    win.resize(1920, 1080)
    win.show()
    settle = QEventLoop()
    QTimer.singleShot(2500, settle.quit)
    settle.exec()
    win.worker.wait()
    bench.feed(SHEETS[:1])
    phone_busy = [0.0]

    def phone(qr_png: Path, code: str) -> None:
        t0 = time.monotonic()
        p = Phone(srv)
        p.sign_in(code, "test-0002")
        p.decide("approve")
        phone_busy[0] = time.monotonic() - t0

    r = Resident(win, tmp / f"shots-{phone_path}", timeout=120)
    started = time.monotonic()
    r.submit_appeal(phone=phone if phone_path else None)
    wall = time.monotonic() - started
    win.worker.wait()
    win.t.close()
    win.close()
    screens = len(r.seen)                # each screen once (welcome again at the end is not counted)
    buttons = r.taps - r.keys
    machine = wall - (len(r.seen) + 1) * SCRIPT_READ_S - r.taps * 0.03 - phone_busy[0]
    human = r.keys * KEY_S + buttons * BUTTON_S + screens * SCREEN_S + (PHONE_S if phone_path else 0.0)
    return {"taps": r.taps, "keys": r.keys, "buttons": buttons, "screens": screens, "machine_s": max(0.0, machine),
            "estimate_s": human + max(0.0, machine), "seen": r.seen}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.parse_args()
    from hardware_sim.process import SimBench
    from kiosk_app.ui.qt import QApplication
    from tests.server.citysrv_helpers import run_server

    _app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        bench = SimBench(tmp / "sim").start()
        try:
            with run_server(tmp, [], {"CITY_SERVER_EDMS_INTERVAL": "0"}) as srv:
                typed = walk(False, tmp, srv, bench)
                phone = walk(True, tmp, srv, bench)
        finally:
            bench.stop()
    print(f"per tap {KEY_S:.1f} s (keyboard/pad key) or {BUTTON_S:.1f} s (button), {SCREEN_S:.1f} s a screen; "
          f"phone side {PHONE_S:.0f} s (scan {PHONE_SCAN_S:.0f} + BankID {PHONE_BANKID_S:.0f} + approve "
          f"{PHONE_APPROVE_S:.0f}); machine waits as measured")
    print(f"{'welcome to the number':<28}{'typed (baseline)':>18}{'BankID on the phone':>22}")
    rows = [("kiosk taps", "taps", "{:d}"), ("  of them keys", "keys", "{:d}"), ("  of them buttons", "buttons", "{:d}"),
            ("screens", "screens", "{:d}"), ("machine waits, s", "machine_s", "{:.1f}"),
            ("estimated seconds", "estimate_s", "{:.0f}")]
    for label, key, fmt in rows:
        print(f"{label:<28}{fmt.format(typed[key]):>18}{fmt.format(phone[key]):>22}")
    print(f"phone path / typed path: taps {phone['taps'] / typed['taps']:.2f}, estimated time "
          f"{phone['estimate_s'] / typed['estimate_s']:.2f} (the phone's own {PHONE_S:.0f} s included)")
    for name, run in (("typed", typed), ("phone", phone)):
        print(f"{name} screens: {' '.join(run['seen'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
