"""The kiosk under systemd (appeal-kiosk.service, Type=notify, WatchdogSec):

* ``READY=1`` once the window stands; ``STATUS=screen <id>`` at each screen change (what
  ``systemctl status appeal-kiosk`` shows);
* ``WATCHDOG=1`` from a timer of the Qt event loop, every ``WatchdogSec/2``: when the loop freezes
  the pings stop, systemd kills the session and starts it again, on the welcome screen, and the
  terminal recovers the interrupted intake as after any crash;
* a restart for an installed update, only on the welcome screen with an empty session: when the
  package manager has replaced the kiosk's code on disk (unattended-upgrades; the package never
  restarts the kiosk itself), the app quits there and systemd (Restart=always) starts the new one.

The app runs under cage, which systemd started: ``$WATCHDOG_PID`` is cage's, so the app answers
for its parent too (the unit has NotifyAccess=all)."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import kiosk_app
from kiosk_app.core import faultpoints
from kiosk_app.core.systemd import sd_notify, watchdog_interval

from .qt import QObject, QTimer

log = logging.getLogger(__name__)
UPDATE_CHECK_MS = 30_000


def _code_stamp(path: Path) -> tuple[int, int] | None:
    """The identity of a file of the installed code: dpkg replaces every file of a package it
    upgrades (a new inode), so a changed stamp means a new version is on disk."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns


class KioskWatchdog(QObject):
    def __init__(self, win: Any, app: Any, env: dict[str, str] | None = None) -> None:
        super().__init__(win)
        self.win, self.app = win, app
        self.env = dict(os.environ if env is None else env)
        self.code_file = Path(self.env.get("KIOSK_CODE_STAMP_FILE") or kiosk_app.__file__)
        self.stamp = _code_stamp(self.code_file)
        self.pings = 0
        interval = watchdog_interval(self.env, pids=(os.getpid(), os.getppid()))
        self.timer = QTimer(self)
        if interval:
            self.timer.timeout.connect(self.ping)
            self.timer.start(max(100, int(interval * 1000)))
        self.updates = QTimer(self)
        self.updates.timeout.connect(self.check_update)
        if self.env.get("NOTIFY_SOCKET"):
            self.updates.start(int(self.env.get("KIOSK_UPDATE_CHECK_MS", UPDATE_CHECK_MS)))
        win.nav.shown.connect(self.screen_changed)
        QTimer.singleShot(0, self, self.ready)

    @property
    def screen(self) -> str:
        return str(self.win.nav.current or "")

    def ready(self) -> None:
        sd_notify(f"READY=1\nSTATUS=screen {self.screen}", self.env)

    def ping(self) -> None:
        self.pings += 1
        sd_notify("WATCHDOG=1", self.env)

    def screen_changed(self, sid: str) -> None:
        sd_notify(f"STATUS=screen {sid}", self.env)
        if sid == "sheets":
            faultpoints.reached("ui.sheets")      # crash tests: the UI thread hangs here

    def check_update(self) -> None:
        stamp = _code_stamp(self.code_file)
        if stamp is None or stamp == self.stamp:
            return
        if self.screen != "welcome" or not self.win.session.is_empty() or self.win.worker.busy:
            return                                # a resident is here: after the session
        log.warning("kiosk: a new version is installed; restarting on the welcome screen")
        sd_notify("STOPPING=1\nSTATUS=restarting for the installed update", self.env)
        self.app.exit(0)
