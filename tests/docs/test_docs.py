"""Every command, subcommand and setting is documented, and every link in docs/ resolves."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest

from kiosk_app.cli import COMMANDS, build_parser
from kiosk_app.core.config import schema

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def text(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def test_every_kioskctl_command_is_in_the_technicians_guide() -> None:
    build_parser()
    guide = text("technicians.md")
    missing = [c.name for c in COMMANDS if f"`kioskctl {c.name}`" not in guide]
    assert missing == []


def test_every_kiosk_setting_is_in_the_configuration_page() -> None:
    page = text("configuration.md")
    missing = [s.key for s in schema() if f"`{s.key}`" not in page]
    assert missing == []


def test_the_configuration_page_is_generated_from_the_declarations() -> None:
    out = subprocess.run([sys.executable, str(ROOT / "packaging" / "dev" / "settings_doc.py"), "--check"],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr


def subcommands(module: str) -> list[str]:
    """The subcommand names a program declares, recorded as its parser is built."""
    names: list[str] = []
    original = argparse._SubParsersAction.add_parser

    def record(self: argparse._SubParsersAction, name: str, **kwargs: object) -> argparse.ArgumentParser:
        names.append(name)
        return original(self, name, **kwargs)

    with mock.patch.object(argparse._SubParsersAction, "add_parser", record), \
            contextlib.redirect_stdout(io.StringIO()), pytest.raises(SystemExit):
        importlib.import_module(module).main(["--help"])
    return names


@pytest.mark.parametrize(("module", "program", "page"), [
    ("hardware_sim.cli", "hardware-sim", "testers.md"),
    ("sync_agent.cli", "sync-agent", "sync-agent.md"),
    ("server_stub.cli", "city-server", "server.md"),
])
def test_every_subcommand_is_documented(module: str, program: str, page: str) -> None:
    if not (DOCS / page).exists():
        pytest.fail(f"docs/{page} is missing")
    names = subcommands(module)
    assert names, f"{program} lists no subcommands"
    doc = text(page)
    assert [n for n in names if f"{program} {n}" not in doc] == []


def test_every_console_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    scripts = re.findall(r'^([a-z-]+) = "', pyproject.split("[project.scripts]")[1].split("[")[0], flags=re.M)
    assert set(scripts) == {"kiosk", "kioskctl", "sync-agent", "hardware-sim", "city-server"}
    assert [s for s in scripts if f"`{s}`" not in readme] == []


def test_links_in_docs_resolve() -> None:
    broken = []
    for md in [*DOCS.rglob("*.md"), ROOT / "README.md"]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", md.read_text(encoding="utf-8")):
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (md.parent / target).exists():
                broken.append(f"{md.relative_to(ROOT)} -> {target}")
    assert broken == []
