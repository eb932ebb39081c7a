"""The test-bench page shows what the devices did: receipts as pictures, SMS, form jobs, the bin.
Bench and control server in-process; the devices are driven over their real transports."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from hardware_sim.bench import Bench
from hardware_sim.control import ControlServer
from hardware_sim.paper import ScanNoise, blank_page
from tests.support.chromium import screenshot


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Bench, ControlServer]]:
    bench = Bench(tmp_path / "sim", receipt_port=0, ipp_port=0, saned_port=0, noise=ScanNoise(0, 0))
    bench.start()
    server = ControlServer(bench, "127.0.0.1", 0)
    server.start()
    bench.control_url = server.url
    bench.write_endpoints()
    yield bench, server
    server.stop()
    bench.stop()


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read()


def test_page_shows_receipt_sms_job_and_bin(served: tuple[Bench, ControlServer], tmp_path: Path) -> None:
    bench, server = served
    ep = bench.endpoints()["devices"]
    # a receipt, over TCP with python-escpos
    from escpos.printer import Network

    printer = Network("127.0.0.1", ep["receipt_printer"]["port"])
    printer.text("Receipt for the bench page\n")
    printer.cut()
    printer.close()
    # an SMS, through the production modem driver on the pty
    from devices.modem import from_config

    modem = from_config({"port": ep["modem"]["link"], "command_timeout": 1, "delivery_timeout": 1})
    modem.send_sms("+380671234567", "Звернення № 017-000123-5 прийнято")
    modem.close()
    # a form job, through the production IPP driver
    from devices.form_printer import from_config as form_printer

    pdf = io.BytesIO()
    blank_page(["Бланк звернення"]).save(pdf, format="PDF", resolution=300)
    form_printer({"uri": ep["form_printer"]["uri"], "poll_interval": 0.05}).print_pdf(pdf.getvalue())
    # a stapled set in the bin, straight through the paper path (what the intake and scanner do)
    bench.feed(blank=2)
    for sheet in (1, 2):
        bench.paper.take_from_tray()
        bench.paper.print_label(f"№ 017-000123-5 · арк. {sheet}/2", f"0170001235-{sheet:02d}", 150, 10)
        bench.paper.pass_to_scanner()
        bench.paper.scan_next()
    bench.paper.staple_to_bin()
    assert [r["text"].strip() for r in bench.receipts()] == ["Receipt for the bench page"]

    html = fetch(server.url).decode()
    assert "Звернення № 017-000123-5 прийнято" in html
    assert "0170001235-01; 0170001235-02" in html
    assert "так / yes" in html                                  # stapled
    imgs = re.findall(r"<img src='(/files/[^']+)'", html)
    assert any("receipts/" in i for i in imgs) and any("form-jobs/" in i for i in imgs)
    for src in imgs:
        Image.open(io.BytesIO(fetch(server.url.rstrip("/") + src))).verify()   # each picture is a real image
    assert json.loads(fetch(server.url + "api/bin"))["contents"][0]["stapled"] is True

    shot = screenshot(server.url, tmp_path / "page.png", (1280, 2400), tmp_path / "profile")
    assert Image.open(shot).size == (1280, 2400)
    if os.environ.get("KEEP_SCREENSHOT"):
        shutil.copy(shot, os.environ["KEEP_SCREENSHOT"])
