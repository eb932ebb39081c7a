"""Named points where a crash test can stop the process deterministically.

With ``KIOSK_FAULTPOINT=<name>`` in the environment, reaching that point writes
``FAULTPOINT <name>`` to stderr and waits to be killed (SIGKILL from the test). Without the
variable, :func:`reached` costs one dictionary lookup. The names are listed in docs/testers.md.
"""

from __future__ import annotations

import os
import sys
import time

POINTS = (
    "spool.mid_write",        # half of a spool file written, not yet fsynced or renamed
    "store.before_commit",    # the appeal's rows inserted, COMMIT not yet issued
)


def reached(name: str) -> None:
    if os.environ.get("KIOSK_FAULTPOINT") == name:
        sys.stderr.write(f"FAULTPOINT {name}\n")
        sys.stderr.flush()
        while True:
            time.sleep(3600)
