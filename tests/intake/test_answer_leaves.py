"""An answer PDF kept for reprint leaves the terminal once the resident has it on paper
(issue 12, terminal files): printed through the facade on the simulated form printer, the
spool file is gone, the record stays, and the next lookup no longer finds it here."""

from __future__ import annotations

import hashlib
import io

from PIL import Image

from kiosk_app.core import access
from kiosk_app.core.store import AppealRecord
from kiosk_app.core.terminal import Terminal
from tests.intake.simproc import Sim

CODE = access.new_code()


def _appeal_with_an_answer(terminal: Terminal, answer: bytes) -> str:
    """An appeal committed here (its receipt code hashed as the intake does) and its answer stored
    the way the sync agent stores it."""
    store = terminal.store
    intake, number = store.start_intake()
    pdf = store.spool.write(b"%PDF-1.4 the appeal", kind="pdf", suffix=".pdf")
    meta = store.spool.write(b"{}", kind="metadata", suffix=".json")
    store.commit_appeal(AppealRecord(number.compact, number.compact, "application", "{}", pdf, meta, [], 1,
                                     "2026-11-28T21:50:00+00:00", "2026-12-28", intake_id=intake,
                                     access_hash=access.hash_code(CODE)))
    sha = hashlib.sha256(answer).hexdigest()
    store.outbox.answer_published(number.compact, {"id": "b" * 32, "url": "/answers/b.pdf", "sha256": sha,
                                                   "size": len(answer)}, "SMS text")
    download = store.spool.tmp / "answer-b.download"
    with store.spool.open_private(download) as f:
        f.write(answer)
    store.outbox.answer_stored("b" * 32, number.compact,
                               store.spool.place(download, kind="answer", sha256=sha, suffix=".pdf"))
    return number.display


def test_a_printed_answer_leaves_the_terminal(terminal: Terminal, sim: Sim) -> None:
    page = io.BytesIO()
    Image.new("L", (200, 280), 255).save(page, format="PDF", title="the council's answer")
    answer = page.getvalue()
    number = _appeal_with_an_answer(terminal, answer)
    kept = list((terminal.store.spool.root / "answer").rglob("*.pdf"))
    assert len(kept) == 1
    jobs = sim.state()["devices"]["form_printer"]["jobs"]
    found = terminal.lookup(number, CODE)
    assert found.source == "local" and found.pdf == answer
    terminal.print_answer(found)
    assert sim.state()["devices"]["form_printer"]["jobs"] == jobs + 1     # it went to paper
    assert not kept[0].exists()                                           # and left the spool
    again = terminal.answer(number, CODE)
    assert again.pdf is None and again.state == "committed"            # only the status is known here
    events = [r["event"] for r in terminal.store.db.query("SELECT event FROM events ORDER BY id")]
    assert events[-2:] == ["answer_printed", "answer_purged"]
    assert terminal.store.check(full=True) == []
