"""The appeal PDF: page count, G4 pages within budget, metadata, PDF/A-2b, legibility, OCR."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image

from kiosk_app.core.imaging import (
    TEXT_PAGE_BUDGET,
    add_ocr_layer,
    build_pdf,
    process_sheet,
    read_labels,
    tesseract_available,
)
from tests.support.tools import missing, require_tool

CASES = ["clean", "skew-4.9", "upside-down-faint", "worst"]
NUMBER = "0170050001"


@pytest.fixture(scope="module")
def appeal_pdf(tmp_path_factory: pytest.TempPathFactory, degraded: dict, sg) -> tuple[Path, list, object]:
    """Four degraded text sheets and one photo page through the pipeline into one PDF."""
    sheets = [degraded[c] for c in CASES]
    processed = [process_sheet(s.image) for s in sheets]
    photo = sg.labelled_page(f"{NUMBER}-05", sg.text_lines(random.Random(2), 8), photo=True)
    processed.append(process_sheet(sg.degrade(photo, sg.Degradation(noise_sigma=4), seed=2)))
    out = tmp_path_factory.mktemp("pdf") / f"{NUMBER}.pdf"
    info = build_pdf([p.encoded for p in processed], out, title="Звернення № 017-005000-1",
                     number=NUMBER, lang="uk")
    return out, sheets, info


def test_pages_count_encoding_and_size(appeal_pdf) -> None:
    out, _sheets, info = appeal_pdf
    assert info.pages == 5 and info.path == out and out.stat().st_size == info.size
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 5
        filters = []
        for page in pdf.pages:
            (img,) = page.get_images().values()
            filt = img.Filter[0] if isinstance(img.Filter, pikepdf.Array) else img.Filter
            filters.append(str(filt))
            assert abs(float(page.mediabox[2]) - 595.3) < 1 and abs(float(page.mediabox[3]) - 841.9) < 1  # A4
        assert filters == ["/CCITTFaxDecode"] * 4 + ["/DCTDecode"]
    assert info.page_kinds == ["g4"] * 4 + ["jpeg"]
    assert all(b <= TEXT_PAGE_BUDGET for b in info.page_bytes[:4]), info.page_bytes
    assert TEXT_PAGE_BUDGET < info.page_bytes[4] < 350 * 1024       # the photo page: JPEG, paper whitened
    assert not list(out.parent.glob("*.part"))               # written atomically, no leftovers


def test_metadata_and_pdfa(appeal_pdf) -> None:
    out, _sheets, info = appeal_pdf
    with pikepdf.open(out) as pdf:
        meta = pdf.open_metadata()
        assert meta["dc:identifier"] == NUMBER
        assert meta["dc:title"] == "Звернення № 017-005000-1"
        assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
        assert str(pdf.docinfo["/Keywords"]) == f"appeal:{NUMBER}"
        assert str(pdf.Root.Lang) == "uk"
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFA1" and int(intent.DestOutputProfile.N) == 3   # sRGB
    assert info.pdfa == "pass"
    from pikepdf import pdfa

    assert pdfa.validate_written(out, "2b").passed


def test_labels_legible_in_the_rendered_pdf(appeal_pdf, tmp_path: Path) -> None:
    out, sheets, _info = appeal_pdf
    subprocess.run([require_tool("pdftoppm", "poppler-utils"), "-r", "300", "-gray", "-f", "1", "-l", "4", str(out), str(tmp_path / "p")],
                   check=True, timeout=60)
    pages = sorted(tmp_path.glob("p-*.pgm"))
    assert len(pages) == 4
    for sheet, png in zip(sheets, pages, strict=True):
        img = np.asarray(Image.open(png))
        assert img.shape == (3508, 2480)
        reads = read_labels(img)
        assert [r.text for r in reads] == [sheet.payload], png.name
        assert not reads[0].upside_down and reads[0].center[1] < 3508 / 4   # upright, top of the page


def test_pdf_without_pdfa_and_empty_input(tmp_path: Path, degraded: dict) -> None:
    p = process_sheet(degraded["clean"].image)
    info = build_pdf([p.encoded], tmp_path / "plain.pdf", title="t", number=NUMBER, pdfa=False)
    assert info.pdfa == "off" and info.pages == 1
    with pikepdf.open(info.path) as pdf:
        assert pdf.open_metadata()["dc:identifier"] == NUMBER
        assert "/OutputIntents" not in pdf.Root
    with pytest.raises(ValueError):
        build_pdf([], tmp_path / "none.pdf", title="t", number=NUMBER)


def test_ocr_layer_makes_the_pdf_searchable(tmp_path: Path, sg) -> None:
    require_tool("tesseract", "tesseract-ocr")
    if not tesseract_available("ukr+eng"):
        missing("needs tesseract's Ukrainian and English data (Debian: tesseract-ocr-ukr tesseract-ocr-eng)")
    from hardware_sim.paper import blank_page

    lines = ["Прошу відремонтувати дорогу", "на вулиці Шевченка"]
    page = sg.degrade(blank_page(lines), sg.Degradation(skew_deg=1.0, noise_sigma=4), seed=1)
    p = process_sheet(page)
    src = build_pdf([p.encoded], tmp_path / "a.pdf", title="t", number=NUMBER)
    assert "Шевченка" not in subprocess.run(["pdftotext", str(src.path), "-"], capture_output=True,
                                              text=True, check=True).stdout
    info = add_ocr_layer(src.path, tmp_path / "a-ocr.pdf")
    text = subprocess.run(["pdftotext", str(info.path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Шевченка" in text and "відремонтувати" in text and "Прошу" in text
    assert info.ocr and info.pages == 1 and info.page_kinds == ["g4"]
    assert info.page_bytes == src.page_bytes                  # the scan itself is untouched
    assert info.pdfa == "pass"
    with pikepdf.open(info.path) as pdf:
        assert pdf.open_metadata()["dc:identifier"] == NUMBER
