"""Label read-back from the lossless greyscale scan (zxing-cpp), and the pyzbar comparison reader."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from kiosk_app.core.imaging import parse_payload, pick_label, read_labels, read_labels_pyzbar
from kiosk_app.core.imaging.labels import LabelRead


def test_parse_payload() -> None:
    assert parse_payload("0170001235-01") == ("0170001235", 1)
    assert parse_payload("017000123X-12") == ("017000123X", 12)
    assert parse_payload(" 0170001235-03\n") == ("0170001235", 3)
    for bad in ("0170001235", "0170001235-1", "017000123-01", "0170001235-001", "ABC0001235-01", ""):
        assert parse_payload(bad) is None, bad


@pytest.mark.parametrize("case", ["clean", "skew+4.8", "skew-4.9", "noise12", "blur", "low-contrast",
                                  "upside-down", "upside-down-faint", "border", "worst"])
def test_label_read_back(degraded: dict, case: str) -> None:
    sheet = degraded[case]
    reads = read_labels(sheet.image)
    label = pick_label(reads, sheet.payload[:10])
    assert label is not None, f"{case}: no label among {[r.text for r in reads]}"
    assert label.text == sheet.payload
    assert label.number == sheet.payload[:10] and label.sheet == int(sheet.payload[-2:])
    assert label.check_ok                                   # generator makes valid Mod 11-2 numbers
    assert label.upside_down == sheet.degradation.upside_down
    h, w = sheet.image.shape
    cx, cy = label.center
    if sheet.degradation.upside_down:                       # the label lands bottom-left
        assert cx < w / 2 and cy > 0.75 * h
    else:
        assert cx > w / 2 and cy < 0.25 * h


def test_accepts_pil_image_and_whole_page_search(degraded: dict) -> None:
    sheet = degraded["skew+4.8"]
    reads = read_labels(Image.fromarray(sheet.image), rois=False)
    assert [r.text for r in reads] == [sheet.payload]
    assert reads[0].region.startswith("page")


def test_label_outside_the_label_area_is_found_on_the_whole_page(degraded: dict) -> None:
    """A label the labeller put elsewhere (e.g. a misfeed): the ROI passes miss, the page pass finds it."""
    sheet = degraded["clean"]
    img = np.full_like(sheet.image, 250)
    h, w = img.shape
    # move the top-right label area into the middle of an otherwise empty page
    img[h // 2: h // 2 + int(0.2 * h), int(0.2 * w): int(0.8 * w)] = sheet.image[: int(0.2 * h), int(0.4 * w):]
    reads = read_labels(img)
    assert [r.text for r in reads] == [sheet.payload]
    assert reads[0].region.startswith("page")


def test_no_label_and_foreign_codes() -> None:
    from hardware_sim.paper import PaperPath, ScanNoise, blank_page

    assert read_labels(np.asarray(blank_page(["Без етикетки"]))) == []
    path = PaperPath(ScanNoise(0, 0))
    path.feed_image(blank_page(["Рядок тексту"]))
    path.take_from_tray()
    path.print_label("№ 017-000001-1 · арк. 1", "0170000011-01", 140, 8)
    sheet = path.print_label("чужий код", "HELLO-WORLD", 90, 30)
    reads = read_labels(sheet.image)
    texts = {r.text: r for r in reads}
    assert set(texts) == {"0170000011-01", "HELLO-WORLD"}
    assert texts["HELLO-WORLD"].number is None and texts["HELLO-WORLD"].sheet is None
    ours = pick_label(reads)
    assert ours is not None and ours.text == "0170000011-01"
    assert pick_label(reads, "0170000011") is ours
    assert pick_label(reads, "0170000022") is None


def test_pick_label_prefers_a_valid_check_character() -> None:
    corners = ((0, 0), (1, 0), (1, 1), (0, 1))
    bad = LabelRead("0170000012-01", "0170000012", 1, False, corners, 0, "roi")
    good = LabelRead("0170000011-01", "0170000011", 1, True, corners, 0, "roi")
    assert pick_label([bad, good]) is good


@pytest.mark.parametrize("case", ["clean", "skew-4.9", "upside-down"])
def test_pyzbar_reads_the_same_labels_on_easy_sheets(degraded: dict, case: str) -> None:
    sheet = degraded[case]
    reads = read_labels_pyzbar(sheet.image)
    assert [r.text for r in reads] == [sheet.payload]
    assert reads[0].upside_down == sheet.degradation.upside_down


def test_a_foreign_code_in_the_label_area_does_not_stop_the_search() -> None:
    from hardware_sim.paper import PaperPath, ScanNoise, blank_page

    path = PaperPath(ScanNoise(0, 0))
    path.feed_image(blank_page(["Рядок тексту"]))
    path.take_from_tray()
    path.print_label("чужий код", "HELLO-WORLD", 90, 30)                  # in the label area
    sheet = path.print_label("№ 017-000001-1 · арк. 2", "0170000011-02", 20, 150)   # mid-page
    reads = read_labels(sheet.image)
    assert [r.text for r in reads] == ["0170000011-02", "HELLO-WORLD"]
    assert reads[0].region.startswith("page")
    assert read_labels(sheet.image, whole_page=False)[0].text == "HELLO-WORLD"
