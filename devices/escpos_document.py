"""The receipt as a document, and the layer that turns it into ESC/POS bytes.

A :class:`Receipt` is a list of blocks (text, Code128, QR, rule, feed). :func:`receipt_bytes`
renders it with python-escpos's command methods into a byte string; no connection is involved
(python-escpos's ``Dummy`` printer only collects what ``_raw`` is given), so the same bytes go to
a network, serial, USB or file connection, and unit tests compare them with recorded transcripts.

Ukrainian text. The receipt is printed in one code page chosen by configuration, by default
CP1251 (Epson "WPC1251", ``ESC t 46``), which has і ї є ґ І Ї Є Ґ and also ’ « » — … №.
CP1125 (``ESC t 44``, the Ukrainian DOS page) is the alternative for printers without WPC1251.
A character the chosen page lacks is replaced by the first of its stand-ins the page has
(:data:`FALLBACKS`); on CP1251 that means only: ʼ (U+02BC, modifier letter apostrophe) -> ’
(U+2019). On CP1125 the typographic quotes, dashes and apostrophes become ASCII ' " - ...
Anything else unprintable becomes "?".
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from escpos.constants import QR_ECLEVEL_M
from escpos.printer import Dummy

from devices.errors import DeviceConfigError

Align = Literal["left", "center", "right"]

# Code pages we let the configuration choose: name in python-escpos profiles -> Python codec.
CODEPAGES: dict[str, str] = {"CP1251": "cp1251", "CP1125": "cp1125", "CP866": "cp866"}

# Stand-ins, in order of preference, for characters a code page may lack.
FALLBACKS: dict[str, tuple[str, ...]] = {
    "\u02bc": ("\u2019", "'"),        # ʼ modifier letter apostrophe (official Ukrainian apostrophe)
    "\u2019": ("'",),                  # ’
    "\u2018": ("'",),                  # ‘
    "\u201c": ('"',), "\u201d": ('"',), "\u201e": ('"',),
    "\u00ab": ('"',), "\u00bb": ('"',),  # « »
    "\u2014": ("-",), "\u2013": ("-",), "\u2011": ("-",), "\u2212": ("-",),
    "\u2026": ("...",),                 # …
    "\u2116": ("N",),                   # №
    "\u00a0": (" ",), "\u202f": (" ",),
    "\u00b7": ("\u2219", "-"),          # · middle dot
}


def normalize_text(text: str, codepage: str = "CP1251") -> str:
    """Replace what ``codepage`` cannot print by its stand-in (see :data:`FALLBACKS`)."""
    codec = CODEPAGES[codepage]
    out: list[str] = []
    for ch in text:
        if _encodable(ch, codec):
            out.append(ch)
            continue
        for alt in FALLBACKS.get(ch, ()):
            if all(_encodable(c, codec) for c in alt):
                out.append(alt)
                break
        else:
            out.append("?")
    return "".join(out)


def _encodable(ch: str, codec: str) -> bool:
    if ch in "\n" or 0x20 <= ord(ch) < 0x7F:
        return True
    if ord(ch) < 0x20:
        return False
    try:
        ch.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


# -- the document model ----------------------------------------------------------------
@dataclass(frozen=True)
class Text:
    text: str
    bold: bool = False
    size: int = 1                 # 1 normal, 2 double width+height, 3 triple
    align: Align = "left"


@dataclass(frozen=True)
class Barcode128:
    data: str                     # printable ASCII, e.g. "0170001235-01"
    hri: bool = True              # human-readable digits under the bars
    height: int = 80              # dots (203 dpi: 80 dots = 10 mm)


@dataclass(frozen=True)
class Qr:
    data: str
    size: int = 6                 # module size in dots, 1..16


@dataclass(frozen=True)
class Rule:
    char: str = "-"


@dataclass(frozen=True)
class Feed:
    lines: int = 1


Block = Text | Barcode128 | Qr | Rule | Feed


@dataclass
class Receipt:
    """What the intake code builds: ``Receipt().text(...).barcode128(...).qr(...)``."""

    blocks: list[Block] = field(default_factory=list)

    def text(self, text: str, *, bold: bool = False, size: int = 1, align: Align = "left") -> Receipt:
        if size not in (1, 2, 3):
            raise ValueError("size is 1, 2 or 3")
        if align not in ("left", "center", "right"):
            raise ValueError("align is left, center or right")
        self.blocks.append(Text(text, bold, size, align))
        return self

    def barcode128(self, data: str, *, hri: bool = True, height: int = 80) -> Receipt:
        if not data or not all(0x20 <= ord(c) < 0x7F for c in data) or len(data) > 40:
            raise ValueError("Code128 data: 1..40 printable ASCII characters")
        self.blocks.append(Barcode128(data, hri, height))
        return self

    def qr(self, data: str, size: int = 6) -> Receipt:
        if not 1 <= size <= 16:
            raise ValueError("QR module size is 1..16 dots")
        if not data:
            raise ValueError("QR data is empty")
        self.blocks.append(Qr(data, size))
        return self

    def rule(self, char: str = "-") -> Receipt:
        self.blocks.append(Rule(char))
        return self

    def feed(self, lines: int = 1) -> Receipt:
        self.blocks.append(Feed(max(0, min(lines, 255))))
        return self

    def plain_text(self, columns: int = 48, codepage: str = "CP1251") -> str:
        """The text lines as the printer will print them (for logs and tests)."""
        lines: list[str] = []
        for block in self.blocks:
            if isinstance(block, Text):
                lines.extend(wrap(normalize_text(block.text, codepage), columns // block.size))
            elif isinstance(block, Rule):
                lines.append(block.char * columns)
            elif isinstance(block, Feed):
                lines.extend([""] * block.lines)
        return "\n".join(lines).strip("\n")


def wrap(text: str, width: int) -> list[str]:
    out: list[str] = []
    for para in text.split("\n"):
        out.extend(textwrap.wrap(para, width, break_long_words=True, break_on_hyphens=False) or [""])
    return out


# -- bytes ------------------------------------------------------------------------------
def receipt_bytes(
    receipt: Receipt | Iterable[Block],
    *,
    profile: str = "default",
    codepage: str = "CP1251",
    columns: int = 48,
    cut: bool = True,
) -> bytes:
    """The ESC/POS byte string of a whole receipt: ESC @, code page, blocks, feed and cut."""
    if codepage not in CODEPAGES:
        raise DeviceConfigError(f"codepage {codepage!r}: choose one of {', '.join(CODEPAGES)}",
                                device="receipt_printer")
    blocks = receipt.blocks if isinstance(receipt, Receipt) else list(receipt)
    p = Dummy(profile=profile)
    try:
        p.hw("INIT")
        p.charcode(codepage)
    except (ValueError, KeyError) as err:
        raise DeviceConfigError(f"printer profile {profile!r} has no code page {codepage}",
                                device="receipt_printer") from err
    for block in blocks:
        if isinstance(block, Text):
            p.set(align=block.align, bold=block.bold, custom_size=True, width=block.size, height=block.size)
            for line in wrap(normalize_text(block.text, codepage), columns // block.size):
                p.text(line + "\n")
        elif isinstance(block, Rule):
            p.set(align="left", bold=False, custom_size=True, width=1, height=1)
            p.text(normalize_text(block.char, codepage)[:1] * columns + "\n")
        elif isinstance(block, Feed):
            if block.lines:
                p.print_and_feed(block.lines)
        elif isinstance(block, Barcode128):
            modules = 11 * (len(block.data) + 3) + 2
            width = 3 if (modules + 20) * 3 <= columns * 12 else 2
            # python-escpos's public barcode() prints to stdout; its hardware path is what we want.
            p._hw_barcode("{B" + block.data, "CODE128", height=block.height, width=width,
                          pos="BELOW" if block.hri else "OFF", font="A", align_ct=True,
                          function_type="B")
        elif isinstance(block, Qr):
            p.set(align="center")
            p.qr(block.data, ec=QR_ECLEVEL_M, size=block.size, native=True)
    p.set(align="left", bold=False, custom_size=True, width=1, height=1)
    if cut:
        p.cut()
    return bytes(p.output)
