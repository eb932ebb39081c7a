"""Every driver's ``from_config`` checks its section the same way (devices/config.py): an unknown
connection names the choices, an unknown key is named, a value of the wrong kind is a
configuration error, and each is raised before any port is opened."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from devices.errors import DeviceConfigError

# driver module -> a connection it does not have
DRIVERS = {
    "barcode_reader": "usb-hid",
    "modem": "usb",
    "intake_mechanism": "tcp",
    "scanner": "twain",
    "form_printer": "lpd",
    "receipt_printer": "bluetooth",
}


def from_config(driver: str, cfg: dict[str, Any]) -> Any:
    return importlib.import_module(f"devices.{driver}").from_config(cfg)


@pytest.mark.parametrize("driver", DRIVERS)
def test_an_unknown_connection_names_the_choices(driver: str) -> None:
    choices = importlib.import_module(f"devices.{driver}").CONNECTIONS
    with pytest.raises(DeviceConfigError, match=f"{DRIVERS[driver]!r}; choose one of: {', '.join(choices)}$"):
        from_config(driver, {"connection": DRIVERS[driver]})


@pytest.mark.parametrize("driver,typo", [("barcode_reader", "prefixx"), ("modem", "prot"),
                                         ("intake_mechanism", "timeout_stapel")])
def test_an_unknown_setting_is_named(driver: str, typo: str) -> None:
    with pytest.raises(DeviceConfigError, match=f"unknown setting\\(s\\) {typo};"):
        from_config(driver, {typo: "3"})


@pytest.mark.parametrize("driver,key", [("barcode_reader", "max_length"), ("intake_mechanism", "retries")])
def test_a_value_of_the_wrong_kind_is_a_configuration_error(driver: str, key: str) -> None:
    with pytest.raises(DeviceConfigError, match="bad setting"):
        from_config(driver, {key: "many"})
