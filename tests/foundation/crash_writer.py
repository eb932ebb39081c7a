"""A writer process for the crash tests: commits appeals in a loop through the real store.

Usage: python crash_writer.py STORE_DIR COUNT
Prints "COMMITTED <document_id>" after each durable commit (the test's record of what the
writer believed durable).
"""

from __future__ import annotations

import json
import os
import sys

from kiosk_app.core.store import AppealRecord, PageRecord, Store, now_iso


def main() -> None:
    root, count = sys.argv[1], int(sys.argv[2])
    store = Store(root, terminal=7)
    store.recover()
    for _ in range(count):
        intake, number = store.start_intake()
        pages = []
        for sheet in (1, 2):
            # Large enough that a kill often lands inside the write.
            ref = store.spool.write(os.urandom(3 << 20), kind="page", suffix=".pgm")
            pages.append(PageRecord(sheet, "front", ref))
        pdf = store.spool.write(os.urandom(1 << 20), kind="pdf", suffix=".pdf")
        meta = store.spool.write(json.dumps({"number": number.compact}).encode(), kind="metadata", suffix=".json")
        store.commit_appeal(AppealRecord(
            document_id=number.compact, number=number.compact, kind="application", applicant_json="{}",
            pdf=pdf, metadata=meta, pages=pages, sheets=2, received_at=now_iso(), deadline="2026-12-28",
            intake_id=intake,
        ))
        print(f"COMMITTED {number.compact}", flush=True)


if __name__ == "__main__":
    main()
