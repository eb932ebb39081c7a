"""The intake mechanism's command layer: intent -> frame bytes, frame bytes -> replies.

No I/O here (the connection lives in :mod:`devices.intake_mechanism`), so every byte is testable
against recorded transcripts. The wire format is specified in ``docs/intake-protocol.md``:

    host -> device   <seq> <COMMAND>[ <arg>]*<CRC>\\r\\n
    device -> host   <seq> ACK*<CRC>\\r\\n
                     <seq> OK[ key=value]*<CRC>\\r\\n
                     <seq> ERR <CODE>[ key=value]*<CRC>\\r\\n
                     <seq> NAK <REASON>*<CRC>\\r\\n
                     ! <EVENT>[ key=value]*<CRC>\\r\\n

CRC is CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, xorout 0; check value of
``123456789`` is 0x29B1) over every byte before the ``*``, written as 4 upper-case hex digits.
Arguments and values are UTF-8 with percent-escapes for space, control bytes, ``%``, ``*`` and ``|``.
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass, field

PROTOCOL_VERSION = 1
SEQ_MAX = 9999                 # sequence numbers run 1..9999 and wrap to 1; 0 = "unreadable"
MAX_FRAME = 512                # bytes including CRLF
EVENT_SEQ = "!"

COMMANDS = ("HELLO", "STATUS", "FEED", "LABEL", "PASS", "STAPLE_BIN", "RETURN", "BIN_EMPTIED", "RESET")
ERROR_CODES = (
    "JAM", "STAPLES_OUT", "BIN_FULL", "DOOR_OPEN", "NO_SHEET", "SHEET_PRESENT", "TRAY_EMPTY",
    "BUSY", "BAD_ARGS", "UNKNOWN_COMMAND", "INTERNAL",
)
EVENTS = (
    "READY", "DOOR_OPEN", "DOOR_CLOSED", "JAM", "JAM_CLEARED", "STAPLES_LOW", "STAPLES_OUT",
    "BIN_NEARLY_FULL", "BIN_FULL", "TRAY_LOADED", "TRAY_EMPTY",
)

_ESCAPE = frozenset(b"%*|") | frozenset(range(0x21)) | {0x7F}
_SEQ_RE = re.compile(rb"^(0|[1-9][0-9]{0,3})$")


class FrameError(ValueError):
    """A frame that cannot be trusted: bad checksum, bad layout, bad escape."""

    def __init__(self, message: str, reason: str = "BAD_FRAME") -> None:
        super().__init__(message)
        self.reason = reason        # BAD_CRC | BAD_FRAME | TOO_LONG


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: the standard library's CRC-CCITT (XMODEM polynomial) seeded with 0xFFFF."""
    return binascii.crc_hqx(data, 0xFFFF)


def escape(text: str) -> str:
    """Percent-escape one argument: UTF-8 stays as is, except space/controls/DEL and ``% * |``."""
    out: list[str] = []
    for ch in text:
        for b in ch.encode("utf-8"):
            if b in _ESCAPE:
                out.append(f"%{b:02X}")
            elif b >= 0x80:
                out.append(ch)
                break
            else:
                out.append(chr(b))
    return "".join(out)


def unescape(token: str) -> str:
    raw = token.encode("utf-8")
    out = bytearray()
    i = 0
    while i < len(raw):
        b = raw[i]
        if b == 0x25:                                   # '%'
            hexdigits = raw[i + 1 : i + 3]
            if len(hexdigits) != 2 or not re.fullmatch(rb"[0-9A-Fa-f]{2}", hexdigits):
                raise FrameError(f"bad escape in {token!r}")
            out.append(int(hexdigits, 16))
            i += 3
        else:
            out.append(b)
            i += 1
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError as err:
        raise FrameError(f"argument is not UTF-8: {token!r}") from err


def seal(body: bytes) -> bytes:
    """Append ``*CRC\\r\\n`` to a frame body."""
    return body + b"*%04X\r\n" % crc16_ccitt_false(body)


