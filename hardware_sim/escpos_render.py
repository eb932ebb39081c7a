"""Paper for the virtual receipt printer: what an 80 mm thermal head would put on the roll.

The interpreter (:mod:`hardware_sim.escpos_parser`) calls a :class:`ReceiptCanvas` with
characters, line feeds, barcodes, QR codes and raster images; the canvas lays them out at
203 dpi on a 576-dot line (font A: 12 x 24 dots, 48 columns) and finally writes a PNG and the
decoded text. Code128 bars and QR modules are drawn for real, so a phone or zxing-cpp can read
them back from the picture.

The text file holds the printed text lines only (no barcode HRI, no QR, no images), one line per
LF, with leading and trailing blank lines removed; a line longer than the paper wraps on the PNG
but stays one line in the text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path

import qrcode
import qrcode.constants
from barcode.charsets.code128 import CODES as CODE128_PATTERNS
from PIL import Image, ImageDraw, ImageFont, ImageOps

log = logging.getLogger(__name__)

PAPER_DOTS = 576          # 80 mm paper, 72 mm printable at 203 dpi
CHAR_W, CHAR_H = 12, 24   # font A
CHAR_W_B, CHAR_H_B = 9, 17  # font B
LINE_SPACING = 30         # default line spacing in dots (ESC 2)
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
CODE128_STOP = "1100011101011"

# ESC t n -> Python codec (Epson numbering, as in the escpos-printer-db profiles).
CODEPAGES: dict[int, str] = {
    0: "cp437", 2: "cp850", 3: "cp860", 4: "cp863", 5: "cp865", 16: "cp1252", 17: "cp866",
    18: "cp852", 19: "cp858", 34: "cp855", 40: "iso8859_15", 44: "cp1125", 45: "cp1250",
    46: "cp1251", 47: "cp1253", 48: "cp1254", 49: "cp1255", 50: "cp1256", 51: "cp1257",
    52: "cp1258", 255: "cp437",
}


def decode_byte(byte: int, codepage: int) -> str:
    codec = CODEPAGES.get(codepage, "cp437")
    try:
        return bytes([byte]).decode(codec)
    except UnicodeDecodeError:
        return "?"


@dataclass(frozen=True)
class Style:
    bold: bool = False
    width: int = 1            # 1..8 character magnification
    height: int = 1
    underline: int = 0
    invert: bool = False
    font_b: bool = False


@dataclass
class _Block:
    image: Image.Image
    align: str = "left"


@dataclass
class ReceiptCanvas:
    """One receipt, from the previous cut to the next."""

    blocks: list[_Block] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    barcodes: list[dict[str, str]] = field(default_factory=list)
    qr_codes: list[str] = field(default_factory=list)
    images: int = 0
    _line: list[tuple[str, Style]] = field(default_factory=list)
    _fonts: dict[tuple[bool, int], ImageFont.FreeTypeFont] = field(default_factory=dict)

    # -- content ------------------------------------------------------------------------
    @property
    def empty(self) -> bool:
        return not (self.blocks or self._line)

    def add_char(self, ch: str, style: Style) -> None:
        self._line.append((ch, style))

    def newline(self, align: str, spacing: int = LINE_SPACING) -> None:
        """LF: print the line buffer (or feed one empty line)."""
        chars = self._line
        self._line = []
        self.lines.append("".join(c for c, _ in chars).rstrip())
        if not chars:
            self.blocks.append(_Block(Image.new("L", (PAPER_DOTS, spacing), 255)))
            return
        for row in self._wrap(chars):
            self.blocks.append(_Block(self._render_row(row, spacing), align))

    def flush(self, align: str) -> None:
        """Print what is buffered without a LF (before a barcode, a cut, ...)."""
        if self._line:
            self.newline(align)

    def feed_dots(self, dots: int) -> None:
        if dots > 0:
            self.blocks.append(_Block(Image.new("L", (PAPER_DOTS, dots), 255)))

    def feed_lines(self, n: int, align: str) -> None:
        self.flush(align)
        for _ in range(n):
            self.newline(align)

    def barcode128(self, data: bytes, module: int, height: int, hri: int, align: str) -> None:
        """GS k 73: ``data`` starts with {A, {B or {C as the Epson manual describes."""
        try:
            values, text = code128_values(data)
        except ValueError as err:
            log.warning("receipt printer: bad Code128 data %r: %s", data, err)
            return
        self.flush(align)
        modules = "".join(CODE128_PATTERNS[v] for v in values) + CODE128_STOP
        if len(modules) * module > PAPER_DOTS:
            log.warning("receipt printer: Code128 %r wider than the paper, not printed", text)
            return
        quiet = min(10, (PAPER_DOTS // module - len(modules)) // 2)
        img = Image.new("L", ((len(modules) + 2 * quiet) * module, height), 255)
        draw = ImageDraw.Draw(img)
        for i, bit in enumerate(modules):
            if bit == "1":
                x = (quiet + i) * module
                draw.rectangle([x, 0, x + module - 1, height - 1], fill=0)
        hri_img = self._render_row([(c, Style()) for c in text], CHAR_H + 4) if hri else None
        if hri in (1, 3) and hri_img:
            self.blocks.append(_Block(hri_img, align))
        self.blocks.append(_Block(img, align))
        if hri in (2, 3) and hri_img:
            self.blocks.append(_Block(hri_img, align))
        self.barcodes.append({"type": "CODE128", "data": text})

    def qr(self, data: bytes, module: int, ec: int, align: str) -> None:
        self.flush(align)
        levels = [qrcode.constants.ERROR_CORRECT_L, qrcode.constants.ERROR_CORRECT_M,
                  qrcode.constants.ERROR_CORRECT_Q, qrcode.constants.ERROR_CORRECT_H]
        code = qrcode.QRCode(version=None, error_correction=levels[max(0, min(ec, 3))],
                             box_size=max(1, module), border=4)
        code.add_data(data)
        code.make(fit=True)
        img = code.make_image().get_image().convert("L")
        self.blocks.append(_Block(img, align))
        self.qr_codes.append(data.decode("utf-8", "replace"))

    def raster(self, bitmap: Image.Image, align: str) -> None:
        """A 1-bit image in ESC/POS convention already converted: black = printed dot."""
        self.flush(align)
        self.blocks.append(_Block(bitmap.convert("L"), align))
        self.images += 1

    # -- output -------------------------------------------------------------------------
    def text(self) -> str:
        lines = list(self.lines) + (["".join(c for c, _ in self._line)] if self._line else [])
        while lines and not lines[0].strip():
            lines.pop(0)
        while lines and not lines[-1].strip():
            lines.pop()
        return "\n".join(lines)

    def to_image(self) -> Image.Image:
        self.flush("left")
        margin = 16
        height = sum(b.image.height for b in self.blocks) + 2 * margin
        page = Image.new("L", (PAPER_DOTS, max(height, 2 * margin)), 255)
        y = margin
        for block in self.blocks:
            img = block.image
            if img.width > PAPER_DOTS:
                img = img.crop((0, 0, PAPER_DOTS, img.height))
            x = {"center": (PAPER_DOTS - img.width) // 2, "right": PAPER_DOTS - img.width}.get(block.align, 0)
            page.paste(img, (x, y))
            y += img.height
        return page

    def save(self, png: Path, txt: Path) -> None:
        self.to_image().save(png)
        txt.write_text(self.text() + "\n", encoding="utf-8")

    # -- helpers ------------------------------------------------------------------------
    def _font(self, bold: bool, size: int) -> ImageFont.FreeTypeFont:
        key = (bold, size)
        if key not in self._fonts:
            name = "DejaVuSansMono-Bold.ttf" if bold else "DejaVuSansMono.ttf"
            self._fonts[key] = ImageFont.truetype(str(FONT_DIR / name), size)
        return self._fonts[key]

    @staticmethod
    def _cell(style: Style) -> tuple[int, int]:
        w, h = (CHAR_W_B, CHAR_H_B) if style.font_b else (CHAR_W, CHAR_H)
        return w * style.width, h * style.height

    def _wrap(self, chars: list[tuple[str, Style]]) -> list[list[tuple[str, Style]]]:
        rows: list[list[tuple[str, Style]]] = [[]]
        used = 0
        for ch, style in chars:
            w, _ = self._cell(style)
            if used + w > PAPER_DOTS and rows[-1]:
                rows.append([])
                used = 0
            rows[-1].append((ch, style))
            used += w
        return rows

    def _render_row(self, row: list[tuple[str, Style]], spacing: int) -> Image.Image:
        runs: list[tuple[str, Style]] = []
        for ch, style in row:
            if runs and runs[-1][1] == style:
                runs[-1] = (runs[-1][0] + ch, style)
            else:
                runs.append((ch, style))
        height = max([self._cell(s)[1] for _, s in runs] + [spacing])
        width = sum(self._cell(s)[0] * len(t) for t, s in runs)
        img = Image.new("L", (max(width, 1), height), 255)
        x = 0
        for text, style in runs:
            base = replace(style, width=1, height=1)
            cw, ch = self._cell(base)
            run = Image.new("L", (cw * len(text), ch), 255)
            draw = ImageDraw.Draw(run)
            font = self._font(style.bold, 20 if not style.font_b else 15)
            for i, c in enumerate(text):
                draw.text((i * cw, 0), c, font=font, fill=0)
            if style.underline:
                draw.rectangle([0, ch - style.underline, run.width - 1, ch - 1], fill=0)
            if style.invert:
                run = ImageOps.invert(run)
            run = run.resize((run.width * style.width, run.height * style.height), Image.Resampling.NEAREST)
            img.paste(run, (x, height - run.height))
            x += run.width
        return img


def code128_values(data: bytes) -> tuple[list[int], str]:
    """Epson GS k m=73 data -> Code128 symbol values (start .. check) and the HRI text."""
    if len(data) < 2 or data[0] != 0x7B or data[1] not in b"ABC":
        raise ValueError("Code128 data must start with {A, {B or {C")
    sets = {ord("A"): 103, ord("B"): 104, ord("C"): 105}
    switch = {ord("A"): 101, ord("B"): 100, ord("C"): 99}
    values = [sets[data[1]]]
    current = chr(data[1])
    text: list[str] = []
    i = 2
    shift = False
    while i < len(data):
        b = data[i]
        if b == 0x7B and i + 1 < len(data):
            nxt = data[i + 1]
            i += 2
            if nxt in switch:
                if chr(nxt) == current:
                    continue
                values.append(switch[nxt])
                current = chr(nxt)
            elif nxt == ord("S"):
                values.append(98)
                shift = True
            elif nxt == ord("1"):
                values.append(102)
            elif nxt == ord("2"):
                values.append(97)
            elif nxt == ord("3"):
                values.append(96)
            elif nxt == ord("4"):
                values.append(101 if current == "B" else 100)
            elif nxt == 0x7B:
                values.append(0x7B - 32)
                text.append("{")
            else:
                raise ValueError(f"unknown code set escape {{{chr(nxt)}")
            continue
        active = current
        if shift:
            active = "B" if current == "A" else "A"
            shift = False
        if active == "C":
            if b > 99:
                raise ValueError("code set C takes values 0..99")
            values.append(b)
            text.append(f"{b:02d}")
        elif active == "A":
            if b > 0x5F:
                raise ValueError("code set A takes 0x00..0x5F")
            values.append(b - 32 if b >= 32 else b + 64)
            text.append(chr(b) if b >= 32 else " ")
        else:
            if not 0x20 <= b <= 0x7F:
                raise ValueError("code set B takes 0x20..0x7F")
            values.append(b - 32)
            text.append(chr(b))
        i += 1
    check = (values[0] + sum(pos * v for pos, v in enumerate(values[1:], start=1))) % 103
    values.append(check)
    return values, "".join(text)
