"""Cleanup: deskew, orientation, blank detection, borders, bitonal vs greyscale."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest

from kiosk_app.core.imaging import BLANK_COVERAGE, clean_sheet, read_labels


def mm(v: float) -> int:
    return round(v / 25.4 * 300)

ALL = ["clean", "skew+4.8", "skew-4.9", "noise12", "blur", "low-contrast", "upside-down",
       "upside-down-faint", "border", "worst"]


def barcode_angle(img: np.ndarray) -> float:
    """Residual rotation of the label in a cleaned page, measured independently of the deskew
    estimator: the minimum-area rectangle around the bars' dark pixels (degrees, 0 = level)."""
    reads = read_labels(img)
    assert reads, "label not readable on the cleaned page"
    xs = [c[0] for c in reads[0].corners]
    ys = [c[1] for c in reads[0].corners]
    x0, x1 = max(min(xs) - 30, 0), max(xs) + 30
    y0, y1 = max(min(ys) - 80, 0), max(ys) + 80         # whole bars even when the page is skewed
    crop = img[y0:y1, x0:x1]
    # bars only: close the gaps between bars horizontally, then the rectangle of the block
    dark = (crop < 128).astype(np.uint8)
    block = cv2.morphologyEx(dark, cv2.MORPH_CLOSE, np.ones((1, 25), np.uint8))
    _n, labels, stats, _ = cv2.connectedComponentsWithStats(block)
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    pts = np.column_stack(np.nonzero(labels == biggest)[::-1]).astype(np.float32)
    (_, _), (w, h), angle = cv2.minAreaRect(pts)
    if w < h:
        angle -= 90
    return ((angle + 45) % 90) - 45


@pytest.mark.parametrize("case", ALL)
def test_deskew_and_orientation(degraded: dict, case: str) -> None:
    sheet = degraded[case]
    d = sheet.degradation
    labels = read_labels(sheet.image)
    c = clean_sheet(sheet.image, labels)
    assert not c.is_blank and c.bitonal
    assert abs(c.skew_deg - d.skew_deg) < 0.5, (c.skew_deg, d.skew_deg)
    assert c.rotated_180 == d.upside_down
    assert set(np.unique(c.image)) <= {0, 255}
    # the label ends top-right, reading upright, and the page is level
    reads = read_labels(c.image)
    assert [r.text for r in reads] == [sheet.payload]
    h, w = c.image.shape
    cx, cy = reads[0].center
    assert cx > w / 2 and cy < h / 4 and not reads[0].upside_down
    assert abs(barcode_angle(c.image)) < 0.5


def test_barcode_angle_measure_sees_a_skew(degraded: dict) -> None:
    """The independent angle check above can fail: on the raw skewed scan it reports the skew."""
    sheet = degraded["skew+4.8"]
    assert abs(abs(barcode_angle(sheet.image)) - 4.8) < 0.5


def _similarity(a: np.ndarray, b: np.ndarray) -> float:
    sa = cv2.resize(a, (248, 351), interpolation=cv2.INTER_AREA).astype(np.float32)
    sb = cv2.resize(b, (248, 351), interpolation=cv2.INTER_AREA).astype(np.float32)
    return float(np.corrcoef(sa.ravel(), sb.ravel())[0, 1])


@pytest.mark.parametrize("upside_down", [False, True])
def test_orientation_without_a_label_comes_from_the_text(sg, upside_down: bool) -> None:
    from hardware_sim.paper import blank_page

    page = blank_page(sg.text_lines(random.Random(3), 14))
    scan = sg.degrade(page, sg.Degradation(skew_deg=-2.2, noise_sigma=5, upside_down=upside_down), seed=3)
    c = clean_sheet(scan)
    assert c.orientation_source == "text"
    assert c.rotated_180 == upside_down
    upright = np.asarray(page)
    assert _similarity(c.image, upright) > _similarity(c.image, upright[::-1, ::-1]) + 0.2


def test_blank_back_sides_are_detected(sg) -> None:
    for img in (sg.handwriting_free_blank(4, 1), sg.handwriting_free_blank(12, 2),
                sg.handwriting_free_blank(6, 3, show_through=True)):
        c = clean_sheet(img)
        assert c.is_blank
        assert c.coverage < BLANK_COVERAGE
        rec = c.as_record()
        assert rec["is_blank"] is True and rec["coverage"] == round(c.coverage, 6)
        assert any("blank" in n for n in c.notes)


def test_sparse_pages_are_not_blank(sg) -> None:
    from hardware_sim.paper import blank_page

    one_word = sg.degrade(blank_page(["Підпис"]), sg.Degradation(noise_sigma=8), seed=4)
    c = clean_sheet(one_word)
    assert not c.is_blank and c.coverage > BLANK_COVERAGE
    label_only = sg.degrade(sg.labelled_page("0170000011-02", []), sg.Degradation(noise_sigma=4), seed=5)
    assert not clean_sheet(label_only).is_blank


def test_text_pages_are_not_blank(degraded: dict) -> None:
    for case in ALL:
        c = clean_sheet(degraded[case].image)
        assert not c.is_blank and c.coverage > 10 * BLANK_COVERAGE, case


def test_dark_scanner_border_is_whitened(degraded: dict) -> None:
    sheet = degraded["border"]
    assert sheet.image[:, :50].mean() < 60                      # the scan has a dark band on the left
    c = clean_sheet(sheet.image, read_labels(sheet.image))
    assert c.border_fraction > 0.01
    assert c.image[:, :50].mean() > 250                         # gone from the cleaned page
    assert clean_sheet(degraded["clean"].image).border_fraction == 0.0


def test_photo_page_stays_greyscale_and_text_pages_go_bitonal(sg, degraded: dict) -> None:
    page = sg.labelled_page("0170000011-03", sg.text_lines(random.Random(9), 10), photo=True)
    scan = sg.degrade(page, sg.Degradation(skew_deg=1.0, noise_sigma=4), seed=9)
    c = clean_sheet(scan, read_labels(scan))
    assert not c.bitonal and c.mode == "grey"
    assert c.photo_blocks >= 4
    assert len(np.unique(c.image)) > 100                       # real grey levels kept
    for case in ("blur", "low-contrast", "worst"):
        t = clean_sheet(degraded[case].image)
        assert t.bitonal and t.photo_blocks < 4, case


def test_noisy_faint_page_is_smoothed_not_speckled(degraded: dict) -> None:
    c = clean_sheet(degraded["worst"].image, read_labels(degraded["worst"].image))
    assert any("smoothed" in n for n in c.notes)
    # paper stays white: the empty band between the label (ends ~25 mm) and the text (from 40 mm)
    band = c.image[mm(28): mm(37), mm(15): mm(195)]
    assert (band == 0).mean() < 0.0005


def test_input_is_not_modified(degraded: dict) -> None:
    img = degraded["border"].image
    before = img.copy()
    clean_sheet(img)
    assert np.array_equal(img, before)