def encode_command(seq: int, command: str, *args: str) -> bytes:
    """One command frame; ``args`` are plain text, escaped here."""
    if not 1 <= seq <= SEQ_MAX:
        raise ValueError(f"sequence number {seq} outside 1..{SEQ_MAX}")
    if command not in COMMANDS:
        raise ValueError(f"unknown command {command!r}")
    body = " ".join([str(seq), command, *(escape(a) for a in args)]).encode("utf-8")
    frame = seal(body)
    if len(frame) > MAX_FRAME:
        raise ValueError(f"frame of {len(frame)} bytes exceeds {MAX_FRAME}")
    return frame


def format_mm(value: float) -> str:
    """Millimetres with at most one decimal, no trailing zeros: 150 -> "150", 12.25 -> "12.2"."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def encode_label(seq: int, text: str, barcode: str, x_mm: float, y_mm: float) -> bytes:
    body = " ".join(
        [str(seq), "LABEL", format_mm(x_mm), format_mm(y_mm), escape(text) + "|" + escape(barcode)]
    ).encode("utf-8")
    frame = seal(body)
    if len(frame) > MAX_FRAME:
        raise ValueError(f"frame of {len(frame)} bytes exceeds {MAX_FRAME}")
    return frame


@dataclass
class Reply:
    """A frame from the device. ``seq`` is None for unsolicited events."""

    seq: int | None
    kind: str                       # ACK | NAK | OK | ERR | EVENT
    code: str = ""                  # ERR code, NAK reason, or event name
    fields: dict[str, str] = field(default_factory=dict)
    raw: bytes = b""

    @property
    def is_event(self) -> bool:
        return self.kind == "EVENT"


def parse_reply(line: bytes) -> Reply:
    """Parse one frame from the device (with or without its CR/LF). Raises :class:`FrameError`."""
    raw = line.rstrip(b"\r\n")
    if len(raw) + 2 > MAX_FRAME:
        raise FrameError("frame too long", "TOO_LONG")
    star = raw.rfind(b"*")
    if star < 0 or len(raw) - star != 5:
        raise FrameError(f"no checksum in {raw!r}")
    body, crc_hex = raw[:star], raw[star + 1 :]
    if not re.fullmatch(rb"[0-9A-F]{4}", crc_hex):
        raise FrameError(f"bad checksum field in {raw!r}")
    if int(crc_hex, 16) != crc16_ccitt_false(body):
        raise FrameError(f"checksum mismatch in {raw!r}", "BAD_CRC")
    tokens = body.split(b" ")
    if len(tokens) < 2:
        raise FrameError(f"too few fields in {raw!r}")
    head, kind_b, rest = tokens[0], tokens[1], tokens[2:]
    try:
        kind = kind_b.decode("ascii")
        texts = [t.decode("utf-8") for t in rest]
    except UnicodeDecodeError as err:
        raise FrameError(f"not UTF-8: {raw!r}") from err
    if head == EVENT_SEQ.encode():
        return Reply(None, "EVENT", kind, _fields(texts), raw)
    if not _SEQ_RE.match(head):
        raise FrameError(f"bad sequence number in {raw!r}")
    seq = int(head)
    if kind in ("ACK", "OK"):
        return Reply(seq, kind, "", _fields(texts), raw)
    if kind in ("ERR", "NAK"):
        if not texts:
            raise FrameError(f"{kind} without a code in {raw!r}")
        return Reply(seq, kind, texts[0], _fields(texts[1:]), raw)
    raise FrameError(f"unknown reply kind {kind!r} in {raw!r}")


def _fields(tokens: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for tok in tokens:
        if not tok:
            continue
        key, sep, value = tok.partition("=")
        if not sep or not key:
            raise FrameError(f"field without '=': {tok!r}")
        out[key] = unescape(value)
    return out


def next_seq(seq: int) -> int:
    return 1 if seq >= SEQ_MAX else seq + 1


__all__ = [
    "COMMANDS", "ERROR_CODES", "EVENTS", "MAX_FRAME", "PROTOCOL_VERSION", "SEQ_MAX", "FrameError",
    "Reply", "crc16_ccitt_false", "encode_command", "encode_label", "escape", "format_mm",
    "next_seq", "parse_reply", "seal", "unescape",
]
