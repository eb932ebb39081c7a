"""Every city-server command is documented in docs/server.md, with its help naming an example."""

from __future__ import annotations

from pathlib import Path

from server_stub.cli import build_parser

DOC = (Path(__file__).resolve().parents[2] / "docs" / "server.md").read_text(encoding="utf-8")


def test_every_command_is_in_the_docs() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    names = sorted(sub.choices)  # type: ignore[attr-defined]
    assert {"run", "issue-terminal-credential", "revoke-terminal-credential", "edms-import", "edms-answer",
            "manage"} <= set(names)
    for name in names:
        assert f"`city-server {name}" in DOC, f"{name} is not in docs/server.md"
    for action in sub._choices_actions:  # type: ignore[attr-defined]
        assert "city-server" in (action.help or ""), f"{action.dest}: help without an example"


def test_every_environment_setting_is_in_the_docs() -> None:
    """Every CITY_SERVER_* variable the server or its packaged configuration names is documented in
    docs/ by its full name."""
    import re

    root = Path(__file__).resolve().parents[2]
    sources = [*sorted((root / "server_stub").rglob("*.py")), *sorted((root / "packaging").rglob("*"))]
    named = {m for f in sources if f.is_file() and "migrations" not in f.parts
             for m in re.findall(r"CITY_SERVER_[A-Z0-9_]*[A-Z0-9](?![A-Z0-9_])", f.read_text(encoding="utf-8", errors="replace"))}
    docs = "\n".join(p.read_text(encoding="utf-8") for p in sorted((root / "docs").glob("*.md")))
    assert len(named) > 20
    assert sorted(v for v in named if f"`{v}`" not in docs) == []
