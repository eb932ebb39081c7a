"""The kiosk's answer lookup is a door too (issue 12, docs/receipt.md): an appeal taken at this
terminal gives neither status nor answer for its number alone; with the receipt's code (typed,
or the QR code's status link scanned) it does; wrong codes lock the number after five tries and
leave an event for the technician. The code is on the receipt and nowhere else."""

from __future__ import annotations

import re
import time

import pytest

from kiosk_app.core import access
from kiosk_app.core.answers import NUMBER_TRIES, WINDOW_S, AccessDenied, AccessKeys, AccessLocked
from kiosk_app.core.applicant import Applicant
from kiosk_app.core.terminal import Terminal
from tests.intake.simproc import Sim
from tests.intake.test_intake_faults import start


def receipt_code(sim: Sim) -> str:
    shown = re.search(r"Код доступу / Access code\n([0-9A-Z]{5}-[0-9A-Z]{5})\n", sim.receipts()[-1]["text"])
    assert shown, sim.receipts()[-1]["text"]
    return shown[1]


def test_lookup_needs_the_receipt_code_and_locks_after_wrong_ones(terminal: Terminal, sim: Sim,
                                                                   applicant: Applicant) -> None:
    intake = start(terminal, sim, applicant, pages=1)
    intake.scan()
    intake.confirm()
    number, code = intake.number, receipt_code(sim)
    with pytest.raises(AccessDenied) as no_code:
        terminal.lookup(number.display)
    assert not isinstance(no_code.value, AccessLocked)
    # the receipt's code typed (any case, hyphen or not), or its QR code scanned
    found = terminal.lookup(number.display, code.lower())
    assert found.state == "committed" and found.deadline == intake.result.deadline   # type: ignore[union-attr]
    assert terminal.lookup(access.status_link(terminal.cfg["terminal.status_url"], number.compact, code)).state \
        == "committed"
    # wrong codes: four refusals counting down, the fifth locks; then the right code is refused too
    left = []
    for _ in range(NUMBER_TRIES - 1):
        with pytest.raises(AccessDenied) as wrong:
            terminal.lookup(number.display, access.new_code())
        assert not isinstance(wrong.value, AccessLocked)
        left.append(wrong.value.tries_left)
    assert left == [4, 3, 2, 1]
    with pytest.raises(AccessLocked):
        terminal.lookup(number.display, access.new_code())
    with pytest.raises(AccessLocked):
        terminal.lookup(number.display, code)
    # the technician's entry, without the code
    events = list(terminal.store.db.query("SELECT document_id, detail_json FROM events WHERE event='access_locked'"))
    assert [(e["document_id"], e["detail_json"]) for e in events] == [(number.compact, '{"scope": "number"}')]
    # the lockout is in the store, not the process: a fresh checker still refuses; after the window it lets in
    with pytest.raises(AccessLocked):
        AccessKeys(terminal.store).check(number.compact, code, terminal.store.access_hash(number.compact) or "")
    terminal.keys = AccessKeys(terminal.store, clock=lambda: time.time() + WINDOW_S + 1)
    assert terminal.lookup(number.display, code).state == "committed"
    dump = "\n".join(str(r) for t in ("appeals", "events", "intakes", "access_failures")
                     for r in terminal.store.db.query(f"SELECT * FROM {t}"))
    assert code.replace("-", "") not in dump, "the store keeps no code once the receipt is printed"
