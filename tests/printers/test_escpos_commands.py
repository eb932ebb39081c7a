"""The command layer: exact ESC/POS bytes, code page mapping, DLE EOT decoding."""

from __future__ import annotations

import pytest

from devices.errors import CoverOpen, DeviceConfigError, DeviceProtocolError, PaperOut
from devices.escpos_document import Receipt, normalize_text, receipt_bytes
from devices.escpos_status import PrinterStatus, query
from devices.receipt_printer import SETTINGS, from_config
from devices.state import DeviceState


def test_receipt_bytes_match_recorded_transcript(transcript) -> None:
    receipt = (Receipt().text("Їжак ґ", bold=True, size=2, align="center").barcode128("017-01")
               .qr("https://x.ua/1", size=4).rule().feed(1).text("ok"))
    assert receipt_bytes(receipt, columns=8) == transcript("receipt_small.hex")


def test_ukrainian_letters_are_cp1251_bytes() -> None:
    data = receipt_bytes(Receipt().text("іїєґ ІЇЄҐ"), cut=False)
    assert data.startswith(b"\x1b\x40\x1b\x74\x2e")             # ESC @, ESC t 46 (WPC1251)
    assert b"\xb3\xbf\xba\xb4 \xb2\xaf\xaa\xa5\n" in data


def test_cp1125_alternative_code_page() -> None:
    data = receipt_bytes(Receipt().text("іїєґ"), codepage="CP1125", profile="TM-T20II", cut=False)
    assert data.startswith(b"\x1b\x40\x1b\x74\x2c")             # ESC t 44
    assert "іїєґ".encode("cp1125") + b"\n" in data


def test_apostrophe_mapping_cp1251() -> None:
    # The official Ukrainian apostrophe U+02BC is not in CP1251: it becomes ’ (U+2019).
    assert normalize_text("пам\u02bcять пам’ять м'ята «так» — …") == "пам’ять пам’ять м'ята «так» — …"


def test_typography_mapping_cp1125() -> None:
    assert normalize_text("пам’ять «так» — … №5 €", "CP1125") == "пам'ять \"так\" - ... №5 ?"


def test_unknown_codepage_is_config_error() -> None:
    with pytest.raises(DeviceConfigError):
        receipt_bytes(Receipt().text("x"), codepage="CP999")
    with pytest.raises(DeviceConfigError, match="TM-T88V"):
        receipt_bytes(Receipt().text("x"), codepage="CP1125", profile="TM-T88V")


def test_long_text_wraps_on_words() -> None:
    r = Receipt().text("Звернення громадянина щодо ремонту дороги", size=2)
    assert r.plain_text(columns=32) == "Звернення\nгромадянина щодо\nремонту дороги"


def test_status_queries_and_replies() -> None:
    assert [query(n) for n in (1, 2, 3, 4)] == [b"\x10\x04\x01", b"\x10\x04\x02", b"\x10\x04\x03", b"\x10\x04\x04"]
    ok = PrinterStatus.from_replies({1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12})
    assert ok.fault() is None and ok.to_device_status().state == DeviceState.READY
    near = PrinterStatus.from_replies({1: 0x12, 2: 0x12, 3: 0x12, 4: 0x1E})
    assert near.paper_near_end and near.to_device_status().state == DeviceState.WARNING
    out = PrinterStatus.from_replies({1: 0x1A, 2: 0x32, 3: 0x12, 4: 0x7E})
    assert isinstance(out.fault(), PaperOut)
    st = out.to_device_status()
    assert (st.state, st.detail, st.consumables["paper"]) == (DeviceState.FAULT, "paper_out", 0)
    cover = PrinterStatus.from_replies({1: 0x1A, 2: 0x16, 3: 0x12, 4: 0x12})
    assert isinstance(cover.fault(), CoverOpen) and cover.detail == "cover_open"
    with pytest.raises(DeviceProtocolError):
        PrinterStatus.from_replies({1: 0x00})


def test_config_errors_and_settings() -> None:
    with pytest.raises(DeviceConfigError, match="network, serial, usb, file"):
        from_config({"connection": "bluetooth"})
    keys = {s["key"] for s in SETTINGS}
    assert {"connection", "host", "port", "device", "baudrate", "codepage", "status_timeout"} <= keys
    assert all(s["help"] and "default" in s and "unit" in s for s in SETTINGS)


def test_file_connection_writes_bytes(tmp_path) -> None:
    out = tmp_path / "lp0"
    out.write_bytes(b"")
    printer = from_config({"connection": "file", "device": str(out)})
    receipt = Receipt().text("Дякуємо")
    status = printer.print_receipt(receipt)
    assert out.read_bytes() == printer.render(receipt)
    assert status.state == DeviceState.UNKNOWN and status.detail == "no_status_channel"


def test_every_setting_is_documented() -> None:
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs/devices/receipt-printer.md").read_text(encoding="utf-8")
    for s in SETTINGS:
        assert f"| {s['key']} |" in doc, s["key"]
