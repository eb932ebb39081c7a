"""The udev rules (packaging/udev/60-appeal-terminal.rules), checked without udevd: Debian 12's
udev (252) has no ``udevadm verify`` (it came in 254), and ``udevadm test`` needs the real device.
So: every line is parsed by the grammar of udev(7) (KEY[{attr}] OP "value", match keys with ==/!=,
assignment keys with = += -= :=, GOTO targets that exist), and the rules are evaluated on the
properties of the example devices (as ``udevadm info --attribute-walk`` shows them) to see which
stable names and permissions each one gets."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

RULES = Path(__file__).resolve().parents[2] / "packaging" / "udev" / "60-appeal-terminal.rules"

MATCH_KEYS = {"ACTION", "DEVPATH", "KERNEL", "NAME", "SYMLINK", "SUBSYSTEM", "DRIVER", "ATTR", "SYSCTL",
              "KERNELS", "SUBSYSTEMS", "DRIVERS", "ATTRS", "TAGS", "TAG", "ENV", "CONST", "TEST", "PROGRAM", "RESULT"}
ASSIGN_KEYS = {"NAME", "SYMLINK", "OWNER", "GROUP", "MODE", "SECLABEL", "ATTR", "SYSCTL", "ENV", "TAG", "RUN",
               "LABEL", "GOTO", "IMPORT", "OPTIONS"}
ATTR_KEYS = {"ATTR", "SYSCTL", "ATTRS", "ENV", "CONST", "TEST", "SECLABEL", "RUN", "IMPORT"}
ITEM = re.compile(r'\s*(?P<key>[A-Z]+)(?:\{(?P<attr>[^}]*)\})?\s*(?P<op>==|!=|\+=|-=|:=|=)\s*"(?P<value>[^"]*)"\s*(?:,|$)')


@dataclass
class Rule:
    line: int
    items: list[tuple[str, str | None, str, str]] = field(default_factory=list)


def parse(text: str) -> list[Rule]:
    rules: list[Rule] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        rule, pos = Rule(n), 0
        while pos < len(line):
            m = ITEM.match(line, pos)
            assert m, f"line {n}: cannot parse at column {pos + 1}: {line[pos:pos + 40]!r}"
            key, attr, op, value = m["key"], m["attr"], m["op"], m["value"]
            if op in ("==", "!="):
                assert key in MATCH_KEYS, f"line {n}: {key} is not a match key"
            else:
                assert key in ASSIGN_KEYS, f"line {n}: {key} cannot be assigned"
            assert (attr is not None) == (key in ATTR_KEYS) or key == "RUN", f"line {n}: {key} and {{attr}}"
            rule.items.append((key, attr, op, value))
            pos = m.end()
        rules.append(rule)
    labels = {v for r in rules for k, _a, _o, v in r.items if k == "LABEL"}
    for r in rules:
        for k, _a, _o, v in r.items:
            if k == "GOTO":
                assert v in labels, f"line {r.line}: GOTO {v} has no LABEL"
    return rules


@dataclass
class Device:
    """What udev knows of a device: its own keys, and ATTRS of it and its parents (USB device)."""
    subsystem: str
    kernel: str
    attrs: dict[str, str] = field(default_factory=dict)       # ATTRS{} (walking up the parents)
    own_attrs: dict[str, str] = field(default_factory=dict)   # ATTR{}
    env: dict[str, str] = field(default_factory=dict)
    action: str = "add"


def apply(rules: list[Rule], dev: Device) -> dict[str, object]:
    """Run the rules on ``dev`` (match keys with shell globs, as udev does); the assignments made."""
    out: dict[str, object] = {"SYMLINK": []}
    skip_to: str | None = None
    for r in rules:
        if skip_to is not None:
            if ("LABEL", None, "=", skip_to) in r.items:
                skip_to = None
            continue
        matched = True
        for key, attr, op, value in r.items:
            if op not in ("==", "!="):
                continue
            have = {"ACTION": dev.action, "SUBSYSTEM": dev.subsystem, "KERNEL": dev.kernel,
                    "ATTRS": dev.attrs.get(attr or ""), "ATTR": dev.own_attrs.get(attr or ""),
                    "ENV": dev.env.get(attr or "")}.get(key)
            ok = have is not None and any(fnmatch.fnmatchcase(have, alt) for alt in value.split("|"))
            if ok != (op == "=="):
                matched = False
                break
        if not matched:
            continue
        for key, attr, op, value in r.items:
            if op in ("==", "!="):
                continue
            if key == "ENV":
                out[f"ENV{{{attr}}}"] = value
            elif key == "GOTO":
                skip_to = value
            elif key == "SYMLINK":
                out["SYMLINK"].append(value)  # type: ignore[union-attr]
            elif key not in ("LABEL",):
                out[key] = value
    return out


@pytest.fixture(scope="module")
def rules() -> list[Rule]:
    return parse(RULES.read_text(encoding="utf-8"))


def test_every_line_parses_and_names_the_four_devices(rules: list[Rule]) -> None:
    links = sorted(v for r in rules for k, _a, _o, v in r.items if k == "SYMLINK")
    assert links == ["appeal/barcode", "appeal/intake", "appeal/modem", "appeal/receipt-printer"]
    for r in rules:
        for key, attr, _op, value in r.items:
            if attr in ("idVendor", "idProduct"):
                assert re.fullmatch(r"[0-9a-f]{4}", value), f"line {r.line}: {attr} {value!r}"
            if key == "MODE":
                assert value == "0660"


def test_the_parser_refuses_broken_lines() -> None:
    with pytest.raises(AssertionError, match="cannot parse"):
        parse('SUBSYSTEM=="tty", ATTRS{idVendor}=="1e0e" SYMLINK+="x"')      # a missing comma
    with pytest.raises(AssertionError, match="cannot be assigned"):
        parse('SUBSYSTEMS="usb"')
    with pytest.raises(AssertionError, match="has no LABEL"):
        parse('ACTION=="remove", GOTO="nowhere"')


def _usb(vendor: str, product: str, **extra: str) -> dict[str, str]:
    return {"idVendor": vendor, "idProduct": product, **extra}


@pytest.mark.parametrize(("dev", "link", "group"), [
    (Device("tty", "ttyUSB2", _usb("1e0e", "9001"), env={"ID_USB_INTERFACE_NUM": "02"}), "appeal/modem", "dialout"),
    (Device("tty", "ttyUSB0", _usb("1e0e", "9001"), env={"ID_USB_INTERFACE_NUM": "00"}), None, None),
    (Device("tty", "ttyUSB3", _usb("0403", "6001", serial="A10K5XYZ")), "appeal/intake", "dialout"),
    (Device("tty", "ttyACM0", _usb("0c2e", "0b61")), "appeal/barcode", "dialout"),
    (Device("usbmisc", "lp0", _usb("04b8", "0202")), "appeal/receipt-printer", "lp"),
    (Device("tty", "ttyUSB0", _usb("067b", "2303")), None, None),                 # someone else's adapter
    (Device("tty", "ttyUSB2", _usb("1e0e", "9001"), env={"ID_USB_INTERFACE_NUM": "02"}, action="remove"), None, None),
])
def test_the_example_devices_get_their_names(rules: list[Rule], dev: Device, link: str | None, group: str | None) -> None:
    got = apply(rules, dev)
    assert got["SYMLINK"] == ([link] if link else [])
    assert got.get("GROUP") == group
    if link:
        assert got["MODE"] == "0660"


def test_the_raw_usb_receipt_printer_is_reachable_by_group_lp(rules: list[Rule]) -> None:
    got = apply(rules, Device("usb", "1-1", own_attrs=_usb("04b8", "0202"), env={"DEVTYPE": "usb_device"}))
    assert (got["SYMLINK"], got.get("GROUP"), got.get("MODE")) == ([], "lp", "0660")


@pytest.mark.parametrize(("dev", "ignored"), [
    (Device("tty", "ttyUSB2", _usb("1e0e", "9001"), env={"ID_USB_INTERFACE_NUM": "02"}), True),   # modem, AT port
    (Device("tty", "ttyUSB0", _usb("1e0e", "9001"), env={"ID_USB_INTERFACE_NUM": "00"}), True),   # modem, other port
    (Device("tty", "ttyUSB3", _usb("0403", "6001", serial="A10K5XYZ")), True),                     # intake mechanism
    (Device("tty", "ttyACM0", _usb("0c2e", "0b61")), True),                                        # barcode reader
    (Device("tty", "ttyUSB0", _usb("067b", "2303")), False),                                       # someone else's
])
def test_modemmanager_is_kept_off_the_terminals_ports(rules: list[Rule], dev: Device, ignored: bool) -> None:
    """ModemManager skips a port whose udev property ID_MM_DEVICE_IGNORE is 1 (its 80-mm-* rules
    run after ours, 60-)."""
    assert (apply(rules, dev).get("ENV{ID_MM_DEVICE_IGNORE}") == "1") is ignored
