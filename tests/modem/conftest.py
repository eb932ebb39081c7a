"""Fixtures of the modem tests: ``sim``, the modem simulator on a pseudo-terminal of its own."""

from __future__ import annotations

from hardware_sim.modem import ModemSim
from tests.support.sims import sim_fixture

sim = sim_fixture(ModemSim, report_delay=0.02)
