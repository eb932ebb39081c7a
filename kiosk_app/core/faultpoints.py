"""Named points where a crash test can stop the process deterministically.

With ``KIOSK_FAULTPOINT=<name>`` in the environment, reaching that point writes
``FAULTPOINT <name>`` to stderr (and appends it to the file ``KIOSK_FAULTPOINT_LOG`` names, if
set) and waits to be killed (SIGKILL from the test). Without the
variable, :func:`reached` costs one dictionary lookup. The names are listed in docs/testers.md.
"""

from __future__ import annotations

import os
import sys
import time

POINTS = (
    "spool.mid_write",        # half of a spool file written, not yet fsynced or renamed
    "store.before_commit",    # the appeal's rows inserted, COMMIT not yet issued
    "ui.sheets",              # the kiosk's UI thread hangs as the sheets screen shows (intake open)
)


def reached(name: str) -> None:
    if os.environ.get("KIOSK_FAULTPOINT") == name:
        sys.stderr.write(f"FAULTPOINT {name}\n")
        sys.stderr.flush()
        if log := os.environ.get("KIOSK_FAULTPOINT_LOG"):
            with open(log, "a", encoding="utf-8") as f:
                f.write(f"FAULTPOINT {name}\n")
        while True:
            time.sleep(3600)
