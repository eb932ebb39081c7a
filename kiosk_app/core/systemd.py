"""The systemd notification protocol (sd_notify(3)) over ``$NOTIFY_SOCKET``, standard library only:
``READY=1``, ``WATCHDOG=1``, ``STATUS=...``, ``STOPPING=1``. Outside systemd (no socket) every
call is a no-op that returns False, so the same code runs in tests, the demo and on a terminal."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger(__name__)


def sd_notify(message: str, env: Mapping[str, str] | None = None) -> bool:
    addr = (os.environ if env is None else env).get("NOTIFY_SOCKET")
    if not addr:
        return False
    if addr.startswith("@"):
        addr = "\0" + addr[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as s:
            s.connect(addr)
            s.sendall(message.encode())
        return True
    except OSError as err:
        log.debug("sd_notify failed: %s", err)
        return False


def watchdog_interval(env: Mapping[str, str] | None = None, *, pids: tuple[int, ...] | None = None) -> float | None:
    """How often to ping, in seconds: half of ``$WATCHDOG_USEC`` (systemd's advice), or None when
    the watchdog is off. ``$WATCHDOG_PID`` names the process systemd started; ``pids`` are the ones
    that may answer for it (default: this process; the kiosk also answers for its parent, cage)."""
    env = os.environ if env is None else env
    usec = env.get("WATCHDOG_USEC", "")
    pid = env.get("WATCHDOG_PID")
    if not usec.isdigit() or int(usec) == 0:
        return None
    if pid and int(pid) not in (pids if pids is not None else (os.getpid(),)):
        return None
    return int(usec) / 2e6
