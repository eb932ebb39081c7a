"""Speech as a device (devices/speech.py): the Debian packages give a Ukrainian voice, and a missing
module or voice is a fault the technician, the heartbeat and the service screen see."""

from __future__ import annotations

import shutil
from pathlib import Path

from devices.speech import from_config
from tests.support.tools import require_tool


def test_the_installed_terminal_has_a_ukrainian_voice() -> None:
    require_tool("espeak-ng", "espeak-ng")
    require_tool("speech-dispatcher", "speech-dispatcher")
    st = from_config({}).status()
    assert st.state == "ready", st
    assert st.consumables == {"engine": "speechd/espeak-ng", "uk_voice": "zle/uk"}


def test_no_ukrainian_voice_is_a_fault(tmp_path: Path) -> None:
    """espeak-ng with a data folder that has no Ukrainian voice (only English, copied)."""
    require_tool("espeak-ng", "espeak-ng")
    require_tool("speech-dispatcher", "speech-dispatcher")
    src = Path("/usr/lib/x86_64-linux-gnu/espeak-ng-data")
    data = tmp_path / "espeak-ng-data"
    shutil.copytree(src, data, ignore=shutil.ignore_patterns("uk_dict", "uk"), symlinks=False)
    st = from_config({"espeak_data": str(tmp_path)}).status()
    assert st.state == "fault" and st.detail == "no_ukrainian_voice", st
    assert st.consumables["uk_voice"] == "none"


def test_no_output_module_is_a_fault(tmp_path: Path) -> None:
    require_tool("speech-dispatcher", "speech-dispatcher")
    st = from_config({"modules_dir": str(tmp_path)}).status()
    assert st.state == "fault" and st.detail == "no_output_module", st
