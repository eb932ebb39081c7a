"""No import circles in the terminal's packages (``kiosk_app``, ``sync_agent``, ``devices``) nor in the city server (``server_stub``).

A circle (a imports b, b imports a, directly or through others) means neither module can be read,
tested or moved alone. The graph is computed from the modules' own source with ``ast``:

* every ``import x.y`` and ``from x import y`` counts, at module level and inside functions (a
  lazy import only hides a circle, it does not open it), relative imports resolved;
* imports under ``if TYPE_CHECKING:`` count too (a type that names its importer is still a circle
  to the reader; use a ``Protocol`` for what one side needs of the other);
* ``importlib.import_module("literal")`` counts; a computed name cannot be followed;
* ``from pkg import name`` points at ``pkg.name`` when that is a module, otherwise at ``pkg``;
  importing ``a.b.c`` does not count as importing ``a/__init__.py`` and ``a/b/__init__.py``
  (Python runs them, but a package's face that hands on its submodules' names is no circle).
"""

from __future__ import annotations

import ast
import graphlib
import itertools
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("kiosk_app", "sync_agent", "devices", "server_stub")


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_names(path: Path, module: str) -> list[tuple[str, str | None]]:
    """(module named, name taken from it or None) for every import in ``path``."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, None) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*up, *([node.module] if node.module else [])])
            found += [(base, a.name) for a in node.names]
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "import_module"
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            found.append((node.args[0].value, None))
    return found


def import_graph(root: Path, packages: tuple[str, ...]) -> dict[str, dict[str, set[str]]]:
    """module -> {module of ours it imports: the names it takes from it}."""
    paths = {_module_name(root, p): p for pkg in packages for p in sorted((root / pkg).rglob("*.py"))}
    graph: dict[str, dict[str, set[str]]] = {}
    for module, path in paths.items():
        edges: dict[str, set[str]] = {}
        for target, name in _imported_names(path, module):
            if name is not None and f"{target}.{name}" in paths:
                target = f"{target}.{name}"
            while target and target not in paths:       # a name inside a module: the module
                target = target.rpartition(".")[0]
            if target and target != module:
                edges.setdefault(target, set()).add(name or "*")
        graph[module] = edges
    return graph


def first_circle(graph: dict[str, dict[str, set[str]]]) -> list[str]:
    """One import circle as 'a -> b: names' lines, or [] when there is none."""
    try:
        graphlib.TopologicalSorter({m: set(e) for m, e in graph.items()}).prepare()
    except graphlib.CycleError as err:
        loop: list[str] = err.args[1]       # [x, ..., x]: each imported by the one after it
        return [f"{b} -> {a}: {', '.join(sorted(graph[b][a]))}" for a, b in itertools.pairwise(loop)]
    return []


def test_no_import_circles_in_the_terminal() -> None:
    graph = import_graph(ROOT, PACKAGES)
    # the packages were read, lazy and relative imports included
    assert {"kiosk_app.core.store", "sync_agent.agent", "devices.errors"} <= graph.keys()
    assert "kiosk_app.core.outbox" in graph["kiosk_app.core.store"]
    assert "kiosk_app.core.server_client" in graph["kiosk_app.core.device_flow"]    # inside functions only
    assert first_circle(graph) == []


def test_the_circle_check_can_fail(tmp_path: Path) -> None:
    """A circle through a relative import, a lazy one and one under TYPE_CHECKING is caught;
    a package's face and a one-way import are not circles."""
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from pkg.a import A\n", encoding="utf-8")
    (pkg / "sub" / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "a.py").write_text("from .sub import b\nA = 1\n", encoding="utf-8")
    (pkg / "sub" / "b.py").write_text("def f():\n    from ..c import C\n", encoding="utf-8")
    (pkg / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import A\nC = 2\n",
                              encoding="utf-8")
    graph = import_graph(tmp_path, ("pkg",))
    assert graph["pkg.a"] == {"pkg.sub.b": {"b"}} and graph["pkg.sub.b"] == {"pkg.c": {"C"}}
    assert sorted(first_circle(graph)) == ["pkg.a -> pkg.sub.b: b", "pkg.c -> pkg.a: A", "pkg.sub.b -> pkg.c: C"]
    (pkg / "c.py").write_text("import importlib\nM = importlib.import_module('pkg.a')\n", encoding="utf-8")
    assert sorted(first_circle(import_graph(tmp_path, ("pkg",))))[1] == "pkg.c -> pkg.a: *"
    (pkg / "c.py").write_text("import os\n", encoding="utf-8")
    assert first_circle(import_graph(tmp_path, ("pkg",))) == []
