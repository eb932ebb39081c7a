"""The ESC/POS interpreter of the virtual receipt printer.

Bytes arrive in arbitrary chunks; :meth:`EscposInterpreter.feed` consumes every complete
command, keeps an incomplete tail for the next chunk, and returns the bytes the printer answers
(DLE EOT, GS r, GS I). Commands follow the Epson ESC/POS reference (TM-T88 family). Unknown
commands are skipped with a warning, as a real printer would ignore them.

While ``paper_ok()`` is false the printer prints nothing: data received then is dropped (a real
printer stops), but real-time commands are still answered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from PIL import Image, ImageOps

from hardware_sim.escpos_render import LINE_SPACING, ReceiptCanvas, Style, decode_byte

log = logging.getLogger(__name__)

ESC, GS, DLE, FS, LF, CR, HT, FF = 0x1B, 0x1D, 0x10, 0x1C, 0x0A, 0x0D, 0x09, 0x0C

# Fixed number of parameter bytes after ESC x / GS x / FS x for commands we only skip.
_ESC_SKIP = {ord(c): n for c, n in {
    " ": 1, "%": 1, "2": 0, "3": 1, "<": 0, "=": 1, "?": 1, "G": 1, "J": 1, "K": 1, "L": 0,
    "M": 1, "R": 1, "S": 0, "T": 1, "U": 1, "V": 1, "c": 2, "e": 1, "i": 0, "m": 0, "p": 3,
    "r": 1, "u": 1, "v": 0, "{": 1, "$": 2, "\\": 2, "t": 1, "@": 0, "E": 1, "-": 1, "!": 1,
    "a": 1, "d": 1,
}.items()}
_GS_SKIP = {ord(c): n for c, n in {
    "!": 1, "$": 2, "B": 1, "H": 1, "I": 1, "L": 2, "P": 2, "W": 2, "\\": 2, "^": 3, "a": 1,
    "b": 1, "f": 1, "h": 1, "r": 1, "w": 1, "T": 1, ":": 0, "/": 1,
}.items()}
_FS_SKIP = {ord(c): n for c, n in {"&": 0, ".": 0, "!": 1, "-": 1, "C": 1, "S": 2, "W": 1, "p": 2}.items()}


class _Incomplete(Exception):
    """The command is not all here yet: wait for more bytes."""


@dataclass
class PrinterFlags:
    """What the real-time status replies report."""

    paper_out: bool = False
    paper_near_end: bool = False
    cover_open: bool = False


def status_byte(n: int, flags: PrinterFlags) -> int:
    """The reply to DLE EOT n (Epson: bits 1 and 4 always set, bits 0 and 7 always clear)."""
    byte = 0x12
    if n == 1:
        if flags.paper_out or flags.cover_open:
            byte |= 0x08                       # offline
    elif n == 2:
        if flags.cover_open:
            byte |= 0x04
        if flags.paper_out:
            byte |= 0x20                       # printing stopped by paper end
    elif n == 4:
        if flags.paper_near_end or flags.paper_out:
            byte |= 0x0C                       # roll paper near end
        if flags.paper_out:
            byte |= 0x60                       # roll paper end
    return byte


class EscposInterpreter:
    def __init__(
        self,
        canvas_factory: Callable[[], ReceiptCanvas],
        on_cut: Callable[[ReceiptCanvas], None],
        flags: Callable[[], PrinterFlags],
    ) -> None:
        self._new_canvas = canvas_factory
        self._on_cut = on_cut
        self._flags = flags
        self.canvas = canvas_factory()
        self.buf = bytearray()
        self.reset()

    # -- state --------------------------------------------------------------------------
    def reset(self) -> None:
        """ESC @: back to power-on settings (the buffer's content is kept)."""
        self.style = Style()
        self.align = "left"
        self.codepage = 0
        self.spacing = LINE_SPACING
        self.bc_height = 162
        self.bc_width = 3
        self.bc_hri = 0
        self.qr_module = 3
        self.qr_ec = 0
        self.qr_data = b""

    def paper_ok(self) -> bool:
        flags = self._flags()
        return not (flags.paper_out or flags.cover_open)

    # -- input --------------------------------------------------------------------------
    def feed(self, data: bytes) -> bytes:
        self.buf += data
        replies = bytearray()
        while self.buf:
            try:
                used, reply = self._step()
            except _Incomplete:
                break
            del self.buf[:used]
            replies += reply
        return bytes(replies)

    def finish(self) -> ReceiptCanvas | None:
        """Connection closed: what is on the paper so far is a receipt too."""
        if not self.canvas.empty:
            return self._cut()
        return None

    def _cut(self) -> ReceiptCanvas:
        self.canvas.flush(self.align)
        done = self.canvas
        self.canvas = self._new_canvas()
        self._on_cut(done)
        return done

    def _need(self, n: int) -> None:
        if len(self.buf) < n:
            raise _Incomplete

    # -- one command --------------------------------------------------------------------
    def _step(self) -> tuple[int, bytes]:
        b = self.buf[0]
        if b == DLE:
            return self._dle()
        if b == ESC:
            return self._esc()
        if b == GS:
            return self._gs()
        if b == FS:
            self._need(2)
            n = _FS_SKIP.get(self.buf[1], 0)
            self._need(2 + n)
            return 2 + n, b""
        printing = self.paper_ok()
        if b == LF:
            if printing:
                self.canvas.newline(self.align, self.spacing)
        elif b in (CR, 0x00):
            pass
        elif b == HT:
            if printing:
                for _ in range(8 - len(self.canvas._line) % 8):
                    self.canvas.add_char(" ", self.style)
        elif b == FF:
            if printing:
                self.canvas.flush(self.align)
        elif b >= 0x20 and printing:
            self.canvas.add_char(decode_byte(b, self.codepage), self.style)
        return 1, b""

    def _dle(self) -> tuple[int, bytes]:
        self._need(2)
        cmd = self.buf[1]
        if cmd == 0x04:                       # DLE EOT n: real-time status
            self._need(3)
            n = self.buf[2]
            return 3, bytes([status_byte(n, self._flags())]) if n in (1, 2, 3, 4) else b""
        if cmd == 0x05:                       # DLE ENQ n
            self._need(3)
            return 3, b""
        if cmd == 0x14:                       # DLE DC4 fn ...
            self._need(5)
            return 5, b""
        return 1, b""

    def _esc(self) -> tuple[int, bytes]:
        self._need(2)
        cmd = self.buf[1]
        n = _ESC_SKIP.get(cmd)
        if cmd == ord("*"):                   # bit image, column format
            return self._esc_star()
        if n is None:
            log.warning("receipt printer: unknown command ESC 0x%02x skipped", cmd)
            return 2, b""
        self._need(2 + n)
        arg = self.buf[2] if n else 0
        c = chr(cmd)
        printing = self.paper_ok()
        if c == "@":
            self.canvas.flush(self.align)
            self.reset()
        elif c == "t":
            self.codepage = arg
        elif c == "E":
            self.style = replace(self.style, bold=bool(arg & 1))
        elif c == "-":
            self.style = replace(self.style, underline=arg & 3 if arg < 48 else arg - 48)
        elif c == "!":
            self.style = replace(self.style, font_b=bool(arg & 1), bold=bool(arg & 8),
                                 height=2 if arg & 16 else 1, width=2 if arg & 32 else 1,
                                 underline=1 if arg & 128 else 0)
        elif c == "M":
            self.style = replace(self.style, font_b=arg in (1, 49))
        elif c == "a":
            self.align = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}.get(
                arg, "left")
        elif c == "d" and printing:
            self.canvas.feed_lines(arg, self.align)
        elif c == "J" and printing:
            self.canvas.flush(self.align)
            self.canvas.feed_dots(arg)
        elif c == "2":
            self.spacing = LINE_SPACING
        elif c == "3":
            self.spacing = arg
        elif c in "im" and printing:
            self._cut()
        return 2 + n, b""

    def _esc_star(self) -> tuple[int, bytes]:
        self._need(5)
        m, nl, nh = self.buf[2], self.buf[3], self.buf[4]
        cols = nl + 256 * nh
        rows = 24 if m in (32, 33) else 8
        size = cols * rows // 8
        self._need(5 + size)
        if self.paper_ok():
            data = bytes(self.buf[5:5 + size])
            img = Image.new("L", (cols, rows), 255)
            px = img.load()
            per_col = rows // 8
            for x in range(cols):
                for k in range(per_col):
                    byte = data[x * per_col + k]
                    for bit in range(8):
                        if byte & (0x80 >> bit):
                            px[x, k * 8 + bit] = 0
            if m in (0, 32):
                img = img.resize((cols * 2, rows * (1 if m == 32 else 3)), Image.Resampling.NEAREST)
            self.canvas.raster(img, self.align)
        return 5 + size, b""

    def _gs(self) -> tuple[int, bytes]:
        self._need(2)
        cmd = self.buf[1]
        c = chr(cmd)
        printing = self.paper_ok()
        if c == "V":                          # cut
            self._need(3)
            m = self.buf[2]
            used = 4 if m in (65, 66, 97, 98, 103, 104) else 3
            self._need(used)
            if printing:
                if used == 4:
                    self.canvas.feed_dots(self.buf[3])
                self._cut()
            return used, b""
        if c == "k":
            return self._barcode()
        if c == "(":
            return self._gs_paren()
        if c == "v":
            return self._raster()
        n = _GS_SKIP.get(cmd)
        if n is None:
            log.warning("receipt printer: unknown command GS 0x%02x skipped", cmd)
            return 2, b""
        self._need(2 + n)
        arg = self.buf[2] if n else 0
        reply = b""
        if c == "!":
            self.style = replace(self.style, width=(arg >> 4) + 1, height=(arg & 7) + 1)
        elif c == "B":
            self.style = replace(self.style, invert=bool(arg & 1))
        elif c == "h":
            self.bc_height = max(arg, 1)
        elif c == "w":
            self.bc_width = max(arg, 1)
        elif c == "H":
            self.bc_hri = arg - 48 if arg >= 48 else arg
        elif c == "r":
            flags = self._flags()
            if arg in (1, 49):
                reply = bytes([(0x03 if flags.paper_near_end or flags.paper_out else 0)
                               | (0x0C if flags.paper_out else 0)])
            else:
                reply = b"\x00"
        elif c == "I":
            reply = {1: b"\x20", 2: b"\x02", 3: b"\x40", 49: b"\x20", 50: b"\x02", 51: b"\x40",
                     66: b"_EPSON\x00", 67: b"_TM-T88V SIM\x00"}.get(arg, b"_\x00")
        return 2 + n, reply

    def _barcode(self) -> tuple[int, bytes]:
        self._need(3)
        m = self.buf[2]
        if m <= 6:                            # function A: NUL-terminated
            end = self.buf.find(b"\x00", 3)
            if end < 0:
                raise _Incomplete
            log.info("receipt printer: barcode type %d printed as text only", m)
            if self.paper_ok():
                for ch in bytes(self.buf[3:end]).decode("ascii", "replace"):
                    self.canvas.add_char(ch, self.style)
                self.canvas.newline(self.align)
            return end + 1, b""
        self._need(4)
        n = self.buf[3]
        self._need(4 + n)
        data = bytes(self.buf[4:4 + n])
        if self.paper_ok():
            if m == 73:
                self.canvas.barcode128(data, self.bc_width, self.bc_height, self.bc_hri, self.align)
            else:
                log.info("receipt printer: barcode type %d printed as text only", m)
                for ch in data.decode("ascii", "replace"):
                    self.canvas.add_char(ch, self.style)
                self.canvas.newline(self.align)
        return 4 + n, b""

    def _gs_paren(self) -> tuple[int, bytes]:
        self._need(5)
        fn_class = chr(self.buf[2])
        length = self.buf[3] + 256 * self.buf[4]
        self._need(5 + length)
        body = bytes(self.buf[5:5 + length])
        if fn_class == "k" and len(body) >= 2 and body[0] == 49:      # QR code
            fn = body[1]
            if fn == 65:
                pass                                                  # model
            elif fn == 67 and len(body) > 2:
                self.qr_module = body[2]
            elif fn == 69 and len(body) > 2:
                self.qr_ec = body[2] - 48 if body[2] >= 48 else body[2]
            elif fn == 80:
                self.qr_data = body[3:]
            elif fn == 81 and self.qr_data and self.paper_ok():
                self.canvas.qr(self.qr_data, self.qr_module, self.qr_ec, self.align)
        elif fn_class != "k":
            log.info("receipt printer: GS ( %s (%d bytes) ignored", fn_class, length)
        return 5 + length, b""

    def _raster(self) -> tuple[int, bytes]:
        self._need(8)
        if self.buf[2] not in (0x30, 0x00):
            return 3, b""
        m = self.buf[3] & 3
        xb = self.buf[4] + 256 * self.buf[5]
        y = self.buf[6] + 256 * self.buf[7]
        size = xb * y
        self._need(8 + size)
        if self.paper_ok() and xb and y:
            img = Image.frombytes("1", (xb * 8, y), bytes(self.buf[8:8 + size]))
            img = ImageOps.invert(img.convert("L"))           # ESC/POS: bit 1 = black dot
            sx = 2 if m in (1, 3) else 1
            sy = 2 if m in (2, 3) else 1
            if sx > 1 or sy > 1:
                img = img.resize((img.width * sx, img.height * sy), Image.Resampling.NEAREST)
            self.canvas.raster(img, self.align)
        return 8 + size, b""
