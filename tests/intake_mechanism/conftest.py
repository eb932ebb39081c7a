"""The intake bench: the simulator on a pseudo-terminal in a temp dir, the production driver on it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devices.intake_mechanism import IntakeMechanism, SerialLink
from hardware_sim.intake_mechanism import IntakeMechanismSim
from hardware_sim.paper import PaperPath, ScanNoise, blank_page

# Short but honest timeouts: the simulator answers in milliseconds.
FAST = {"ack_timeout": 0.25, "retries": 2,
        "timeouts": {"HELLO": 0.5, "STATUS": 0.5, "FEED": 0.5, "LABEL": 0.5, "PASS": 0.5,
                     "STAPLE_BIN": 0.5, "RETURN": 0.5, "BIN_EMPTIED": 0.5, "RESET": 0.5}}


@dataclass
class Bench:
    workdir: Path
    paper: PaperPath
    sim: IntakeMechanismSim
    driver: IntakeMechanism

    def load(self, n: int) -> None:
        for i in range(n):
            self.paper.feed_image(blank_page([f"Аркуш {i + 1}"]), source=f"sheet{i + 1}")

    def scan_all(self) -> list:
        out = []
        while self.paper.scanner_has_paper():
            out.append(self.paper.scan_next())
        return out


def make_bench(tmp_path: Path, **sim_kwargs: object) -> Bench:
    paper = PaperPath(ScanNoise(max_skew_deg=0, noise_sigma=0, seed=1))
    sim = IntakeMechanismSim(tmp_path, paper, **sim_kwargs)  # type: ignore[arg-type]
    sim.start()
    driver = IntakeMechanism(SerialLink(str(tmp_path / "intake.tty")), **FAST)  # type: ignore[arg-type]
    return Bench(tmp_path, paper, sim, driver)


@pytest.fixture
def make(tmp_path: Path) -> Iterator[Callable[..., Bench]]:
    """make(**simulator options) -> Bench; everything made is stopped after the test."""
    made: list[Bench] = []

    def _make(**sim_kwargs: object) -> Bench:
        workdir = tmp_path / f"bench{len(made)}"
        workdir.mkdir()
        made.append(make_bench(workdir, **sim_kwargs))
        return made[-1]

    yield _make
    for b in made:
        b.driver.close()
        b.sim.stop()


@pytest.fixture
def bench(make: Callable[..., Bench]) -> Bench:
    return make()
