"""The terminal package's dependencies as written in packaging/debian/control (no build needed)."""

from __future__ import annotations

from email.parser import Parser

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
