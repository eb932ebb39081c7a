"""What ships: the wheel built from this tree holds the programs and no test or demo module.

The rule (:func:`modules_of_tests_or_demos`) goes by file name: ``test_*.py``, ``*_test.py``,
``conftest.py``, ``testing.py``, ``testbench.py``, ``demo.py``, ``demo_*.py``, ``fake*.py``,
``mock*.py``, or anything under a ``tests``/``testing`` folder. One allowance, named here: the
city server's ``<app>/demo.py`` modules are its demo data, which ``city-server run`` loads unless
``--no-demo`` (a documented feature of the server, not test code). The terminal's packages
(kiosk_app, devices, sync_agent) and the simulator have no allowance at all.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEST_OR_DEMO = re.compile(r"^(test_.*|.*_test|conftest|tests?|testing|testbench|demo|demo_.*|fake.*|mock.*)\.py$")
SERVER_DEMO_DATA = re.compile(r"^server_stub/(?:standins/)?\w+/demo\.py$")


def modules_of_tests_or_demos(names: Iterable[str]) -> list[str]:
    """The entries of a package listing that are test or demo code (see the module's docstring)."""
    found = []
    for name in names:
        parts = name.strip("/").split("/")
        if not parts[-1].endswith(".py") or SERVER_DEMO_DATA.match(name):
            continue
        if TEST_OR_DEMO.match(parts[-1]) or {"tests", "testing"} & set(parts[:-1]):
            found.append(name)
    return sorted(found)


def test_the_rule_names_test_and_demo_modules_and_lets_programs_pass() -> None:
    shipped_code = ["kiosk_app/ui/window.py", "hardware_sim/bench.py", "devices/receipt_printer.py",
                    "server_stub/core/demo.py", "server_stub/standins/bankid/demo.py", "kiosk_app/ui/i18n/uk.qm",
                    "sync_agent/testimony.py", "kiosk_app/core/attest.py"]
    test_code = ["kiosk_app/ui/testing.py", "kiosk_app/ui/testbench.py", "sync_agent/demo.py",
                 "devices/test_modem.py", "kiosk_app/core/numbering_test.py", "kiosk_app/conftest.py",
                 "kiosk_app/tests/helpers.py", "hardware_sim/fake_printer.py", "kiosk_app/demo_walk.py",
                 "server_stub/core/demo/helpers/demo.py"]
    assert modules_of_tests_or_demos(shipped_code) == []
    assert modules_of_tests_or_demos(shipped_code + test_code) == sorted(test_code)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--disable-pip-version-check",
                           "--wheel-dir", str(out), str(ROOT)], capture_output=True, text=True, timeout=600,
                          check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    [whl] = out.glob("appeal_terminal-*.whl")
    return whl


def test_the_wheel_ships_every_program_and_no_test_or_demo_module(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for entry in ("kiosk_app/ui/main.py", "kiosk_app/cli.py", "sync_agent/cli.py", "hardware_sim/cli.py",
                  "server_stub/cli.py", "devices/receipt_printer.py"):
        assert entry in names
    assert modules_of_tests_or_demos(names) == []
