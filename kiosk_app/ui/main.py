"""``kiosk``: the touchscreen app. ``kiosk --sim DIR`` runs it against a running hardware-sim;
``--windowed`` for development. Configuration as for kioskctl (``--config`` or ``KIOSK_CONFIG``)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kiosk", description="The appeal terminal's touchscreen app.",
                                epilog="Example: kiosk --sim var/sim --windowed")
    p.add_argument("--config", help="configuration file (default: $KIOSK_CONFIG or /etc/appeal-terminal/kiosk.toml)")
    p.add_argument("--sim", metavar="DIR", default=os.environ.get("HARDWARE_SIM_DIR"),
                   help="use the devices of the hardware-sim running in DIR")
    p.add_argument("--store", metavar="DIR", help="terminal store folder (overrides store.dir)")
    p.add_argument("--windowed", action="store_true", help="a 1920x1080 window instead of full screen")
    p.add_argument("--speech-engine", default=None, help="Qt TextToSpeech engine (default: speechd)")
    p.add_argument("--in-process", action="store_true",
                   help="run the terminal on a worker thread of this process instead of a helper process")
    p.add_argument("--scripted-resident", metavar="DIR",
                   help="no display? a scripted resident walks offscreen through one appeal, saving each screen to DIR")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logs to stderr")
    p.add_argument("--ready-probe", action="store_true", help=argparse.SUPPRESS)   # benchmarks/ui.py: print and quit
    return p


def _escpos_cache() -> None:
    """python-escpos pickles its printer capabilities into a new temporary folder at every start
    (0.2-0.3 s); a folder that persists makes later starts skip it."""
    if "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "appeal-terminal" / "escpos"
        try:
            cache.mkdir(parents=True, exist_ok=True)
            os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(cache)
        except OSError:
            pass


def terminal_opener(cfg: Any, config: str | None, env: dict[str, str], *, in_process: bool = False) -> Any:
    """What the window's worker calls to open the terminal (kiosk_app.core.terminal loads slowly,
    so it is imported there, never before the first screen)."""
    def hosted() -> Any:
        from .host import HostedTerminal
        return HostedTerminal(config, env)

    def local() -> Any:
        from kiosk_app.core.terminal import Terminal
        return Terminal(cfg)

    return local if in_process else hosted


def main(argv: list[str] | None = None) -> int:
    ns = build_parser().parse_args(argv)
    _escpos_cache()
    from kiosk_app.core.commandline import setup_logging
    setup_logging(logging.DEBUG if ns.verbose else logging.INFO)
    from kiosk_app.core.config import load_kiosk_config, sim_overrides
    from kiosk_app.core.settings import ConfigError

    from .qt import QApplication
    from .window import KioskWindow

    env = dict(os.environ)
    if ns.sim:
        env.update(sim_overrides(ns.sim))
    if ns.store:
        env["KIOSK_STORE_DIR"] = ns.store
    try:
        cfg = load_kiosk_config(ns.config, env=env)
    except ConfigError as err:
        print(f"kiosk: configuration error: {err}", file=sys.stderr)
        return 2
    if ns.scripted_resident:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    win = KioskWindow(terminal_opener(cfg, ns.config, env, in_process=ns.in_process), cfg=cfg,
                      speech_engine=ns.speech_engine)
    from .watchdog import KioskWatchdog
    KioskWatchdog(win, app)                      # systemd: READY, watchdog pings, update restarts

    if ns.ready_probe:
        import time

        from .qt import QTimer

        def ready() -> None:
            print(f"READY {time.time():.6f}", flush=True)
            win.worker.run(lambda progress: None,
                           lambda _r: (print(f"TERMINAL {time.time():.6f}", flush=True), app.quit()))

        QTimer.singleShot(0, ready)
    if cfg["ui.fullscreen"] and not ns.windowed and not ns.scripted_resident:
        win.showFullScreen()
    else:
        win.resize(1920, 1080)
        win.show()
    try:
        if ns.scripted_resident:
            from .scripted import run
            return run(win, app, Path(ns.scripted_resident))
        return int(app.exec())
    finally:
        win.worker.wait()
        if win.t is not None:
            win.t.close()


if __name__ == "__main__":
    sys.exit(main())
