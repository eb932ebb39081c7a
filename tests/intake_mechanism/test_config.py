"""from_config and SETTINGS of the intake driver."""

from __future__ import annotations

from pathlib import Path

import pytest

from devices.errors import DeviceConfigError
from devices.intake_mechanism import SETTINGS, IntakeMechanism, from_config


def test_defaults_and_overrides() -> None:
    drv = from_config({"port": "/dev/ttyUSB3", "timeout_staple": 12, "retries": 5})
    assert isinstance(drv, IntakeMechanism)
    assert drv.link.port == "/dev/ttyUSB3" and drv.link.baudrate == 115200
    assert drv.timeouts["STAPLE_BIN"] == 12.0 and drv.timeouts["LABEL"] == 5.0 and drv.retries == 5


def test_bad_config_names_the_choices() -> None:
    with pytest.raises(DeviceConfigError, match="choose one of: serial"):
        from_config({"connection": "tcp"})
    with pytest.raises(DeviceConfigError, match="timeout_stapel"):
        from_config({"timeout_stapel": 3})
    with pytest.raises(DeviceConfigError):
        from_config({"retries": "many"})


def test_every_setting_is_documented() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "intake-protocol.md").read_text(encoding="utf-8")
    for s in SETTINGS:
        assert set(s) == {"key", "default", "unit", "help"}
        assert f"`{s['key']}`" in doc, s["key"]
