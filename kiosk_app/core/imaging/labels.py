"""Reading the sheet labels back from a scan.

Every sheet the intake labels carries a Code128 label near its top-right corner with the payload
``"<compact appeal number>-<NN>"`` (e.g. ``"0170001235-01"``). The label is read from the LOSSLESS
greyscale scan, before any binarisation or compression, so what the PDF shows can never be what
made a read fail.

Reader: zxing-cpp (``zxingcpp.read_barcodes``), restricted to Code128. ``benchmarks/sheets.py``
compares it with pyzbar on the same degraded sheets (zxing-cpp reads all of them and is about
ten times faster); :func:`read_labels_pyzbar` is kept only for that comparison.

Speed: the reader first looks where the labeller prints (a region of interest in the top-right of
the page, and the same region turned half a turn, bottom-left, for a sheet scanned upside down),
with the cheap reader settings; then it retries with zxing's extra effort (downscaled and inverted
passes, rotations); only then the whole page.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import zxingcpp
from stdnum.iso7064 import mod_11_2

from kiosk_app.core.imaging._util import GrayInput, as_gray_array

log = logging.getLogger(__name__)

PAYLOAD_RE = re.compile(r"^(?P<number>\d{9}[0-9X])-(?P<sheet>\d{2})$")

# Regions of interest as fractions of the page (x0, y0, x1, y1). The labeller prints near the
# top right (hardware_sim prints at about 140 mm from the left, 8 mm from the top of an A4
# sheet); a sheet scanned upside down has the label at the bottom left.
ROI_TOP_RIGHT = (0.40, 0.0, 1.0, 0.22)
ROI_BOTTOM_LEFT = (0.0, 0.78, 0.60, 1.0)


@dataclass(frozen=True)
class LabelRead:
    """One Code128 symbol found on a page.

    ``number`` and ``sheet`` are None when the payload is not one of ours. ``check_ok`` says
    whether the number's ISO 7064 Mod 11-2 check character matches. ``corners`` are the four
    corners (x, y) in the coordinates of the image that was read, clockwise from the symbol's own
    top-left. ``orientation`` is the reading direction in degrees as zxing reports it
    (0 = left-to-right upright, 180 = the page is upside down). ``region`` names the pass that
    found it: "roi", "roi-smoothed", "roi-effort", "page" or "page-smoothed".
    """

    text: str
    number: str | None
    sheet: int | None
    check_ok: bool
    corners: tuple[tuple[int, int], ...]
    orientation: int
    region: str

    @property
    def center(self) -> tuple[float, float]:
        xs = [c[0] for c in self.corners]
        ys = [c[1] for c in self.corners]
        return (sum(xs) / len(xs), sum(ys) / len(ys))

    @property
    def upside_down(self) -> bool:
        """True when the symbol reads right-to-left, i.e. the page was scanned rotated 180°."""
        return 135 <= (self.orientation % 360) <= 225

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "number": self.number, "sheet": self.sheet, "check_ok": self.check_ok,
                "corners": [list(c) for c in self.corners], "orientation": self.orientation,
                "region": self.region}


def parse_payload(text: str) -> tuple[str, int] | None:
    """``"0170001235-01"`` -> ``("0170001235", 1)``; None for anything else."""
    m = PAYLOAD_RE.match(text.strip())
    if not m:
        return None
    return m.group("number"), int(m.group("sheet"))


def _make_read(text: str, corners: Sequence[tuple[int, int]], orientation: int, region: str) -> LabelRead:
    parsed = parse_payload(text)
    number, sheet = parsed if parsed else (None, None)
    check_ok = bool(number) and mod_11_2.is_valid(number or "")
    return LabelRead(text, number, sheet, check_ok, tuple(corners), int(orientation), region)


def _roi(gray: np.ndarray, frac: tuple[float, float, float, float]) -> tuple[np.ndarray, int, int]:
    h, w = gray.shape
    x0, y0, x1, y1 = round(frac[0] * w), round(frac[1] * h), round(frac[2] * w), round(frac[3] * h)
    return gray[y0:y1, x0:x1], x0, y0


def _zxing(img: np.ndarray, dx: int, dy: int, region: str, effort: bool) -> list[LabelRead]:
    results = zxingcpp.read_barcodes(
        np.ascontiguousarray(img), formats=zxingcpp.BarcodeFormat.Code128,
        try_rotate=effort, try_downscale=effort, try_invert=effort)
    reads = []
    for r in results:
        p = r.position
        corners = [(pt.x + dx, pt.y + dy) for pt in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)]
        reads.append(_make_read(r.text, corners, r.orientation, region))
    return reads


def read_labels(gray: GrayInput, *, rois: bool = True, whole_page: bool = True) -> list[LabelRead]:
    """Find the Code128 labels on a greyscale page (PIL "L" or uint8 array), fastest pass first.

    Passes, stopping at the first that finds one of OUR labels (a parsable payload): the two label
    regions with plain settings; the same regions smoothed (Gaussian, sigma 1 px: heavy scanner
    noise on a low-contrast label otherwise breaks the bar edges); the regions with zxing's extra
    effort; then, unless ``whole_page`` is False, the whole page with extra effort, plain then
    smoothed. With ``rois=False`` only the whole-page passes run. Returns every Code128 symbol
    seen (foreign ones have ``number=None``), ours first; an empty list when there is none.
    """
    arr = as_gray_array(gray)
    label_areas = [_roi(arr, f) for f in (ROI_TOP_RIGHT, ROI_BOTTOM_LEFT)]
    page = [(arr, 0, 0)]
    # (region name, areas, smooth, zxing extra effort)
    passes: list[tuple[str, list[tuple[np.ndarray, int, int]], bool, bool]] = []
    if rois:
        passes += [("roi", label_areas, False, False), ("roi-smoothed", label_areas, True, False),
                   ("roi-effort", label_areas, False, True)]
    if whole_page:
        passes += [("page", page, False, True), ("page-smoothed", page, True, True)]
    seen: dict[str, LabelRead] = {}
    for region, areas, smooth, effort in passes:
        for sub, dx, dy in areas:
            if smooth:
                sub = cv2.GaussianBlur(sub, (0, 0), 1.0)
            for r in _zxing(sub, dx, dy, region, effort):
                seen.setdefault(r.text, r)
            if any(r.number is not None for r in seen.values()):
                return sorted(seen.values(), key=lambda r: r.number is None)
    if not seen:
        log.debug("no Code128 label found on a %dx%d page", arr.shape[1], arr.shape[0])
    return list(seen.values())


def read_labels_pyzbar(gray: GrayInput, *, rois: bool = True) -> list[LabelRead]:
    """The same search with pyzbar (ZBar), for the benchmark's side-by-side comparison only."""
    from pyzbar import pyzbar

    arr = as_gray_array(gray)
    regions = [("roi", ROI_TOP_RIGHT), ("roi", ROI_BOTTOM_LEFT)] if rois else []
    regions.append(("page", (0.0, 0.0, 1.0, 1.0)))
    for region, frac in regions:
        sub, dx, dy = _roi(arr, frac)
        sub = np.ascontiguousarray(sub)
        results = pyzbar.decode((sub.tobytes(), sub.shape[1], sub.shape[0]),
                                symbols=[pyzbar.ZBarSymbol.CODE128])
        reads = []
        for r in results:
            left, top, w, h = r.rect
            corners = [(left + dx, top + dy), (left + w + dx, top + dy),
                       (left + w + dx, top + h + dy), (left + dx, top + h + dy)]
            orientation = {"UP": 0, "RIGHT": 90, "DOWN": 180, "LEFT": 270}.get(str(r.orientation), 0)
            reads.append(_make_read(r.data.decode("ascii", "replace"), corners, orientation, region))
        if reads:
            return reads
    return []


def pick_label(reads: Sequence[LabelRead], expected_number: str | None = None) -> LabelRead | None:
    """The read that is ours: matching ``expected_number`` when given, else the first parsed one
    (reads whose check character is right come first)."""
    ours = sorted((r for r in reads if r.number is not None), key=lambda r: not r.check_ok)
    if expected_number is not None:
        ours = [r for r in ours if r.number == expected_number]
    return ours[0] if ours else None


__all__ = ["LabelRead", "parse_payload", "pick_label", "read_labels", "read_labels_pyzbar"]
