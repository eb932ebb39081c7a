"""Simulators as pytest fixtures: one started per test in its own folder, stopped afterwards.

    escpos_sim = sim_fixture(EscposPrinterSim, port=0)      # in a conftest or a test module
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol, TypeVar


class Startable(Protocol):
    def start(self) -> Any: ...

    def stop(self) -> Any: ...


S = TypeVar("S", bound=Startable)


@contextlib.contextmanager
def running(sim: S) -> Iterator[S]:
    """``sim`` started for the ``with`` block, stopped however the block ends."""
    sim.start()
    try:
        yield sim
    finally:
        sim.stop()


def sim_fixture(make: Callable[..., S], **kwargs: Any) -> Callable[..., Iterator[S]]:
    """A function-scoped fixture yielding ``make(tmp_path, **kwargs)``, running."""
    import pytest

    @pytest.fixture
    def fixture(tmp_path: Path) -> Iterator[S]:
        with running(make(tmp_path, **kwargs)) as sim:
            yield sim

    return fixture
