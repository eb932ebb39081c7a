"""The UI tests: the kiosk window offscreen (pytest-qt) against a hardware-sim process."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from kiosk_app.ui.testbench import SimBench


@pytest.fixture(scope="session")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimBench]:
    b = SimBench(tmp_path_factory.mktemp("uisim")).start()
    yield b
    b.stop()


@pytest.fixture
def make_window(qtbot: Any, bench: SimBench, tmp_path: Path) -> Iterator[Any]:
    from kiosk_app.core.config import load_kiosk_config
    from kiosk_app.ui.main import terminal_opener
    from kiosk_app.ui.window import KioskWindow

    made: list[Any] = []

    def make(in_process: bool = False, **env: str) -> Any:
        """The window as ``kiosk`` builds it: the terminal in its helper process (or, with
        ``in_process``, on the worker thread), opened on the worker after welcome is up."""
        full_env = bench.env(tmp_path / f"store{len(made)}", **env)
        cfg = load_kiosk_config("/nonexistent/kiosk.toml", env=full_env)
        win = KioskWindow(terminal_opener(cfg, "/nonexistent/kiosk.toml", full_env, in_process=in_process), cfg=cfg,
                          speech_engine="mock")
        win.resize(1920, 1080)
        qtbot.addWidget(win)
        win.show()
        made.append(win)
        return win

    yield make
    for win in made:
        win.idle.stop()
        win.reader_timer.stop() if hasattr(win, "reader_timer") else None
        win.worker.wait(30000)
        if win.t is not None:
            win.t.close()


@pytest.fixture
def window(make_window: Any) -> Any:
    return make_window()
