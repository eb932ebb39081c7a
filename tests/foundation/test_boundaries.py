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


# -- one owner of the terminal's state ---------------------------------------------------------------
STATE_OWNERS = {"kiosk_app/core/store.py", "kiosk_app/core/outbox.py", "kiosk_app/core/store_base.py",
                "kiosk_app/core/migrations.py"}
_WRITE_SQL = re.compile(r"\b(INSERT\s+(OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE\s+\S+\s+SET|DELETE\s+FROM)\b"
                        r"|^\s*(INSERT|UPDATE|DELETE|REPLACE)\s", re.IGNORECASE)
_WRITE_CALLS = {"insert", "insert_all", "upsert", "upsert_all", "update", "delete", "delete_where"}


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _is_db_table(node: ast.expr) -> bool:
    """``db[...]``, ``x.db[...]`` or ``x.db.table(...)``: a sqlite-utils table."""
    if isinstance(node, ast.Subscript):
        base = node.value
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "table":
        base = node.func.value
    else:
        return False
    return (isinstance(base, ast.Name) and base.id == "db") or (isinstance(base, ast.Attribute) and base.attr == "db")


def write_sql(folder: Path, allowed: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """Every SQL text that writes (INSERT/UPDATE/DELETE/REPLACE, in plain or f-strings) and every
    sqlite-utils write (``db[table].insert(...)``...) in the modules under ``folder``."""
    bad = []
    for path in sorted(folder.rglob("*.py")):
        rel = str(path.relative_to(folder.parent))
        if rel in allowed:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        in_fstrings = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
        for node in ast.walk(tree):
            text = None
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs | in_fstrings:
                text = node.value
            elif isinstance(node, ast.JoinedStr):
                text = "".join(v.value if isinstance(v, ast.Constant) else "x" for v in node.values)
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and node.func.attr in _WRITE_CALLS and _is_db_table(node.func.value)):
                bad.append(f"{rel}:{node.lineno}: sqlite-utils .{node.func.attr}()")
            if text is not None and _WRITE_SQL.search(text):
                bad.append(f"{rel}:{node.lineno}: {' '.join(text.split())[:70]}")
    return bad


def test_no_sql_writes_outside_the_store() -> None:
    """The store (store.py with outbox.py beside it, and its migrations) is the only module that
    changes the terminal's state; the sync agent, the OCR job, the terminal and the intake call it."""
    found = write_sql(ROOT / "kiosk_app", {f"kiosk_app/{p.split('/', 1)[1]}" for p in STATE_OWNERS})
    assert found == []
    assert write_sql(ROOT / "sync_agent") == []


def test_write_sql_check_can_fail(tmp_path: Path) -> None:
    """The check itself catches plain, f-string, mixed-case and sqlite-utils writes, and leaves
    reads, docstrings and English prose alone."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "bad.py").write_text(
        '"""Docstring: INSERT INTO x is only mentioned."""\n'
        'def a(c, t):\n'
        '    c.execute("SELECT * FROM appeals")\n'
        '    c.execute("update outbox set state=? WHERE id=?", (1, 2))\n'
        '    c.execute(f"DELETE FROM {t} WHERE id=1")\n'
        '    c.execute("INSERT OR IGNORE INTO files (path) VALUES (?)", ("p",))\n'
        '    c.db["events"].insert({"event": "x"})\n'
        '    d = {"a": {}}\n'
        '    d["a"].update({"b": 1})\n'
        '    print("please update the number and set it again")\n', encoding="utf-8")
    found = write_sql(pkg)
    assert sorted(f.split(":")[1] for f in found) == ["4", "5", "6", "7"], found
