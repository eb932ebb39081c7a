"""The terminal package's dependencies as written in packaging/debian/control (no build needed)."""

from __future__ import annotations

import subprocess
from email.parser import Parser
from pathlib import Path

from tests.packaging.pkgbuild import ROOT


def _stanzas() -> dict[str, dict[str, str]]:
    text = "\n".join(line for line in (ROOT / "packaging/debian/control").read_text().splitlines()
                     if not line.startswith("#"))
    out = {}
    for block in text.split("\n\n"):
        msg = Parser().parsestr(block.strip() + "\n")
        if msg.get("Package"):
            out[msg["Package"]] = {k: " ".join(v.split()) for k, v in msg.items()}
    return out


def test_the_terminal_speaks_ukrainian_out_of_the_box() -> None:
    """speech-dispatcher with its espeak-ng module (the Ukrainian voice of Qt's speechd engine) is a
    dependency of the terminal, not only a recommendation an installer may skip."""
    t = _stanzas()["appeal-terminal"]
    depends = {d.strip().split()[0] for d in t["Depends"].split(",") if d.strip()}
    assert {"speech-dispatcher", "speech-dispatcher-espeak-ng", "espeak-ng"} <= depends, depends


def test_the_kiosk_session_sets_a_ukrainian_keyboard_layout(tmp_path: Path) -> None:
    """The session script hands cage (libxkbcommon) a Ukrainian layout first, English by Alt+Shift;
    a stand-in cage on PATH records the environment it was started with."""
    cage = tmp_path / "cage"
    cage.write_text('#!/bin/sh\nenv | grep ^XKB_ > "$(dirname "$0")/env.txt"\n')
    cage.chmod(0o755)
    env = {"PATH": f"{tmp_path}:/usr/bin:/bin", "XDG_RUNTIME_DIR": str(tmp_path)}
    subprocess.run(["sh", str(ROOT / "packaging/kiosk-session/appeal-kiosk-session")], env=env, check=True, timeout=30)
    got = dict(line.split("=", 1) for line in (tmp_path / "env.txt").read_text().split())
    assert got == {"XKB_DEFAULT_LAYOUT": "ua,us", "XKB_DEFAULT_OPTIONS": "grp:alt_shift_toggle"}
