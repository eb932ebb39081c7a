"""The scanner driver's pure parts: SANE status mapping, source/mode choice, configuration."""

from __future__ import annotations

import ctypes
import ctypes.util
import re
from pathlib import Path

import pytest

from devices.errors import DeviceConfigError
from devices.scanner import SETTINGS, SaneScanner, from_config, pick_mode, pick_source, sane_status

ROOT = Path(__file__).resolve().parents[2]
STATUS_NAMES = ["GOOD", "UNSUPPORTED", "CANCELLED", "DEVICE_BUSY", "INVAL", "EOF", "JAMMED", "NO_DOCS",
                "COVER_OPEN", "IO_ERROR", "NO_MEM", "ACCESS_DENIED"]


def test_every_status_text_of_the_installed_libsane_maps_back_to_its_status() -> None:
    """python-sane raises _sane.error(sane_strstatus(status)): the driver must read every one back."""
    path = ctypes.util.find_library("sane") or "libsane.so.1"
    strstatus = ctypes.CDLL(path).sane_strstatus
    strstatus.restype = ctypes.c_char_p
    strstatus.argtypes = [ctypes.c_int]
    for code, name in enumerate(STATUS_NAMES):
        text = strstatus(code).decode()
        assert sane_status(Exception(text)) == name, (code, text)
    assert sane_status(Exception("something else")) == ""


@pytest.mark.parametrize(("choices", "duplex", "expected"), [
    (["Flatbed", "ADF", "ADF Duplex"], False, "ADF"),                          # this project's simulator
    (["Flatbed", "ADF", "ADF Duplex"], True, "ADF Duplex"),
    (["Flatbed", "Automatic Document Feeder"], False, "Automatic Document Feeder"),  # epson2
    (["ADF Front", "ADF Back", "ADF Duplex"], False, "ADF Front"),              # fujitsu
    (["ADF Front", "ADF Back", "ADF Duplex"], True, "ADF Duplex"),
    (["FlatBed", "Automatic Document Feeder(left aligned)"], False,
     "Automatic Document Feeder(left aligned)"),                               # brother
    (["Flatbed", "Automatic Document Feeder"], True, "Automatic Document Feeder"),  # no duplex: simplex
    (["Flatbed", "Transparency Adapter"], False, None),                         # no feeder at all
])
def test_pick_source(choices: list[str], duplex: bool, expected: str | None) -> None:
    assert pick_source(choices, duplex) == expected


def test_pick_mode() -> None:
    assert pick_mode(["Lineart", "Gray", "Color"], "Gray") == "Gray"
    assert pick_mode(["Binary", "Grayscale", "Color"], "Gray") == "Grayscale"
    assert pick_mode(["Lineart", "Color"], "Gray") is None


def test_from_config() -> None:
    s = from_config({"connection": "sane", "device": "net:127.0.0.1:sim-adf", "resolution": 200,
                     "duplex": True, "config_dir": "/etc/appeal/sane.d"})
    assert isinstance(s, SaneScanner)
    assert (s.device, s.resolution, s.duplex, s.page_mm) == ("net:127.0.0.1:sim-adf", 200, True, (210.0, 297.0))
    assert s.env["SANE_CONFIG_DIR"] == "/etc/appeal/sane.d"
    with pytest.raises(DeviceConfigError, match="choose one of: sane"):
        from_config({"connection": "twain"})


def test_every_setting_is_documented() -> None:
    doc = (ROOT / "docs" / "devices" / "scanner.md").read_text(encoding="utf-8")
    for s in SETTINGS:
        assert set(s) == {"key", "default", "unit", "help"}
        assert re.search(rf"`{re.escape(s['key'])}`", doc), s["key"]
