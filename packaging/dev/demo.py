"""The demo: the whole appliance on simulated hardware (the README's first command runs it).

Until every part exists, it runs what does: it validates the example applicant and issues an
appeal number from a fresh terminal store, printing each step.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from kiosk_app.core import applicant  # noqa: E402
from kiosk_app.core.store import Store  # noqa: E402


def main() -> int:
    data = json.loads((ROOT / "examples" / "applicant.json").read_text(encoding="utf-8"))
    a = applicant.validate(data)
    print(f"applicant valid: {a.full_name}, identity {a.identity.type} {a.identity.masked()}")
    with tempfile.TemporaryDirectory() as d:
        store = Store(d, terminal=17)
        n = store.issue_number()
        print(f"appeal number issued: {n.display} (compact {n.compact})")
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
