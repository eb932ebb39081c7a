"""The pieces without the simulator: the worker's threads, the PIN, the boundaries, the commands."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from kiosk_app.ui.pin import PinGate, hash_pin, verify_pin
from kiosk_app.ui.theme import assumed_dpi, mm_to_px
from kiosk_app.ui.worker import Worker

ROOT = Path(__file__).resolve().parents[2]


def test_worker_runs_jobs_off_the_ui_thread_and_calls_back_on_it(qtbot: Any) -> None:
    w = Worker()
    seen: dict[str, Any] = {}

    def job(progress: Any) -> int:
        seen["job"] = threading.get_ident()
        progress("half")
        return 42

    w.run(job, on_done=lambda r: seen.update(done=(r, threading.get_ident())),
          on_progress=lambda p: seen.update(progress=(p, threading.get_ident())))
    w.run(lambda progress: 1 / 0, on_error=lambda e: seen.update(error=(type(e).__name__, threading.get_ident())))
    qtbot.waitUntil(lambda: "error" in seen, timeout=5000)
    main = threading.get_ident()
    assert seen["job"] != main
    assert seen["done"] == (42, main) and seen["progress"] == ("half", main)
    assert seen["error"] == ("ZeroDivisionError", main)
    assert not w.busy


def test_pin_hash_verify_and_lockout() -> None:
    stored = hash_pin("482916", iterations=1000)
    assert re.fullmatch(r"pbkdf2_sha256\$1000\$[0-9a-f]{32}\$[0-9a-f]{64}", stored)
    assert hash_pin("482916", iterations=1000) != stored                  # a fresh salt each time
    assert verify_pin("482916", stored) and not verify_pin("482917", stored)
    assert not verify_pin("482916", "garbage") and not verify_pin("482916", "")
    gate = PinGate(max_attempts=3, lockout_s=300)
    for _ in range(2):
        gate.record(False, now=100.0)
    assert gate.locked_for(now=100.0) == 0 and gate.left == 1
    gate.record(False, now=100.0)
    assert gate.locked_for(now=101.0) == 299 and gate.locked_for(now=400.1) == 0


def test_touch_targets_are_15_mm_on_the_assumed_panel() -> None:
    assert round(assumed_dpi(), 1) == 141.2
    assert mm_to_px(15, assumed_dpi()) == 84 and mm_to_px(15, 96) == 57


def test_pin_lockout_survives_a_restart(tmp_path: Path) -> None:
    """Issue 12: the service-mode lockout is kept in the terminal store, not in the process."""
    from kiosk_app.core.pin import attempt
    from kiosk_app.core.store import Store

    stored = hash_pin("2468", iterations=2000)
    store = Store(tmp_path / "store", terminal=17)
    first = attempt(store, "1111", stored, 2, 300)
    assert first == {"ok": False, "locked_for": 0, "left": 1, "refused": False}
    store.close()
    store = Store(tmp_path / "store", terminal=17)               # the kiosk restarted
    second = attempt(store, "2222", stored, 2, 300)
    assert not second["ok"] and 299 <= second["locked_for"] <= 300
    store.close()
    store = Store(tmp_path / "store", terminal=17)               # and restarted again: still locked
    third = attempt(store, "2468", stored, 2, 300)
    assert third["refused"] and not third["ok"] and third["locked_for"] > 0
    failures, until = store.pin_lockout()
    store.set_pin_lockout(failures, until - 301)                 # the lockout time passed
    assert attempt(store, "2468", stored, 2, 300)["ok"] is True
    store.close()


def test_consent_text_matches_docs_and_retention() -> None:
    """Issue 12: the consent screen says what is kept, where and for how long, as it really is:
    docs/consent.md quotes it word for word with its version, and its "30 days" is the sync
    agent's retention default (it used to say "deleted once delivered")."""
    from kiosk_app.core.applicant import CONSENT_TEXT_VERSION
    from kiosk_app.ui.i18n import tr
    from sync_agent.config import SYNC_SETTINGS

    doc = (ROOT / "docs" / "consent.md").read_text(encoding="utf-8")
    uk, en = tr("consent.body", "uk"), tr("consent.body", "en")
    assert f"> {uk}\n" in doc and f"> {en}\n" in doc
    assert f"Text version: **{CONSENT_TEXT_VERSION}**" in doc
    days = next(s.default for s in SYNC_SETTINGS if s.key == "retention.days")
    assert f"і ще {days} днів" in uk and f"and {days} days more" in en
    assert "після передачі" not in uk and "once delivered" not in en
    assert "скани" in uk and "кодом із чека" in uk


def test_only_qt_py_imports_pyside6_and_core_imports_no_ui() -> None:
    ui = ROOT / "kiosk_app" / "ui"
    importers = sorted(p.name for p in ui.glob("*.py") if re.search(r"^\s*(from|import) PySide6", p.read_text(), re.M))
    assert importers == ["qt.py"]
    assert not [p for p in (ROOT / "kiosk_app" / "core").rglob("*.py") if "kiosk_app.ui" in p.read_text()]


def test_kioskctl_set_pin_and_screenshots_are_commands() -> None:
    r = subprocess.run([sys.executable, "-m", "kiosk_app.cli", "set-pin", "--pin-stdin"], input="2468\n",
                       capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 0, r.stderr
    section, line = r.stdout.strip().splitlines()
    assert section == "[service]"
    stored = re.fullmatch(r'pin_hash = "(.+)"', line).group(1)  # type: ignore[union-attr]
    assert verify_pin("2468", stored) and "2468" not in stored
    r = subprocess.run([sys.executable, "-m", "kiosk_app.cli", "set-pin", "--pin-stdin"], input="12\n",
                       capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 2 and "4 to 12 digits" in r.stderr
    r = subprocess.run([sys.executable, "-m", "kiosk_app.cli", "screenshots", "--help"], capture_output=True, text=True,
                       cwd=ROOT, timeout=60)
    assert r.returncode == 0 and "Example: kioskctl screenshots docs/screens" in r.stdout


def test_none_survives_qt_calls() -> None:
    """PySide6 6.12.0 on Python 3.11 took a reference from None on every void call (setText, ...):
    after some thousand calls the interpreter aborted ("none_dealloc"), so the kiosk would have died
    within a day. The pinned binding must give None back what it takes: 50,000 calls (a kiosk's
    day) leave None's reference count where it was, and the interpreter alive."""
    import subprocess
    import sys
    code = ("import os, sys; os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
            "from kiosk_app.ui.qt import QApplication, QLabel\n"
            "app = QApplication([]); lab = QLabel()\n"
            "before = sys.getrefcount(None)\n"
            "for _ in range(50000): lab.setText('x')\n"
            "print('alive', before - sys.getrefcount(None))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-500:]
    alive, lost = out.stdout.split()
    assert alive == "alive" and abs(int(lost)) < 100, f"None lost {lost} references in 50,000 Qt calls"
