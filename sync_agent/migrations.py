"""The sync agent's tables belong to the terminal store now (``kiosk_app.core.migrations``
creates them, ``kiosk_app.core.outbox`` changes them). ``ALL`` stays for callers that open the
store with ``Store(root, terminal=N, migrations=ALL)``: it is the store's one list.
"""

from __future__ import annotations

from kiosk_app.core.migrations import CORE, Migration

ALL: list[Migration] = CORE
