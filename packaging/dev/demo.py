"""The whole appliance on simulated hardware, in one command (the README's first one).

Starts the city server (demo data, the EDMS stand-in watching the drop folder), the hardware
simulator, the sync agent and the kiosk; a scripted resident hands in an appeal; the EDMS stand-in
registers it, an official's answer is published, the agent pulls it and texts the resident, and
the answer is printed at the terminal. Then it prints where to look, and keeps everything running
until Ctrl-C (``--exit`` stops at once: tests and CI use it).

    .venv/bin/python packaging/dev/demo.py [--dir var/demo] [--exit]
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from kiosk_app.core.config import sim_device_sections  # noqa: E402

SANED_LOCK = "/tmp/appeal-terminal-saned-6566.lock"
PORTS = {"server": 8000, "control": 8765, "receipt": 9100, "ipp": 8631}


def say(text: str) -> None:
    print(f"\033[1m==> {text}\033[0m", flush=True)


def wait(what: str, check: Callable[[], Any], timeout: float = 90) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = check()
        except (OSError, ValueError, KeyError):
            result = None
        if result:
            return result
        time.sleep(0.5)
    raise SystemExit(f"demo: gave up waiting for {what} after {timeout:.0f} s")


def http_ok(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=3) as r:
        return r.status == 200


def toml_value(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False) if not isinstance(v, bool) else ("true" if v else "false")


def write_toml(path: Path, sections: dict[str, dict[str, Any]]) -> None:
    lines = []
    for section, values in sections.items():
        lines.append(f"[{section}]")
        lines += [f"{k} = {toml_value(v)}" for k, v in values.items()]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


class Demo:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.procs: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        log = open(self.base / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(args, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
        self.procs.append((name, proc))
        return proc

    def stop(self) -> None:
        for name, proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                say(f"stopped {name}")

    def run(self, args: list[str], env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        out = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=300)
        if check and out.returncode != 0:
            raise SystemExit(f"demo: {' '.join(args[:3])} failed:\n{out.stdout}\n{out.stderr}")
        return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", default=str(ROOT / "var" / "demo"), help="where everything of the demo lives (wiped first)")
    ap.add_argument("--exit", action="store_true", help="stop everything after the scripted appeal")
    ns = ap.parse_args()
    base = Path(ns.dir).resolve()
    if base.exists():
        shutil.rmtree(base)
    for sub in ("server", "sim", "terminal/store", "drop", "screens"):
        (base / sub).mkdir(parents=True)
    # The drop folder is the EDMS's share; its marker file tells the agent the share is mounted.
    (base / "drop" / ".edms-drop").write_text("EDMS drop folder (demo)\n", encoding="utf-8")
    demo = Demo(base)
    stopping = False
    # SANE's net backend only knows port 6566: wait for any other simulator (a test run) to finish.
    lock = open(SANED_LOCK, "a")  # noqa: SIM115 - held for the demo's life
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        say("another simulator holds the scanner port 6566; waiting for it to finish")
        fcntl.flock(lock, fcntl.LOCK_EX)

    def on_signal(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    try:
        return scripted(demo, base, ns.exit, lambda: stopping)
    except KeyboardInterrupt:
        return 0
    finally:
        say("stopping everything")
        demo.stop()


def scripted(demo: Demo, base: Path, exit_after: bool, stopping: Callable[[], bool]) -> int:
    server_url = f"http://127.0.0.1:{PORTS['server']}"
    server_env = {"CITY_SERVER_DATA_DIR": str(base / "server"), "CITY_SERVER_EDMS_INTERVAL": "2"}
    say(f"city server on {server_url} (demo data, EDMS stand-in watching {base / 'drop'})")
    demo.start("city-server", [str(BIN / "city-server"), "run", "--port", str(PORTS["server"]),
                               "--data-dir", str(base / "server"), "--drop-folder", str(base / "drop")], server_env)
    wait("the city server", lambda: http_ok(server_url + "/"))
    token = demo.run([str(BIN / "city-server"), "issue-terminal-credential", "017", "--data-dir", str(base / "server")],
                     server_env).stdout.strip().split()[-1]
    token_file = base / "terminal" / "server-token"
    token_file.write_text(token + "\n", encoding="utf-8")
    token_file.chmod(0o600)

    say("hardware simulator (receipt printer :9100, form printer IPP :8631, scanner saned :6566, serial devices on ptys)")
    demo.start("hardware-sim", [str(BIN / "hardware-sim"), "start", "--foreground", "--dir", str(base / "sim"),
                                "--control-port", str(PORTS["control"])])
    endpoints = wait("the simulator", lambda: (lambda e: e if e.get("control", {}).get("url") else None)(
        json.loads((base / "sim" / "endpoints.json").read_text())))
    devices = sim_device_sections(endpoints["devices"])

    kiosk_toml, agent_toml = base / "terminal" / "kiosk.toml", base / "terminal" / "sync-agent.toml"
    terminal = {"code": 17, "name": "Термінал звернень № 17", "address": "м. Дніпро, просп. Дмитра Яворницького, 75"}
    write_toml(kiosk_toml, {"terminal": terminal, "store": {"dir": str(base / "terminal" / "store")},
                            **{f"devices.{k}": v for k, v in devices.items() if k != "modem"}})
    write_toml(agent_toml, {"terminal": {"code": 17}, "store": {"dir": str(base / "terminal" / "store")},
                            "drop": {"dir": str(base / "drop")},
                            "server": {"url": server_url, "token_file": str(token_file)},
                            "devices.modem": devices["modem"]})
    demo.run([str(BIN / "kioskctl"), "--config", str(kiosk_toml), "settings", "--check", str(kiosk_toml)])
    demo.run([str(BIN / "sync-agent"), "--config", str(agent_toml), "settings", "--check", str(agent_toml)])

    say("sync agent (drop folder, server, SMS through the simulated modem)")
    demo.start("sync-agent", [str(BIN / "sync-agent"), "--config", str(agent_toml), "run"])

    say("a resident hands in an appeal at the kiosk: the touchscreen app, offscreen, touched screen by screen")
    demo.run([str(BIN / "hardware-sim"), "feed", "--dir", str(base / "sim"),
              str(ROOT / "examples" / "sheets" / "appeal-page1.png"), str(ROOT / "examples" / "sheets" / "appeal-page2.png")])
    out = demo.run([str(BIN / "kiosk"), "--config", str(kiosk_toml), "--scripted-resident", str(base / "kiosk-walk")],
                   {"QT_QPA_PLATFORM": "offscreen", "KIOSK_UI_SPEECH": "false"})
    number = next(line.split()[1] for line in out.stdout.splitlines() if line.startswith("NUMBER "))
    compact = number.replace("-", "")
    say(f"appeal {number} accepted; receipt printed; sheets stapled into the archive box "
        f"(each screen the resident saw: {base / 'kiosk-walk'})")
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        say("the kiosk window, for you to try (Ctrl-C here stops everything)")
        demo.start("kiosk", [str(BIN / "kiosk"), "--config", str(kiosk_toml), "--windowed"])

    say("the EDMS stand-in imports it from the drop folder and registers it")
    registered = wait("the EDMS registration", lambda: registration(demo, agent_toml, compact), timeout=120)
    say(f"registered by the EDMS as {registered}")

    say("an official publishes the answer; the agent pulls it and texts the resident")
    demo.run([str(BIN / "city-server"), "edms-answer", compact, "--data-dir", str(base / "server"),
              "--text", "Шановна пані Наталіє! Ремонт покрівлі будинку № 15 включено до плану на грудень 2026 року."],
             server_env)
    sms = wait("the SMS about the answer", lambda: [m for m in sim_json(demo, "sms") if "Надано відповідь" in m.get("text", "")],
               timeout=120)
    say(f"SMS to the resident: {sms[-1]['text']!r}")

    say("the resident prints the answer at the terminal (the receipt's number and access code)")
    code = receipt_code(base, number)
    wait("the answer at the terminal", lambda: answer_printed(demo, kiosk_toml, base, number, code), timeout=90)

    say("screens of the touchscreen app")
    shots = demo.run([str(BIN / "kioskctl"), "--config", str(kiosk_toml), "screenshots", str(base / "screens")], check=False)
    if shots.returncode != 0:
        print(shots.stderr[-2000:])

    receipts = sorted((base / "sim" / "receipts").glob("*.png"))
    print()
    print("Where to look:")
    print(f"  kiosk screens          {base / 'screens'}  (every screen, both languages, high contrast)")
    print(f"  the resident's walk    {base / 'kiosk-walk'}")
    print(f"  receipts (PNG + text)  {base / 'sim' / 'receipts'}  (latest: {receipts[-1].name if receipts else '-'})")
    print(f"  printed forms/answers  {base / 'sim' / 'form-jobs'}")
    print(f"  EDMS drop folder       {base / 'drop'}  (the agent empties it once the EDMS acknowledged)")
    print(f"  imported by the EDMS   {base / 'server' / 'private' / 'edms'}")
    print(f"  SMS log                {base / 'sim' / 'sms.jsonl'}")
    print(f"  terminal store         {base / 'terminal' / 'store'}")
    print(f"  city server            {server_url}/  (staff, password = name: admin, official, "
          f"moderator, budget, operator, publisher, secretary, technician; fleet {server_url}/fleet/, "
          f"EDMS {server_url}/edms/)")
    print(f"  test bench             {endpoints['control']['url']}")
    print(f"  logs                   {base}/*.log")
    if exit_after:
        return 0
    say("running; Ctrl-C stops everything")
    while not stopping():
        time.sleep(0.5)
    return 0


def sim_json(demo: Demo, what: str) -> list[dict[str, Any]]:
    out = demo.run([str(BIN / "hardware-sim"), what, "--json", "--dir", str(demo.base / "sim")], check=False)
    return json.loads(out.stdout) if out.returncode == 0 else []


def registration(demo: Demo, agent_toml: Path, compact: str) -> str | None:
    import sqlite3

    db = sqlite3.connect(demo.base / "terminal" / "store" / "terminal.db", timeout=5)
    try:
        row = db.execute("SELECT state, registration_index FROM outbox WHERE document_id=?", (compact,)).fetchone()
    finally:
        db.close()
    return row[1] if row and row[0] == "imported" and row[1] else None


def receipt_code(base: Path, number: str) -> str:
    """The access code as the resident reads it off the receipt (docs/receipt.md)."""
    import re

    for txt in sorted((base / "sim" / "receipts").glob("*.txt"), reverse=True):
        text = txt.read_text(encoding="utf-8")
        found = re.search(r"Код доступу / Access code\n([0-9A-Z]{5}-[0-9A-Z]{5})\n", text)
        if number in text and found:
            return found[1]
    raise SystemExit(f"no receipt with an access code for {number} in {base / 'sim' / 'receipts'}")


def answer_printed(demo: Demo, kiosk_toml: Path, base: Path, number: str, code: str) -> bool:
    out = demo.run([str(BIN / "kioskctl"), "--config", str(kiosk_toml), "reprint", number, "--code", code,
                    "--sim", str(base / "sim")], check=False)
    try:
        return json.loads(out.stdout).get("printed") == "answer"
    except ValueError:
        return False


if __name__ == "__main__":
    sys.exit(main())
