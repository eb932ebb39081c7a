"""Must-show 1 of the intake issue: ``kioskctl intake --scenario`` against ``hardware-sim``
produces the receipt, a PDF whose pages carry readable labels, the metadata record, the box
manifest entry, and the appeal in the outbox."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import zxingcpp
from PIL import Image

from kiosk_app.core import access, metadata
from kiosk_app.core.imaging import read_labels
from kiosk_app.core.store import Store
from tests.intake.simproc import ROOT, Sim


def kioskctl(sim: Sim, store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk_app.cli", *args, "--sim", str(sim.dir), "--store", str(store)],
                          capture_output=True, text=True, cwd=ROOT, env=sim.env(store), timeout=180)


def test_scenario_from_applicant_to_archive_box(sim: Sim, tmp_path: Path) -> None:
    sim.clear()
    before = len(sim.receipts())
    store_dir = tmp_path / "store"
    out = kioskctl(sim, store_dir, "intake", "--scenario", str(ROOT / "examples" / "intake-basic.toml"))
    assert out.returncode == 0, out.stderr + out.stdout
    result = json.loads(out.stdout)["result"]
    number, compact = result["number"], result["compact"]
    assert result["sheets"] == 2 and result["receipt_printed"] and result["archive"] == "binned" and result["stapled"]
    assert "Сканую аркуш 2 з 2" in out.stderr          # each step was printed

    # The receipt, as the resident holds it: the number in words and both codes readable from the picture.
    receipts = sim.receipts()
    assert len(receipts) == before + 1
    receipt = receipts[-1]
    assert number in receipt["text"] and "ЗВЕРНЕННЯ ПРИЙНЯТО" in receipt["text"]
    found = {(r.format.name, r.text) for r in zxingcpp.read_barcodes(Image.open(receipt["png"]))}
    assert ("Code128", compact) in found
    # The access code (docs/receipt.md): printed in text under its heading, and inside the QR
    # code's status link together with the number.
    shown = re.search(r"Код доступу / Access code\n([0-9A-Z]{5}-[0-9A-Z]{5})\n", receipt["text"])
    assert shown, receipt["text"]
    code = shown[1].replace("-", "")
    assert [text for fmt, text in found if fmt == "QRCode"] == [f"https://rada.example.ua/a/{compact}?k={code}"]

    store = Store(store_dir, terminal=17)
    try:
        appeal = store.appeal(compact)
        assert appeal is not None and appeal["state"] == "committed"
        # the store keeps the code's salted hash only: the receipt is printed, the code forgotten
        assert access.verify(code, appeal["access_hash"]) and not access.verify(access.new_code(), appeal["access_hash"])
        assert appeal["access_code"] is None
        assert code not in out.stderr + out.stdout, "the code is never logged"
        outbox = list(store.db.query("SELECT * FROM outbox WHERE document_id=?", [compact]))
        assert [o["state"] for o in outbox] == ["pending"]
        # The PDF: two pages, each carrying its own label, readable after compression.
        pdf = store.spool.path_of(store.file_ref(appeal["pdf_file"]))
        subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", str(pdf), str(tmp_path / "page")], check=True)
        labels = [sorted(r.text for r in read_labels(Image.open(p))) for p in sorted(tmp_path.glob("page-*.png"))]
        assert labels == [[f"{compact}-01"], [f"{compact}-02"]]
        # The metadata record the EDMS will get: valid against the published schema, and true.
        record = json.loads(store.spool.read(store.file_ref(appeal["metadata_file"])))
        metadata.validate(record)
        assert record["appeal_number"]["display"] == number
        assert record["files"][0]["sha256"] == store.file_ref(appeal["pdf_file"]).sha256
        assert record["files"][0]["pages"] == 2 and [s["label"] for s in record["sheets"]] == [f"{compact}-01", f"{compact}-02"]
        assert record["applicant"]["surname"] == "Мʼясоїд-Коваль" and record["notification"]["sms"] is True
        # each kept page says how it is stored and why: the cleanup's own words reach the archive
        kept = [pg for sh in record["sheets"] for pg in sh["pages"] if pg["kept"]]
        assert kept and all(pg["mode"] == "bitonal" for pg in kept), kept
        assert all(any(n.startswith("class: bitonal") for n in pg["cleanup"]) for pg in kept), kept
        # The OCR text layer came after the receipt: the PDF is searchable in Ukrainian, the record
        # says so, and the appeal is released for delivery.
        assert "OCR text layer added to: " + compact in out.stderr
        assert record["files"][0]["ocr"] is True
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "ремонту даху" in text.lower() or "даху" in text.lower(), text[:500]
        assert outbox[0]["next_attempt_at"] is None
        assert store.check(full=True) == []
    finally:
        store.close()

    box = json.loads(kioskctl(sim, store_dir, "box", "--manifest", "--json").stdout)
    assert [(e["document_id"], e["sheets"], e["stapled"], e["state"]) for e in box["entries"]] == [(compact, 2, 1, "binned")]
    bin_sets = sim.state()["paper"]["bin"]["contents"]
    assert [s["labels"][0]["barcode"] for s in bin_sets[-1]["sheets"]] == [f"{compact}-01", f"{compact}-02"]

    # The pre-filled form went to the form printer.
    assert sim.call("GET", "/api/jobs")

    # Reprint: a copy of the receipt, marked as such.
    again = kioskctl(sim, store_dir, "reprint", number, "--receipt")
    assert again.returncode == 0, again.stderr
    assert "КОПІЯ" in sim.receipts()[-1]["text"]
    # No answer yet and no server: the status and the deadline, nothing printed.
    refused = json.loads(kioskctl(sim, store_dir, "reprint", number).stdout)
    assert refused["error"]["code"] == "access_denied" and "state" not in refused
    status = json.loads(kioskctl(sim, store_dir, "reprint", number, "--code", shown[1]).stdout)
    assert status["printed"] is None and status["state"] == "committed" and status["deadline"] == result["deadline"]
