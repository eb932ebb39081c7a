"""The receipt printer driver against the virtual printer over TCP, and the virtual printer
against other ESC/POS senders (python-escpos used directly, raw bytes)."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import zxingcpp
from escpos.printer import Network
from PIL import Image

from devices.errors import CoverOpen, DeviceConfigError, DeviceNotFound, DeviceOffline, PaperOut
from devices.escpos_document import Receipt
from devices.receipt_printer import ReceiptPrinter, from_config
from devices.state import DeviceState
from hardware_sim.escpos_printer import EscposPrinterSim

UKRAINIAN = [
    "Квитанція про прийняття звернення",
    "Їжак їсть ґрунт; Євген і Ірина — у Ґданську",
    "ІЇЄҐ іїєґ: пам’ять, п'ять, об\u02bcєкт",
]
# The documented mapping for CP1251: only U+02BC becomes U+2019.
EXPECTED_TEXT = "\n".join(line.replace("\u02bc", "\u2019") for line in UKRAINIAN)
BARCODE = "0170001235-01"
QR = "https://e-dem.dniprorada.gov.ua/s/0170001235"


def driver(sim: EscposPrinterSim, **extra: Any) -> ReceiptPrinter:
    return from_config({"connection": "network", "host": "127.0.0.1", "port": sim.port,
                        "status_timeout": 2.0, **extra})


def wait_receipts(sim: EscposPrinterSim, n: int, timeout: float = 5.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = sim.receipts()
        if len(got) >= n:
            return got
        time.sleep(0.02)
    return sim.receipts()


CODE128, QRCODE = zxingcpp.BarcodeFormat.Code128, zxingcpp.BarcodeFormat.QRCode


def decoded(png: str) -> dict[Any, str]:
    return {b.format: b.text for b in zxingcpp.read_barcodes(Image.open(png))}


def test_ukrainian_receipt_round_trip(escpos_sim: EscposPrinterSim) -> None:
    receipt = Receipt()
    for i, line in enumerate(UKRAINIAN):
        receipt.text(line, bold=i == 0, align="center" if i == 0 else "left")
    receipt.barcode128(BARCODE).qr(QR, size=5)
    status = driver(escpos_sim).print_receipt(receipt)
    assert status.state == DeviceState.READY

    [rec] = wait_receipts(escpos_sim, 1)
    assert rec["text"] == EXPECTED_TEXT
    assert Path(rec["txt"]).read_text(encoding="utf-8").rstrip("\n") == EXPECTED_TEXT
    for letter in "іїєґІЇЄҐ’":
        assert letter in rec["text"]
    # the picture: Code128 and QR read back from the PNG by zxing-cpp
    codes = decoded(rec["png"])
    assert codes[CODE128] == BARCODE
    assert codes[QRCODE] == QR
    # and the text lines really are ink on the paper (dark pixels in the upper part)
    img = np.asarray(Image.open(rec["png"]).convert("L"))
    assert (img[:100] < 128).sum() > 1000


def test_pixels_of_i_and_yi_differ(escpos_sim: EscposPrinterSim) -> None:
    """і/ї and є/ґ are drawn as different glyphs (a wrong code page would print ?/blank)."""
    drv = driver(escpos_sim)
    for word in ("і", "ї", "?"):
        drv.print_receipt(Receipt().text(word))
    recs = wait_receipts(escpos_sim, 3)
    imgs = [np.asarray(Image.open(r["png"]).convert("L")) for r in recs]
    assert [r["text"] for r in recs] == ["і", "ї", "?"]
    assert not np.array_equal(imgs[0], imgs[1]) and not np.array_equal(imgs[1], imgs[2])


@pytest.mark.parametrize(("fault", "error", "detail"), [
    ("paper_out", PaperOut, "paper_out"),
    ("cover_open", CoverOpen, "cover_open"),
])
def test_faults_refuse_printing(escpos_sim: EscposPrinterSim, fault: str, error: type, detail: str) -> None:
    drv = driver(escpos_sim)
    escpos_sim.inject(fault)
    st = drv.status()
    assert (st.state, st.detail) == (DeviceState.FAULT, detail)
    assert st.last_error is not None and st.last_error["code"] == detail
    with pytest.raises(error):
        drv.print_receipt(Receipt().text("не надрукується"))
    assert drv.last_status.state == DeviceState.FAULT
    time.sleep(0.2)
    assert escpos_sim.receipts() == []
    escpos_sim.clear()
    drv.print_receipt(Receipt().text("тепер так"))
    assert [r["text"] for r in wait_receipts(escpos_sim, 1)] == ["тепер так"]


def test_paper_near_end_prints_with_warning(escpos_sim: EscposPrinterSim) -> None:
    escpos_sim.inject("paper_near_end")
    st = driver(escpos_sim).print_receipt(Receipt().text("ok"))
    assert (st.state, st.detail, st.consumables["paper"]) == (DeviceState.WARNING, "paper_near_end", 10)
    assert len(wait_receipts(escpos_sim, 1)) == 1


def test_offline_and_unreachable(escpos_sim: EscposPrinterSim) -> None:
    drv = driver(escpos_sim)
    escpos_sim.inject("offline")
    with pytest.raises(DeviceOffline):
        drv.print_receipt(Receipt().text("x"))
    assert drv.status().state == DeviceState.OFFLINE
    escpos_sim.clear()
    escpos_sim.stop()
    st = drv.status()
    assert (st.state, st.detail) == (DeviceState.OFFLINE, "offline")
    with pytest.raises(DeviceOffline):
        drv.print_receipt(Receipt().text("x"))


USB_PRINTER = {"connection": "usb", "vendor_id": 0x04B8, "product_id": 0x0202, "connect_timeout": 1.0}


def test_usb_printer_not_plugged_in_is_not_found() -> None:
    """The real pyusb over libusb finds no such printer on this machine: a typed error, and a status."""
    drv = from_config(USB_PRINTER)
    with pytest.raises(DeviceNotFound, match="usb"):
        drv.print_receipt(Receipt().text("x"))
    st = drv.status()
    assert (st.state, st.detail) == (DeviceState.OFFLINE, "not_found")


# python-escpos's Usb.__del__ calls close(), which says the same RuntimeError again while collected
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_usb_without_the_usb_library_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """python-escpos answers a missing pyusb with a bare RuntimeError; the driver names the cause."""
    import escpos.printer.usb as escpos_usb

    monkeypatch.setattr(escpos_usb, "_DEP_USB", False)  # what python-escpos records when `import usb` fails
    drv = from_config(USB_PRINTER)
    with pytest.raises(DeviceConfigError, match="pyusb"):
        drv.print_receipt(Receipt().text("x"))
    st = drv.status()
    assert (st.state, st.detail) == (DeviceState.FAULT, "config")


def test_python_escpos_default_profile_direct(escpos_sim: EscposPrinterSim) -> None:
    """Off-the-shelf use of python-escpos (magic encoding, image QR, hardware barcode)."""
    p = Network("127.0.0.1", escpos_sim.port, timeout=5)
    p.set(align="center", bold=True, double_height=True, double_width=True)
    p.textln("Дніпро")
    p.set_with_default()
    p.textln("Ґанок, їжа, Європа, Іван")
    p._hw_barcode("{B" + BARCODE, "CODE128", function_type="B", width=2)
    p.qr(QR, size=4)                         # python-escpos default: sent as a GS v 0 raster image
    assert p.is_online() is True
    assert p.paper_status() == 2
    escpos_sim.inject("paper_near_end")
    assert p.paper_status() == 1
    escpos_sim.clear()
    p.cut()
    p.close()
    [rec] = wait_receipts(escpos_sim, 1)
    assert rec["text"] == "Дніпро\nҐанок, їжа, Європа, Іван"
    assert rec["images"] >= 1
    codes = decoded(rec["png"])
    assert codes[CODE128] == BARCODE
    assert codes[QRCODE] == QR


def test_raw_bytes_from_another_program(escpos_sim: EscposPrinterSim, transcript) -> None:
    data = transcript("other_program.hex")
    with socket.create_connection(("127.0.0.1", escpos_sim.port), timeout=5) as s:
        for i in range(0, len(data), 7):          # arrives in odd chunks, commands split across them
            s.sendall(data[i:i + 7])
            time.sleep(0.001)
    [rec] = wait_receipts(escpos_sim, 1)
    assert rec["text"] == "Квито\nI I"
    assert rec["images"] == 1
    assert rec["barcodes"] == ["0170001235-01"]
    assert decoded(rec["png"])[CODE128] == "0170001235-01"


@pytest.mark.parametrize(("page", "encoding"), [(0, "cp437"), (17, "cp866"), (46, "cp1251"), (44, "cp1125")])
def test_code_pages_decoded(escpos_sim: EscposPrinterSim, page: int, encoding: str) -> None:
    text = {"cp437": "Café ÄÖÜ £", "cp866": "Привет Її Єє", "cp1251": "Привіт ґҐ’", "cp1125": "Привіт іїєґ"}[encoding]
    with socket.create_connection(("127.0.0.1", escpos_sim.port), timeout=5) as s:
        s.sendall(b"\x1b@\x1bt" + bytes([page]) + text.encode(encoding) + b"\n\x1dV\x00")
    [rec] = wait_receipts(escpos_sim, 1)
    assert rec["text"] == text


def test_dle_eot_replies_one_byte_each(escpos_sim: EscposPrinterSim) -> None:
    def ask(s: socket.socket) -> bytes:
        s.sendall(b"\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04")
        got = b""
        while len(got) < 4:
            got += s.recv(4 - len(got))
        return got

    with socket.create_connection(("127.0.0.1", escpos_sim.port), timeout=5) as s:
        assert ask(s) == bytes([0x12, 0x12, 0x12, 0x12])
        escpos_sim.inject("paper_out")
        assert ask(s) == bytes([0x1A, 0x32, 0x12, 0x7E])
        escpos_sim.clear()
        escpos_sim.inject("cover_open")
        assert ask(s) == bytes([0x1A, 0x16, 0x12, 0x12])


def test_data_sent_while_paper_out_is_not_printed(escpos_sim: EscposPrinterSim) -> None:
    escpos_sim.inject("paper_out")
    with socket.create_connection(("127.0.0.1", escpos_sim.port), timeout=5) as s:
        s.sendall("загублене\n".encode("cp1251").join([b"\x1b@\x1bt\x2e", b"\x1dV\x00"]))
        s.sendall(b"\x10\x04\x04")
        assert s.recv(1) == b"\x7e"
    time.sleep(0.2)
    assert escpos_sim.receipts() == []


def test_serial_connection_through_a_pty(escpos_sim: EscposPrinterSim) -> None:
    """The serial transport (pyserial via python-escpos) on a pseudo-terminal wired to the printer."""
    import os
    import select
    import threading
    import tty

    master, slave = os.openpty()
    tty.setraw(slave)
    sock = socket.create_connection(("127.0.0.1", escpos_sim.port), timeout=5)
    stop = threading.Event()

    def bridge() -> None:
        while not stop.is_set():
            ready, _, _ = select.select([master, sock], [], [], 0.05)
            if master in ready:
                sock.sendall(os.read(master, 4096))
            if sock in ready:
                data = sock.recv(4096)
                if not data:
                    return
                os.write(master, data)

    thread = threading.Thread(target=bridge, daemon=True)
    thread.start()
    try:
        drv = from_config({"connection": "serial", "device": os.ttyname(slave), "baudrate": 115200})
        assert drv.status().state == DeviceState.READY
        escpos_sim.inject("paper_near_end")
        assert drv.print_receipt(Receipt().text("Послідовний порт")).detail == "paper_near_end"
        escpos_sim.clear()
        escpos_sim.inject("cover_open")
        with pytest.raises(CoverOpen):
            drv.print_receipt(Receipt().text("ні"))
    finally:
        stop.set()
        thread.join(timeout=2)
        sock.close()
        os.close(master)
        os.close(slave)
    assert [r["text"] for r in wait_receipts(escpos_sim, 1)] == ["Послідовний порт"]


def test_appeal_receipt_shows_the_access_code_and_its_qr_holds_number_and_code(escpos_sim: EscposPrinterSim) -> None:
    """Issue 12 (docs/receipt.md): the receipt's picture shows the access code in text, and its
    QR code decodes to the status link carrying the number and the code."""
    import datetime as dt
    import subprocess

    from rapidfuzz.distance import Levenshtein

    from kiosk_app.core import access
    from kiosk_app.core.numbering import parse
    from kiosk_app.core.receipts import ReceiptFacts, appeal_receipt
    from tests.support.tools import require_tool

    number, code = parse("017-000123-4"), access.new_code()
    facts = ReceiptFacts(number, "complaint", dt.datetime(2026, 11, 28, 10, 15), dt.date(2026, 12, 28), 2, 3,
                         "Термінал звернень", "м. Дніпро", "https://rada.example.ua/a/{number}", True,
                         access_code=code)
    driver(escpos_sim).print_receipt(appeal_receipt(facts))
    [rec] = wait_receipts(escpos_sim, 1)
    codes = decoded(rec["png"])
    assert codes[CODE128] == "0170001234"
    assert codes[QRCODE] == f"https://rada.example.ua/a/0170001234?k={code}"
    assert access.from_scan(codes[QRCODE]) == ("0170001234", code)
    # the code as the resident reads it: grouped, in large print, found by OCR in the picture
    # (the code's own alphabet; OCR may misread one glyph in ten receipts, so one edit is allowed)
    # (tesseract's command line: pytesseract is no dependency of the project)
    tesseract = require_tool("tesseract", "tesseract-ocr")
    seen = subprocess.run([tesseract, str(rec["png"]), "stdout", "-l", "eng", "--psm", "11", "-c",
                           f"tessedit_char_whitelist={access.ALPHABET}-"],
                          capture_output=True, text=True, check=True, timeout=120).stdout.split()
    assert min(Levenshtein.distance(access.display(code), word) for word in seen) <= 1, seen
    assert f"Код доступу / Access code\n{access.display(code)}\n" in rec["text"]
    # a copy printed after the code was forgotten says where the code is, and its QR has no code
    driver(escpos_sim).print_receipt(appeal_receipt(ReceiptFacts(**{**facts.__dict__, "access_code": None,
                                                                     "copy": True})))
    [_, copy] = wait_receipts(escpos_sim, 2)
    assert decoded(copy["png"])[QRCODE] == "https://rada.example.ua/a/0170001234"
    assert "Код доступу — на оригіналі чека" in copy["text"] and code not in copy["text"]
