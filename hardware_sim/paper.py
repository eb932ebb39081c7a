"""The virtual paper path: the one physical state behind the scanner, labeller, stapler and bin.

A sheet's journey through the terminal, and the station that holds it at each point:

    tray ──FEED──► label station ──PASS──► scanner input (ADF) ──scan──► stacker
                    (labeller prints)                                     │
                                                           STAPLE + BIN ──┴──► bin
                                                           RETURN ──────────► returned to resident

* ``tray``: sheets the resident put in (``hardware-sim feed FILE...``), images of real paper.
* ``label station``: at most one sheet; the labeller prints onto its image.
* ``scanner input``: labelled sheets waiting for the scanner's feeder; a scan takes them in order
  and returns each as it now looks (slight skew and noise, configurable).
* ``stacker``: scanned sheets waiting to be stapled into the bin or returned.
* ``bin``: stapled sets, counted and listed; ``empty_bin()`` is the technician emptying the box.

Thread-safe: the intake-mechanism simulator and the scanner simulator act on it from their own
threads. Images are 8-bit greyscale PIL images at ``DPI`` (300), A4 unless the source says otherwise.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import random
import threading
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

DPI = 300
A4_MM = (210.0, 297.0)
FONT_PATH = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def mm_to_px(mm: float) -> int:
    return round(mm / 25.4 * DPI)


class PaperPathError(RuntimeError):
    """A paper-handling request that the physical state does not allow (e.g. no sheet there)."""


@dataclass
class Sheet:
    id: int
    source: str                     # where the sheet's picture came from
    image: Image.Image              # how the sheet looks now (labels printed onto it)
    labels: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "source": self.source, "labels": list(self.labels)}


@dataclass
class ScanNoise:
    """How a scan differs from the sheet: tests and testers set it (0 = pristine)."""

    max_skew_deg: float = 1.0
    noise_sigma: float = 4.0
    seed: int | None = None


class PaperPath:
    def __init__(self, noise: ScanNoise | None = None) -> None:
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self.noise = noise or ScanNoise()
        self._rng = random.Random(self.noise.seed)
        self.tray: deque[Sheet] = deque()
        self.label_station: Sheet | None = None
        self.scanner_input: deque[Sheet] = deque()
        self.stacker: list[Sheet] = []
        self.bin: list[dict[str, Any]] = []          # stapled sets: {"sheets": [...], "stapled": bool}
        self.returned: list[Sheet] = []
        self.staples_used = 0

    # -- the resident and the tester ------------------------------------------------------
    def feed(self, *paths: str | Path) -> list[int]:
        """Put sheets (image files) into the tray, in order; returns their ids."""
        ids = []
        with self._lock:
            for p in paths:
                sheet = Sheet(next(self._ids), str(p), _page_of_file(p))
                self.tray.append(sheet)
                ids.append(sheet.id)
        return ids

    def feed_image(self, image: Image.Image, source: str = "<image>") -> int:
        with self._lock:
            sheet = Sheet(next(self._ids), source, _to_page(image))
            self.tray.append(sheet)
            return sheet.id

    # -- the intake mechanism -------------------------------------------------------------
    def take_from_tray(self) -> Sheet:
        with self._lock:
            if self.label_station is not None:
                raise PaperPathError("a sheet is already at the label station")
            if not self.tray:
                raise PaperPathError("the tray is empty")
            self.label_station = self.tray.popleft()
            return self.label_station

    def print_label(self, text: str, barcode: str, x_mm: float, y_mm: float) -> Sheet:
        """Print a label (Code128 of ``barcode`` with ``text`` under it) onto the sheet at the
        label station, its top-left corner at (x_mm, y_mm) from the sheet's top-left."""
        with self._lock:
            sheet = self.label_station
            if sheet is None:
                raise PaperPathError("no sheet at the label station")
            _draw_label(sheet.image, text, barcode, mm_to_px(x_mm), mm_to_px(y_mm))
            sheet.labels.append({"text": text, "barcode": barcode, "x_mm": x_mm, "y_mm": y_mm})
            return sheet

    def pass_to_scanner(self) -> Sheet:
        with self._lock:
            sheet = self.label_station
            if sheet is None:
                raise PaperPathError("no sheet at the label station")
            self.label_station = None
            self.scanner_input.append(sheet)
            return sheet

    def staple_to_bin(self, staple: bool = True) -> dict[str, Any]:
        """Staple the stacker's sheets (if more than one and ``staple``) and drop them in the bin."""
        with self._lock:
            if not self.stacker:
                raise PaperPathError("the stacker is empty")
            stapled = staple and len(self.stacker) > 1
            entry = {"sheets": [s.summary() for s in self.stacker], "stapled": stapled}
            self.staples_used += 1 if stapled else 0
            self.bin.append(entry)
            self.stacker = []
            return entry

    def return_sheets(self) -> list[Sheet]:
        """Give every sheet inside the machine back to the resident (cancel, relabel, jam clear)."""
        with self._lock:
            back: list[Sheet] = []
            if self.label_station is not None:
                back.append(self.label_station)
                self.label_station = None
            back.extend(self.scanner_input)
            self.scanner_input.clear()
            back.extend(self.stacker)
            self.stacker = []
            self.returned.extend(back)
            return back

    # -- the scanner --------------------------------------------------------------------
    def scanner_has_paper(self) -> bool:
        with self._lock:
            return bool(self.scanner_input)

    def scan_next(self) -> tuple[Sheet, Image.Image]:
        """Take the next sheet from the scanner's feeder; return it and how the scan looks."""
        with self._lock:
            if not self.scanner_input:
                raise PaperPathError("the scanner's feeder is empty")
            sheet = self.scanner_input.popleft()
            self.stacker.append(sheet)
            return sheet, self._as_scanned(sheet.image)

    def _as_scanned(self, img: Image.Image) -> Image.Image:
        out = img
        if self.noise.max_skew_deg:
            angle = self._rng.uniform(-self.noise.max_skew_deg, self.noise.max_skew_deg)
            out = out.rotate(angle, resample=Image.Resampling.BILINEAR, expand=False, fillcolor=255)
        if self.noise.noise_sigma:
            import numpy as np

            arr = np.asarray(out, dtype=np.int16)
            rng = np.random.default_rng(self._rng.randrange(2**32))
            arr = arr + rng.normal(0, self.noise.noise_sigma, arr.shape).astype(np.int16)
            out = Image.fromarray(np.clip(arr, 0, 255).astype("uint8"), "L")
        return out

    # -- the technician -------------------------------------------------------------------
    def empty_bin(self) -> list[dict[str, Any]]:
        with self._lock:
            contents, self.bin = self.bin, []
            return contents

    def state(self) -> dict[str, Any]:
        with self._lock:
            return {
                "tray": [s.summary() for s in self.tray],
                "label_station": self.label_station.summary() if self.label_station else None,
                "scanner_input": [s.summary() for s in self.scanner_input],
                "stacker": [s.summary() for s in self.stacker],
                "bin": {"sets": len(self.bin), "sheets": sum(len(e["sheets"]) for e in self.bin),
                        "contents": list(self.bin)},
                "returned": [s.summary() for s in self.returned],
                "staples_used": self.staples_used,
            }


