"""The device side of the intake line protocol (docs/intake-protocol.md): what the firmware does
to frames. Written apart from ``devices.intake_protocol`` on purpose: the simulator must not share
code with the driver it checks, so the CRC here is the table-driven variant of the same algorithm.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _table() -> list[int]:
    table = []
    for i in range(256):
        crc = i << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
        table.append(crc)
    return table


_TABLE = _table()


def crc16(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, no final xor."""
    crc = 0xFFFF
    for b in data:
        crc = ((crc << 8) & 0xFFFF) ^ _TABLE[((crc >> 8) ^ b) & 0xFF]
    return crc


def seal(body: str) -> bytes:
    raw = body.encode("utf-8")
    return raw + f"*{crc16(raw):04X}\r\n".encode("ascii")


def esc(text: str) -> str:
    out = []
    for ch in text:
        if ch in "%*|" or ord(ch) <= 0x20 or ord(ch) == 0x7F:
            out.append(f"%{ord(ch):02X}")
        else:
            out.append(ch)
    return "".join(out)


_PCT = re.compile(rb"%([0-9A-Fa-f]{2})")


def unesc(token: bytes) -> str:
    """Undo percent-escapes; raises ValueError on a lone '%' or bytes that are not UTF-8."""
    if re.search(rb"%(?![0-9A-Fa-f]{2})", token):
        raise ValueError("bad escape")
    return _PCT.sub(lambda m: bytes([int(m.group(1), 16)]), token).decode("utf-8")


class BadFrame(ValueError):
    def __init__(self, reason: str, seq: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.seq = seq


@dataclass
class Command:
    seq: int
    name: str
    args: list[bytes]
    body: bytes                 # everything before '*': identifies a retransmission


def parse_command(frame: bytes) -> Command:
    """A frame from the host, without CR/LF. Raises BadFrame (reason BAD_CRC/BAD_FRAME/TOO_LONG)."""
    if len(frame) + 2 > 512:
        raise BadFrame("TOO_LONG")
    head = frame.split(b" ", 1)[0]
    seq = int(head) if re.fullmatch(rb"[1-9][0-9]{0,3}", head) else 0
    star = frame.rfind(b"*")
    if star < 0 or not re.fullmatch(rb"[0-9A-F]{4}", frame[star + 1 :]):
        raise BadFrame("BAD_FRAME", seq)
    body = frame[:star]
    if int(frame[star + 1 :], 16) != crc16(body):
        raise BadFrame("BAD_CRC", seq)
    parts = body.split(b" ")
    if seq == 0 or len(parts) < 2 or not re.fullmatch(rb"[A-Z_]{1,16}", parts[1]):
        raise BadFrame("BAD_FRAME", seq)
    return Command(seq, parts[1].decode("ascii"), parts[2:], body)


def reply(seq: int | str, kind: str, *tokens: str, **fields: object) -> bytes:
    """``<seq> <kind> tokens... key=value...*CRC\\r\\n`` with values escaped."""
    parts = [str(seq), kind, *tokens, *(f"{k}={esc(str(v))}" for k, v in fields.items())]
    return seal(" ".join(parts))


__all__ = ["BadFrame", "Command", "crc16", "esc", "parse_command", "reply", "seal", "unesc"]
