"""Must-show 3 of the intake issue: every device fault injected during an intake ends as
specified, with the resident's message checked."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from devices.errors import PaperOut
from kiosk_app.core import access, messages
from kiosk_app.core.applicant import Applicant
from kiosk_app.core.intake import Intake, IntakeStopped, Progress
from kiosk_app.core.terminal import Terminal
from tests.intake.simproc import SHEETS, Sim

PAGES = [SHEETS / "appeal-page1.png", SHEETS / "appeal-page2.png", SHEETS / "appeal-page1.png"]


def inject_at(sim: Sim, step: str, sheet: int | None, device: str, fault: str) -> Callable[[Progress], None]:
    """A progress callback that injects the fault once, when the intake reaches (step, sheet)."""
    done: list[bool] = []

    def on_progress(p: Progress) -> None:
        if not done and p.step == step and (sheet is None or p.sheet == sheet):
            done.append(True)
            sim.fault(device, fault)
    return on_progress


def start(terminal: Terminal, sim: Sim, applicant: Applicant, progress: Callable[[Progress], None] | None = None,
          pages: int = 3) -> Intake:
    sim.feed(*PAGES[:pages])
    return terminal.begin_intake(applicant, sms=True, progress=progress)


def bin_sets(sim: Sim) -> int:
    return sim.state()["paper"]["bin"]["sets"]


@pytest.mark.parametrize(("device", "fault", "step", "code", "words"), [
    ("scanner", "jam", "scan", "jam", "Аркуш 2 застряг у сканері"),
    ("scanner", "cover_open", "scan", "cover_open", "Відкрита кришка сканера"),
    ("intake", "jam", "feed", "jam", "Аркуш 2 застряг у механізмі подачі"),
    ("intake", "door_open", "label", "door_open", "Відкриті дверцята"),
])
def test_fault_mid_batch_keeps_scanned_sheets_and_resumes(terminal: Terminal, sim: Sim, applicant: Applicant,
                                                          device: str, fault: str, step: str, code: str, words: str) -> None:
    intake = start(terminal, sim, applicant, inject_at(sim, step, 2, device, fault))
    with pytest.raises(IntakeStopped) as stop:
        intake.scan()
    assert stop.value.device == device and stop.value.code == code and stop.value.sheet == 2
    assert stop.value.resumable and words in stop.value.text("uk")
    assert stop.value.text("en") and stop.value.text("en") != stop.value.text("uk")
    assert [s.sheet for s in intake.done] == [1]                 # what was scanned is kept
    sim.clear(device)                                            # the resident fixed it
    intake.scan()
    result = intake.confirm()
    assert result.sheets == 3 and result.receipt_printed and result.archive == "binned"
    # What went into the archive box, as the simulated paper path saw it: the resident's three
    # sheets in their order, each labelled (every time it was) with <compact number>-<sheet>.
    archived = sim.state()["paper"]["bin"]["contents"][-1]["sheets"]
    assert [Path(s["source"]).name for s in archived] == [p.name for p in PAGES]
    compact = intake.number.compact
    assert [{label["barcode"] for label in s["labels"]} for s in archived] == [
        {f"{compact}-01"}, {f"{compact}-02"}, {f"{compact}-03"}]
    assert [s.label for s in intake.done] == [s["labels"][-1]["barcode"] for s in archived]


def test_double_feed_is_explained(terminal: Terminal, sim: Sim, applicant: Applicant) -> None:
    intake = start(terminal, sim, applicant, inject_at(sim, "scan", 1, "scanner", "double_feed"))
    with pytest.raises(IntakeStopped) as stop:
        intake.scan()
    assert stop.value.code == "double_feed" and "два аркуші" in stop.value.text("uk")
    intake.cancel("test: double feed")
    assert terminal.store.number_state(intake.number.compact)["state"] == "void"


def test_scanner_unplugged_ends_the_intake(terminal: Terminal, sim: Sim, applicant: Applicant) -> None:
    intake = start(terminal, sim, applicant, inject_at(sim, "scan", 2, "scanner", "unplugged_mid_batch"))
    with pytest.raises(IntakeStopped) as stop:
        intake.scan()
    assert not stop.value.resumable and stop.value.message.staff
    assert "Заберіть свої аркуші" in stop.value.text("uk")
    sets = bin_sets(sim)
    intake.cancel("scanner unplugged")
    row = terminal.store.number_state(intake.number.compact)
    assert row["state"] == "void" and row["void_reason"] == "scanner unplugged"
    assert bin_sets(sim) == sets                                 # nothing unverified went into the archive
    assert sim.state()["paper"]["stacker"] == []                 # the sheets went back to the resident


def test_receipt_printer_out_of_paper_after_commit(terminal: Terminal, sim: Sim, applicant: Applicant) -> None:
    intake = start(terminal, sim, applicant, pages=1)
    intake.scan()
    sim.fault("receipt_printer", "paper_out")
    printed = len(sim.receipts())
    result = intake.confirm()
    assert not result.receipt_printed
    assert [m.code for m in result.notices] == ["receipt_paper_out"]
    assert "звернення збережено" in result.notices[0].text("uk")
    assert terminal.store.appeal(intake.number.compact)["state"] == "committed"     # the appeal stands
    assert terminal.store.check() == []
    assert len(sim.receipts()) == printed
    code = terminal.store.receipt_code(intake.number.compact)     # kept: the resident has no receipt yet
    assert code and access.verify(code, terminal.store.access_hash(intake.number.compact))
    sim.clear("receipt_printer")                                 # paper replaced: reprint
    assert terminal.reprint_receipt(intake.number.display) == []
    assert intake.number.display in sim.receipts()[-1]["text"]
    assert access.display(code) in sim.receipts()[-1]["text"]     # the reprint carries the code...
    assert terminal.store.receipt_code(intake.number.compact) is None   # ...and the store forgets it


def test_staples_out_archives_unstapled(terminal: Terminal, sim: Sim, applicant: Applicant) -> None:
    intake = start(terminal, sim, applicant, pages=2)
    intake.scan()
    sim.fault("intake", "staples_out")
    result = intake.confirm()
    assert result.archive == "binned" and not result.stapled
    assert [m.code for m in result.notices] == ["staples_out"]
    assert sim.state()["paper"]["bin"]["contents"][-1]["stapled"] is False


def test_bin_full_holds_the_sheets_for_the_technician(terminal: Terminal, sim: Sim, applicant: Applicant) -> None:
    intake = start(terminal, sim, applicant, pages=1)
    intake.scan()
    sim.fault("intake", "bin_full")
    result = intake.confirm()
    assert result.archive == "held" and [m.code for m in result.notices] == ["bin_full"]
    assert "до приходу техніка" in result.notices[0].text("uk")
    entry = terminal.box()["entries"][-1]
    assert entry["document_id"] == intake.number.compact and entry["state"] == "held"


def test_empty_tray_issues_no_number(terminal: Terminal, sim: Sim, applicant: Applicant) -> None:
    with pytest.raises(IntakeStopped) as stop:
        terminal.begin_intake(applicant, sms=False)
    assert stop.value.code == "tray_empty" and "Покладіть" in stop.value.text("uk")
    assert list(terminal.store.db.query("SELECT * FROM numbers")) == []


def test_unreadable_label_returns_every_sheet_unarchived(sim: Sim, tmp_path, applicant: Applicant) -> None:
    """A label printed off the sheet's right edge cannot be read back: the intake stops, the sheets come
    back to the resident, nothing goes into the archive."""
    from kiosk_app.core.config import load_kiosk_config
    env = sim.env(tmp_path / "store") | {"KIOSK_INTAKE_LABEL_X": "200"}
    t = Terminal(load_kiosk_config(None, env=env))
    try:
        t.devices.intake.return_sheets()
        sets = bin_sets(sim)
        intake = start(t, sim, applicant, pages=2)
        with pytest.raises(IntakeStopped) as stop:
            intake.scan()
        assert stop.value.code == "label_unreadable" and stop.value.sheet == 1
        assert stop.value.text("uk") == messages.for_code("*", "label_unreadable").text("uk")
        assert intake.done == []
        paper = sim.state()["paper"]
        assert paper["stacker"] == [] and paper["scanner_input"] == [] and paper["label_station"] is None
        assert bin_sets(sim) == sets
        intake.cancel("test: unreadable label")
    finally:
        t.close()


def test_form_printer_out_of_paper(terminal: Terminal, sim: Sim, applicant: Applicant) -> None:
    sim.fault("form_printer", "paper_out")
    with pytest.raises(PaperOut) as err:
        terminal.print_form(applicant)
    assert "власному аркуші" in messages.for_error(err.value, "form_printer").text("uk")
