"""One scanned sheet through the pipeline: label read-back, cleanup, encoding, with timings.

The order matters: the labels are read from the lossless greyscale scan first (where the
labeller prints; the whole page only if the sheet is not blank), and their orientation tells the
cleanup which way up the sheet went through; then the page is cleaned and compressed. A blank page (the empty back of a duplex scan) is not encoded; its record keeps
the measured coverage so the appeal's history says why it was dropped.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kiosk_app.core.imaging._util import GrayInput, as_gray_array
from kiosk_app.core.imaging.cleanup import BLANK_COVERAGE, Cleaned, clean_sheet, ink_coverage
from kiosk_app.core.imaging.compress import JPEG_QUALITY, EncodedPage, encode_page
from kiosk_app.core.imaging.labels import LabelRead, pick_label, read_labels


@dataclass
class ProcessedSheet:
    """The outcome for one scanned sheet.

    ``label`` is our label (the one matching ``expected_number`` when one was given), None when
    not found. ``label_ok`` is True when a label was found and, if a number was expected, it
    matched. ``encoded`` is None for a blank page. ``timings_ms`` per stage: "labels",
    "cleanup", "encode", "total".
    """

    labels: list[LabelRead]
    label: LabelRead | None
    label_ok: bool
    cleaned: Cleaned
    encoded: EncodedPage | None
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def is_blank(self) -> bool:
        return self.cleaned.is_blank

    def as_record(self) -> dict[str, Any]:
        """JSON-able summary for the page record (no image data)."""
        return {"label": self.label.as_dict() if self.label else None, "label_ok": self.label_ok,
                "labels_found": [r.text for r in self.labels], "cleanup": self.cleaned.as_record(),
                "encoded": ({"kind": self.encoded.kind, "bytes": self.encoded.size}
                            if self.encoded else None),
                "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()}}


def process_sheet(gray: GrayInput, expected_number: str | None = None, *,
                  jpeg_quality: int = JPEG_QUALITY, other_side: GrayInput | None = None) -> ProcessedSheet:
    """Read the labels, clean and encode one greyscale 300 dpi scan; see the module docstring.
    ``other_side``: the scan of the sheet's other side, when the scanner gave both (duplex)."""
    t0 = time.perf_counter()
    arr = as_gray_array(gray)
    labels = read_labels(arr, whole_page=False)
    if not any(r.number for r in labels) and ink_coverage(arr) >= BLANK_COVERAGE:
        # not where the labeller prints: search the whole page (skipped for an empty back side)
        labels = read_labels(arr, rois=False) or labels
    label = pick_label(labels, expected_number)
    t1 = time.perf_counter()
    cleaned = clean_sheet(arr, [label] if label else labels, other_side=other_side)
    t2 = time.perf_counter()
    encoded = None if cleaned.is_blank else encode_page(cleaned, jpeg_quality=jpeg_quality)
    t3 = time.perf_counter()
    ok = label is not None and (expected_number is None or label.number == expected_number)
    timings = {"labels": (t1 - t0) * 1e3, "cleanup": (t2 - t1) * 1e3, "encode": (t3 - t2) * 1e3,
               "total": (t3 - t0) * 1e3}
    return ProcessedSheet(labels, label, ok, cleaned, encoded, timings)


def process_sides(sides: Sequence[GrayInput], expected_number: str | None = None) -> list[ProcessedSheet]:
    """The scans of one sheet (its front, and its back when the scanner gave both) through
    :func:`process_sheet`, each side with the other beside it: what shows through from the back
    is then told from a lighter writing on the front (see ``restore.local_threshold``)."""
    arrays = [as_gray_array(s) for s in sides]
    return [process_sheet(a, expected_number, other_side=arrays[1 - k] if len(arrays) == 2 else None)
            for k, a in enumerate(arrays)]


__all__ = ["ProcessedSheet", "process_sheet", "process_sides"]
