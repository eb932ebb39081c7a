"""IPP encoding and decoding on exact bytes (RFC 8010)."""

from __future__ import annotations

import struct

import pytest

from devices import ipp
from devices.errors import DeviceProtocolError
from devices.ipp import Op, Tag


def attr(tag: int, name: str, value: bytes) -> bytes:
    n = name.encode()
    return bytes([tag]) + struct.pack(">H", len(n)) + n + struct.pack(">H", len(value)) + value


def more(tag: int, value: bytes) -> bytes:
    return bytes([tag]) + b"\x00\x00" + struct.pack(">H", len(value)) + value


def test_get_printer_attributes_request_bytes() -> None:
    msg = ipp.Message(code=Op.GET_PRINTER_ATTRIBUTES, request_id=1, version=(2, 0))
    msg.add(Tag.OPERATION, "attributes-charset", Tag.CHARSET, "utf-8")
    msg.add(Tag.OPERATION, "attributes-natural-language", Tag.LANGUAGE, "en")
    msg.add(Tag.OPERATION, "printer-uri", Tag.URI, "ipp://h/p")
    msg.add(Tag.OPERATION, "requested-attributes", Tag.KEYWORD, "printer-state", "printer-state-reasons")
    expected = (
        b"\x02\x00"                 # version 2.0
        b"\x00\x0b"                 # Get-Printer-Attributes
        b"\x00\x00\x00\x01"         # request-id 1
        b"\x01"                     # operation-attributes-tag
        b"\x47\x00\x12attributes-charset\x00\x05utf-8"
        b"\x48\x00\x1battributes-natural-language\x00\x02en"
        b"\x45\x00\x0bprinter-uri\x00\x09ipp://h/p"
        b"\x44\x00\x14requested-attributes\x00\x0dprinter-state"
        b"\x44\x00\x00\x00\x15printer-state-reasons"
        b"\x03"                     # end-of-attributes-tag
    )
    assert ipp.encode(msg) == expected


def test_print_job_carries_document_after_end_tag() -> None:
    msg = ipp.Message(code=Op.PRINT_JOB, request_id=7, version=(1, 1))
    msg.add(Tag.OPERATION, "document-format", Tag.MIME_TYPE, "application/pdf")
    msg.add(Tag.JOB, "copies", Tag.INTEGER, 2)
    msg.data = b"%PDF-1.4\n"
    assert ipp.encode(msg) == (
        b"\x01\x01\x00\x02\x00\x00\x00\x07\x01"
        + attr(0x49, "document-format", b"application/pdf")
        + b"\x02" + attr(0x21, "copies", b"\x00\x00\x00\x02")
        + b"\x03%PDF-1.4\n")


def test_decode_response_with_every_value_kind() -> None:
    data = (
        b"\x02\x00\x00\x00\x00\x00\x00\x2a\x01"
        + attr(0x47, "attributes-charset", b"utf-8")
        + attr(0x48, "attributes-natural-language", b"uk")
        + b"\x04"
        + attr(0x23, "printer-state", b"\x00\x00\x00\x05")
        + attr(0x44, "printer-state-reasons", b"media-empty-error") + more(0x44, b"cover-open-report")
        + attr(0x22, "printer-is-accepting-jobs", b"\x00")
        + attr(0x33, "copies-supported", struct.pack(">ii", 1, 99))
        + attr(0x32, "printer-resolution-default", struct.pack(">iiB", 600, 600, 3))
        + attr(0x35, "printer-info", b"\x00\x02uk\x00\x0c" + "Принтер".encode()[:12])
        + attr(0x13, "printer-location", b"")
        + attr(0x34, "media-col-default", b"")
        + more(0x4A, b"media-size") + more(0x34, b"")
        + more(0x4A, b"x-dimension") + more(0x21, struct.pack(">i", 21000))
        + more(0x4A, b"y-dimension") + more(0x21, struct.pack(">i", 29700))
        + more(0x37, b"")
        + more(0x4A, b"media-type") + more(0x44, b"stationery")
        + more(0x37, b"")
        + b"\x03"
    )
    msg = ipp.decode(data)
    assert (msg.version, msg.code, msg.request_id, msg.ok, msg.status_name) == ((2, 0), 0, 42, True, "successful-ok")
    p = msg.group(Tag.PRINTER)
    assert p["printer-state"].value == 5
    assert p["printer-state-reasons"].values == ["media-empty-error", "cover-open-report"]
    assert p["printer-is-accepting-jobs"].value is False
    assert p["copies-supported"].value == (1, 99)
    assert p["printer-resolution-default"].value == (600, 600, 3)
    assert p["printer-info"].value == ("uk", "Принтер"[:6])
    assert p["printer-location"].value is None
    col = p["media-col-default"].value
    assert col["media-type"].value == "stationery"
    size = col["media-size"].value
    assert (size["x-dimension"].value, size["y-dimension"].value) == (21000, 29700)
    assert ipp.encode(msg) == data                        # and back to the same bytes


def test_error_status_and_truncation() -> None:
    msg = ipp.decode(b"\x01\x01\x05\x06\x00\x00\x00\x01\x03")
    assert not msg.ok and msg.status_name == "server-error-not-accepting-jobs"
    with pytest.raises(DeviceProtocolError):
        ipp.decode(b"\x02\x00\x00\x00\x00\x00\x00\x01\x01\x47\x00\x12attr")
