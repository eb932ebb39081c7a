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