_PAGES: dict[str, Image.Image] = {}
_PAGES_LOCK = threading.Lock()


def _page_of_file(path: str | Path) -> Image.Image:
    """The page of an image file (see ``_to_page``), a fresh copy each time: a bench feeds the same
    few files again and again, so the decoded and scaled page is kept by the file's SHA-256."""
    data = Path(path).read_bytes()
    key = hashlib.sha256(data).hexdigest()
    with _PAGES_LOCK:
        page = _PAGES.get(key)
    if page is None:
        img = Image.open(io.BytesIO(data))
        img.load()
        page = _to_page(img)
        with _PAGES_LOCK:
            while len(_PAGES) >= 8:
                _PAGES.pop(next(iter(_PAGES)))
            _PAGES[key] = page
    return page.copy()


def _to_page(img: Image.Image) -> Image.Image:
    """Greyscale at 300 dpi; an image without a DPI is taken as an A4 page and scaled to it."""
    img = img.convert("L")
    dpi = img.info.get("dpi")
    if dpi and abs(float(dpi[0]) - DPI) < 1:
        return img.copy()
    w, h = mm_to_px(A4_MM[0]), mm_to_px(A4_MM[1])
    if img.width > img.height:
        w, h = h, w
    return img.resize((w, h), Image.Resampling.LANCZOS)


def _draw_label(img: Image.Image, text: str, barcode: str, x: int, y: int) -> None:
    """A thermal label: white box, Code128 bars 12 mm high, the text under them."""
    from barcode import Code128  # python-barcode: a library, not the code under test

    bars = Code128(barcode).build()[0]               # '1010...' modules, quiet zones excluded
    module = 4                                       # px per module at 300 dpi (0.34 mm)
    height = mm_to_px(12)
    quiet = 10 * module
    font = ImageFont.truetype(FONT_PATH, mm_to_px(3.2))
    width = len(bars) * module + 2 * quiet
    draw = ImageDraw.Draw(img)
    draw.rectangle([x, y, x + width, y + height + mm_to_px(6)], fill=255)
    for i, bit in enumerate(bars):
        if bit == "1":
            bx = x + quiet + i * module
            draw.rectangle([bx, y + mm_to_px(1), bx + module - 1, y + height], fill=0)
    draw.text((x + quiet, y + height + mm_to_px(1)), text, fill=0, font=font)


def blank_page(text_lines: list[str] | None = None) -> Image.Image:
    """A white A4 page at 300 dpi with some handwriting-like text, for tests and the demo."""
    img = Image.new("L", (mm_to_px(A4_MM[0]), mm_to_px(A4_MM[1])), 255)
    img.info["dpi"] = (DPI, DPI)
    if text_lines:
        draw = ImageDraw.Draw(img)
        font = ImageFont.truetype(FONT_PATH, mm_to_px(4))
        for i, line in enumerate(text_lines):
            draw.text((mm_to_px(20), mm_to_px(40) + i * mm_to_px(8)), line, fill=20, font=font)
    return img


__all__ = ["DPI", "PaperPath", "PaperPathError", "ScanNoise", "Sheet", "blank_page", "mm_to_px"]
