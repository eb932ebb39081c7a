"""The sheet pipeline of the intake: label read-back, cleanup, compression, the appeal PDF.

Pure functions on greyscale 300 dpi scans (PIL "L" images or uint8 arrays)::

    sheet = process_sheet(scan, expected_number="0170001235")   # labels -> cleanup -> encoding
    front, back = process_sides([front_scan, back_scan], "0170001235")  # duplex: each side beside the other
    sheet.label.sheet, sheet.cleaned.as_record(), sheet.timings_ms
    info = build_pdf([s.encoded for s in sheets if s.encoded], out, title=..., number=...)
    add_ocr_layer(out, out)                                      # later, off the resident's path

Each stage is callable on its own: :func:`read_labels`, :func:`clean_sheet`, :func:`encode_page`,
:func:`build_pdf`, :func:`add_ocr_layer`. No Qt here (``kiosk_app.core`` is UI-free).
"""

from kiosk_app.core.imaging.cleanup import (
    BLANK_COVERAGE,
    PHOTO_MIN_BLOCKS,
    Cleaned,
    clean_sheet,
    ink_coverage,
)
from kiosk_app.core.imaging.compress import (
    JPEG_QUALITY,
    TEXT_PAGE_BUDGET,
    EncodedPage,
    encode_bitonal,
    encode_grey,
    encode_page,
)
from kiosk_app.core.imaging.labels import (
    LabelRead,
    parse_payload,
    pick_label,
    read_labels,
    read_labels_pyzbar,
)
from kiosk_app.core.imaging.ocr import OcrError, add_ocr_layer, tesseract_available
from kiosk_app.core.imaging.pdf import PdfInfo, build_pdf
from kiosk_app.core.imaging.pipeline import ProcessedSheet, process_sheet, process_sides

__all__ = [
    "BLANK_COVERAGE",
    "JPEG_QUALITY",
    "PHOTO_MIN_BLOCKS",
    "TEXT_PAGE_BUDGET",
    "Cleaned",
    "EncodedPage",
    "LabelRead",
    "OcrError",
    "PdfInfo",
    "ProcessedSheet",
    "add_ocr_layer",
    "build_pdf",
    "clean_sheet",
    "encode_bitonal",
    "encode_grey",
    "encode_page",
    "ink_coverage",
    "parse_payload",
    "pick_label",
    "process_sheet",
    "process_sides",
    "read_labels",
    "read_labels_pyzbar",
    "tesseract_available",
]
