"""process_sheet: stages in order, expected-number matching, blank pages dropped, no Qt."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from PIL import Image

from kiosk_app.core.imaging import process_sheet

ROOT = Path(__file__).resolve().parents[2]


def test_process_sheet_reads_cleans_and_encodes(degraded: dict) -> None:
    sheet = degraded["upside-down"]
    number = sheet.payload[:10]
    p = process_sheet(sheet.image, expected_number=number)
    assert p.label_ok and p.label is not None and p.label.text == sheet.payload
    assert p.cleaned.rotated_180 and p.cleaned.orientation_source == "label"
    assert p.encoded is not None and p.encoded.kind == "g4" and p.encoded.data[:4] == b"II*\x00"
    assert set(p.timings_ms) == {"labels", "cleanup", "encode", "total"}
    assert all(v >= 0 for v in p.timings_ms.values())
    assert p.timings_ms["total"] >= p.timings_ms["cleanup"]
    rec = p.as_record()
    json.dumps(rec)                                            # the record is JSON-able
    assert rec["label"]["sheet"] == int(sheet.payload[-2:]) and rec["encoded"]["kind"] == "g4"


def test_wrong_expected_number_is_flagged(degraded: dict) -> None:
    p = process_sheet(Image.fromarray(degraded["clean"].image), expected_number="0170000011")
    assert not p.label_ok and p.label is None
    assert [r.text for r in p.labels] == [degraded["clean"].payload]


def test_blank_page_is_dropped_with_its_measure(sg) -> None:
    p = process_sheet(sg.handwriting_free_blank(6, 7))
    assert p.is_blank and p.encoded is None and p.label is None and not p.label_ok
    assert p.as_record()["cleanup"]["coverage"] < p.as_record()["cleanup"]["blank_threshold"]


def test_imaging_imports_no_qt() -> None:
    code = ("import sys, kiosk_app.core.imaging as m; "
            "print([k for k in sys.modules if k.split('.')[0] in ('PySide6', 'PyQt5', 'PyQt6', 'shiboken6')])")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_blank_back_side_skips_the_whole_page_search(sg) -> None:
    """An empty back side: no label, dropped, and the slow whole-page search is not run on it.

    The page carries a faint Code128 label (30 grey levels below the paper) in the middle of the
    page, outside the label areas. It is too faint to count as ink, so the page measures blank;
    the whole-page search WOULD find the label, so the pipeline finding none shows that it
    skipped that search."""
    import numpy as np

    from kiosk_app.core.imaging import BLANK_COVERAGE, ink_coverage, read_labels

    label_page = np.asarray(sg.labelled_page("0170000011-01", []), dtype=np.float32)
    h, w = label_page.shape
    label = label_page[: int(0.1 * h), int(0.55 * w):]
    blank = np.full((h, w), 245, np.float32)
    blank[h // 2: h // 2 + label.shape[0], 100: 100 + label.shape[1]] = 245 - (255 - label) / 255 * 30
    blank = np.clip(blank + np.random.default_rng(1).normal(0, 2, blank.shape), 0, 255).astype(np.uint8)
    assert ink_coverage(blank) < BLANK_COVERAGE
    assert [r.text for r in read_labels(blank, rois=False)] == ["0170000011-01"]   # the search would find it
    assert read_labels(blank, whole_page=False) == []                             # not in the label areas
    p = process_sheet(blank)
    assert p.labels == [] and p.label is None and p.is_blank and p.encoded is None


def test_label_found_outside_the_label_area_through_the_pipeline(degraded: dict) -> None:
    import numpy as np

    sheet = degraded["clean"]
    img = np.full_like(sheet.image, 250)
    h, w = img.shape
    img[h // 2: h // 2 + int(0.2 * h), int(0.2 * w): int(0.8 * w)] = sheet.image[: int(0.2 * h), int(0.4 * w):]
    p = process_sheet(img, expected_number=sheet.payload[:10])
    assert p.label_ok and p.label is not None and p.label.region.startswith("page")
