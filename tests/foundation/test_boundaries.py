"""Package boundaries from ARCHITECTURE.md, checked on the source and at run time."""

from __future__ import annotations

import ast
import re
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


# -- the UI drives the terminal through its facade only; screens keep their state in attributes ----
SQL = re.compile(r"\b(SELECT\b.+\bFROM|INSERT\s+INTO|UPDATE\b.+\bSET|DELETE\s+FROM|CREATE\s+TABLE|PRAGMA)\b",
                 re.IGNORECASE | re.DOTALL)


def sql_strings(folder: Path) -> list[str]:
    """String constants (and f-string parts) that read as SQL, under ``folder``."""
    found = []
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
                found.append(f"{path.relative_to(folder.parent)}:{node.lineno}")
    return found


def getattr_on_self(folder: Path) -> list[str]:
    """``getattr(self, ...)``/``hasattr(self, ...)``: state that may or may not be there."""
    found = []
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "hasattr")
                    and node.args and isinstance(node.args[0], ast.Name) and node.args[0].id == "self"):
                found.append(f"{path.relative_to(folder.parent)}:{node.lineno}")
    return found


def long_modules(root: Path, limit: int = 600) -> list[str]:
    skip = {".venv", ".git", "node_modules", "migrations", "dist", "build"}  # build output is not ours
    return [f"{p.relative_to(root)}: {n}" for p in sorted(root.rglob("*.py"))
            if not skip & set(p.relative_to(root).parts)
            and (n := len(p.read_text(encoding="utf-8", errors="replace").splitlines())) > limit]


def test_ui_imports_neither_devices_nor_sqlite_nor_the_store() -> None:
    assert offenders("kiosk_app/ui", ("devices", "sqlite3", "sqlite_utils", "kiosk_app.core.store")) == []


def test_ui_contains_no_sql() -> None:
    assert sql_strings(ROOT / "kiosk_app" / "ui") == []


def test_ui_keeps_no_state_behind_getattr_on_self() -> None:
    assert getattr_on_self(ROOT / "kiosk_app" / "ui") == []


def test_no_module_over_600_lines() -> None:
    assert long_modules(ROOT) == []


def test_the_ui_checks_themselves_can_fail(tmp_path: Path) -> None:
    ui = tmp_path / "ui"
    ui.mkdir()
    (ui / "bad.py").write_text(
        "import sqlite3\nfrom devices.receipt_printer import test_receipt\n"
        "class W:\n    def f(self, db):\n        t = getattr(self, 'reader_timer', None)\n"
        "        return db.query(f\"SELECT state, count(*) FROM outbox WHERE id={t}\")\n"
        + "x = 1\n" * 600, encoding="utf-8")
    assert sorted(offenders(ui, ("devices", "sqlite3"))) == ["ui/bad.py: devices.receipt_printer", "ui/bad.py: sqlite3"]
    assert sql_strings(ui) == ["ui/bad.py:6"]
    assert getattr_on_self(ui) == ["ui/bad.py:5"]
    assert long_modules(tmp_path) == ["ui/bad.py: 606"]
