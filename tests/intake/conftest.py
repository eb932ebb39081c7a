from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk_app.core.applicant import Applicant
from kiosk_app.core.config import load_kiosk_config
from kiosk_app.core.terminal import Terminal
from tests.intake.simproc import ROOT, Sim, running_sim


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sim]:
    """One simulator per test module: it holds SANE's port 6566 (and its lock) only meanwhile."""
    with running_sim(tmp_path_factory.mktemp("sim")) as s:
        yield s


@pytest.fixture
def terminal(sim: Sim, tmp_path: Path) -> Iterator[Terminal]:
    sim.clear()
    t = Terminal(load_kiosk_config(None, env=sim.env(tmp_path / "store")))
    t.devices.intake.return_sheets()          # whatever an earlier test left inside the machine
    yield t
    t.close()
    sim.clear()


@pytest.fixture
def applicant(terminal: Terminal) -> Applicant:
    return terminal.validate_applicant(json.loads((ROOT / "examples" / "applicant.json").read_text(encoding="utf-8")))
