"""Package boundaries from ARCHITECTURE.md, checked on the source and at run time."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(folder: Path) -> dict[str, set[str]]:
    """Every absolute import of every module under ``folder``."""
    found: dict[str, set[str]] = {}
    for path in folder.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[str(path.relative_to(folder.parent))] = names
    return found


def offenders(folder: str | Path, forbidden: tuple[str, ...]) -> list[str]:
    bad = []
    for path, names in imported_modules(ROOT / folder).items():
        for n in names:
            if n.split(".")[0] in forbidden or any(n.startswith(f + ".") or n == f for f in forbidden):
                bad.append(f"{path}: {n}")
    return bad


def test_core_imports_no_qt() -> None:
    assert offenders("kiosk_app/core", ("PySide6", "PyQt5", "PyQt6", "shiboken6", "kiosk_app.ui")) == []


def test_core_does_not_load_qt_at_run_time() -> None:
    code = (
        "import pkgutil, importlib, sys, kiosk_app.core as c\n"
        "for m in pkgutil.walk_packages(c.__path__, 'kiosk_app.core.'):\n"
        "    importlib.import_module(m.name)\n"
        "print([k for k in sys.modules if k.startswith(('PySide6', 'shiboken6'))])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def test_devices_import_nothing_of_ours_above_them() -> None:
    assert offenders("devices", ("kiosk_app", "sync_agent", "hardware_sim", "server_stub")) == []


def test_simulators_never_import_the_code_under_test() -> None:
    assert offenders("hardware_sim", ("devices", "kiosk_app", "sync_agent", "server_stub")) == []


def test_sync_agent_never_imports_the_ui() -> None:
    assert offenders("sync_agent", ("kiosk_app.ui", "PySide6")) == []


def test_server_shares_no_code_with_the_terminal() -> None:
    assert offenders("server_stub", ("kiosk_app", "sync_agent", "devices", "hardware_sim")) == []


def test_fails_when_a_qt_import_appears(tmp_path: Path) -> None:
    """The check itself can fail: a module importing Qt is caught."""
    core = tmp_path / "core"
    core.mkdir()
    (core / "bad.py").write_text("import os\nfrom PySide6 import QtCore\n", encoding="utf-8")
    assert offenders(core, ("PySide6",)) == ["core/bad.py: PySide6"]
