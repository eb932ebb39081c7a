"""The simulated scanner as SANE sees it: its option descriptors, one open handle's option
values, the scan parameters they give, and a sheet's picture rendered into SANE image bytes.

The options follow what sheet-fed scanners' SANE backends (fujitsu, canon_dr, kodak) offer:

    0  (num options)                         read-only Int
    1  group "Scan Mode"
    2  mode         Gray | Lineart            String
    3  source       Flatbed | ADF | ADF Duplex  String (default Flatbed, as many scanners)
    4  resolution   100 | 150 | 200 | 300 dpi  Int word list
    5  group "Geometry"
    6-9 tl-x tl-y br-x br-y                   Fixed mm ranges, default an A4 page
    10 group "Sensors"
    11 page-loaded  12 double-feed  13 cover-open   read-only Bool sensors
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from hardware_sim.saned_wire import (
    INFO_INEXACT,
    INFO_RELOAD_PARAMS,
    Cap,
    Constraint,
    OptionDescriptor,
    Status,
    Unit,
    ValueType,
    fix,
    unfix,
)

PAPER_DPI = 300                      # the virtual paper path's resolution
MODES = ["Gray", "Lineart"]
SOURCES = ["Flatbed", "ADF", "ADF Duplex"]
RESOLUTIONS = [100, 150, 200, 300]
X_MAX_MM = 215.9                     # US legal width: what sheet-fed scanners usually allow
Y_MAX_MM = 355.6
A4_MM = (210.0, 297.0)
STRING_SIZE = 32
SENSOR_CAP = Cap.SOFT_DETECT | Cap.HARD_SELECT | Cap.ADVANCED
SETTABLE = Cap.SOFT_SELECT | Cap.SOFT_DETECT


def _group(title: str) -> OptionDescriptor:
    return OptionDescriptor("", title, "", ValueType.GROUP, Unit.NONE, 0, 0)


def _geometry(name: str, title: str, desc: str, hi: float) -> OptionDescriptor:
    return OptionDescriptor(name, title, desc, ValueType.FIXED, Unit.MM, 4, SETTABLE,
                            Constraint.RANGE, (0, fix(hi), 0))


def _sensor(name: str, title: str, desc: str) -> OptionDescriptor:
    return OptionDescriptor(name, title, desc, ValueType.BOOL, Unit.NONE, 4, SENSOR_CAP)


OPTIONS: list[OptionDescriptor] = [
    OptionDescriptor("", "Number of options",
                     "Read-only option that specifies how many options a specific device supports.",
                     ValueType.INT, Unit.NONE, 4, Cap.SOFT_DETECT),
    _group("Scan Mode"),
    OptionDescriptor("mode", "Scan mode", "Selects the scan mode (e.g., lineart, monochrome, or color).",
                     ValueType.STRING, Unit.NONE, STRING_SIZE, SETTABLE, Constraint.STRING_LIST, MODES),
    OptionDescriptor("source", "Scan source", "Selects the scan source (such as a document-feeder).",
                     ValueType.STRING, Unit.NONE, STRING_SIZE, SETTABLE, Constraint.STRING_LIST, SOURCES),
    OptionDescriptor("resolution", "Scan resolution", "Sets the resolution of the scanned image.",
                     ValueType.INT, Unit.DPI, 4, SETTABLE, Constraint.WORD_LIST, RESOLUTIONS),
    _group("Geometry"),
    _geometry("tl-x", "Top-left x", "Top-left x position of scan area.", X_MAX_MM),
    _geometry("tl-y", "Top-left y", "Top-left y position of scan area.", Y_MAX_MM),
    _geometry("br-x", "Bottom-right x", "Bottom-right x position of scan area.", X_MAX_MM),
    _geometry("br-y", "Bottom-right y", "Bottom-right y position of scan area.", Y_MAX_MM),
    _group("Sensors"),
    _sensor("page-loaded", "Page loaded", "Paper is in the document feeder."),
    _sensor("double-feed", "Double feed", "The feeder took more than one sheet at once."),
    _sensor("cover-open", "Cover open", "The scanner's cover is open."),
]
INDEX = {o.name: i for i, o in enumerate(OPTIONS) if o.name}
SENSORS = ("page-loaded", "double-feed", "cover-open")


@dataclass
class Parameters:
    pixels_per_line: int
    lines: int
    depth: int
    bytes_per_line: int


class Settings:
    """One open handle's option values (each OPEN starts from the defaults, as real backends do)."""

    def __init__(self, sensor: Callable[[str], bool]) -> None:
        self.sensor = sensor
        self.values: dict[str, object] = {
            "mode": "Gray", "source": "Flatbed", "resolution": 300,
            "tl-x": 0.0, "tl-y": 0.0, "br-x": A4_MM[0], "br-y": A4_MM[1],
        }

    # -- CONTROL_OPTION ----------------------------------------------------------------------
    def get(self, index: int) -> tuple[int, bytes]:
        """(status, the value as the C buffer: network-order Words or NUL-terminated chars)."""
        if not 0 <= index < len(OPTIONS):
            return Status.INVAL, b""
        opt = OPTIONS[index]
        if index == 0:
            return Status.GOOD, struct.pack(">i", len(OPTIONS))
        if opt.type == ValueType.GROUP:
            return Status.INVAL, b""
        if opt.name in SENSORS:
            return Status.GOOD, struct.pack(">i", int(self.sensor(opt.name)))
        value = self.values[opt.name]
        if opt.type == ValueType.STRING:
            return Status.GOOD, str(value).encode("latin-1") + b"\0"
        if opt.type == ValueType.FIXED:
            return Status.GOOD, struct.pack(">i", fix(float(value)))  # type: ignore[arg-type]
        return Status.GOOD, struct.pack(">i", int(value))  # type: ignore[call-overload]

    def set(self, index: int, raw: bytes) -> tuple[int, int]:
        """Apply a SET_VALUE; returns (status, info flags)."""
        if not 0 <= index < len(OPTIONS):
            return Status.INVAL, 0
        opt = OPTIONS[index]
        if not opt.cap & Cap.SOFT_SELECT:
            return Status.INVAL, 0
        if opt.type == ValueType.STRING:
            text = raw.split(b"\0", 1)[0].decode("latin-1")
            if text not in (opt.constraint or []):
                return Status.INVAL, 0
            self.values[opt.name] = text
            return Status.GOOD, INFO_RELOAD_PARAMS
        (w,) = struct.unpack(">i", raw[:4].ljust(4, b"\0"))
        if opt.type == ValueType.INT:                     # resolution: nearest listed value
            best = min(RESOLUTIONS, key=lambda r: abs(r - w))
            self.values[opt.name] = best
            return Status.GOOD, INFO_RELOAD_PARAMS | (INFO_INEXACT if best != w else 0)
        lo, hi, _ = opt.constraint  # type: ignore[misc]
        clamped = min(max(w, lo), hi)
        self.values[opt.name] = unfix(clamped)
        return Status.GOOD, INFO_RELOAD_PARAMS | (INFO_INEXACT if clamped != w else 0)

    # -- scanning ----------------------------------------------------------------------------
    @property
    def source(self) -> str:
        return str(self.values["source"])

    def _area_mm(self) -> tuple[float, float, float, float]:
        v = self.values
        tlx, tly, brx, bry = (float(v[k]) for k in ("tl-x", "tl-y", "br-x", "br-y"))  # type: ignore[arg-type]
        return tlx, tly, max(brx, tlx + 1.0), max(bry, tly + 1.0)

    def parameters(self) -> Parameters:
        dpi = int(self.values["resolution"])  # type: ignore[call-overload]
        tlx, tly, brx, bry = self._area_mm()
        ppl = max(1, round((brx - tlx) / 25.4 * dpi))
        lines = max(1, round((bry - tly) / 25.4 * dpi))
        if self.values["mode"] == "Lineart":
            return Parameters(ppl, lines, 1, (ppl + 7) // 8)
        return Parameters(ppl, lines, 8, ppl)

    def render(self, sheet: Image.Image | None) -> bytes:
        """The scan area of ``sheet`` (None = nothing there: white) as SANE image bytes."""
        p = self.parameters()
        dpi = int(self.values["resolution"])  # type: ignore[call-overload]
        tlx, tly, _, _ = self._area_mm()
        src_w = round(p.pixels_per_line * PAPER_DPI / dpi)
        src_h = round(p.lines * PAPER_DPI / dpi)
        canvas = Image.new("L", (src_w, src_h), 255)
        if sheet is not None:
            x0 = round(tlx / 25.4 * PAPER_DPI)
            y0 = round(tly / 25.4 * PAPER_DPI)
            canvas.paste(sheet.convert("L"), (-x0, -y0))
        if (src_w, src_h) != (p.pixels_per_line, p.lines):
            canvas = canvas.resize((p.pixels_per_line, p.lines), Image.Resampling.LANCZOS)
        arr = np.asarray(canvas, dtype=np.uint8)
        if p.depth == 1:                                  # SANE lineart: bit 1 = black
            return np.packbits(arr < 128, axis=1).tobytes()
        return arr.tobytes()


__all__ = ["INDEX", "OPTIONS", "SENSORS", "Parameters", "Settings"]
