"""Real-time status of an ESC/POS printer: DLE EOT n, the reply bits, and what they mean.

python-escpos 3.1 asks only n=1 (online) and n=4 (paper) and does not tell cover open from
paper out; this module asks all four and decodes them after the Epson ESC/POS reference:

    n=1 printer status   bit 3: offline                 bit 5: waiting for online recovery
                         bit 6: paper feed button pressed
    n=2 offline cause    bit 2: cover open              bit 3: paper being fed by the button
                         bit 5: printing stopped by paper end   bit 6: an error occurred
    n=3 error cause      bit 2: recoverable error       bit 3: autocutter error
                         bit 5: unrecoverable error     bit 6: auto-recoverable error
    n=4 paper sensor     bits 2+3: roll paper near end  bits 5+6: roll paper end

Every reply byte has bits 1 and 4 set and bits 0 and 7 clear; anything else is not a reply.
"""

from __future__ import annotations

from dataclasses import dataclass

from devices.errors import CoverOpen, DeviceFault, DeviceOffline, DeviceProtocolError, PaperOut
from devices.state import DeviceState, DeviceStatus

DEVICE = "receipt_printer"
DLE_EOT = b"\x10\x04"
QUERIES = (1, 2, 3, 4)


def query(n: int) -> bytes:
    """The bytes that ask status n (1..4)."""
    if n not in QUERIES:
        raise ValueError("DLE EOT n is 1, 2, 3 or 4")
    return DLE_EOT + bytes([n])


def check_reply(byte: int) -> int:
    if byte & 0x93 != 0x12:
        raise DeviceProtocolError(f"not a DLE EOT reply: 0x{byte:02x}", device=DEVICE)
    return byte


@dataclass(frozen=True)
class PrinterStatus:
    """The four replies decoded; absent replies (None) are taken as 'no problem'."""

    offline: bool = False
    cover_open: bool = False
    paper_out: bool = False
    paper_near_end: bool = False
    feed_button: bool = False
    error: bool = False
    autocutter_error: bool = False
    unrecoverable_error: bool = False
    raw: tuple[int | None, ...] = (None, None, None, None)

    @classmethod
    def from_replies(cls, replies: dict[int, int]) -> PrinterStatus:
        r = {n: check_reply(b) for n, b in replies.items()}
        p1, p2, p3, p4 = (r.get(n, 0x12) for n in QUERIES)
        return cls(
            offline=bool(p1 & 0x08),
            cover_open=bool(p2 & 0x04),
            paper_out=bool(p2 & 0x20) or (p4 & 0x60) == 0x60,
            paper_near_end=(p4 & 0x0C) == 0x0C,
            feed_button=bool(p1 & 0x40) or bool(p2 & 0x08),
            error=bool(p2 & 0x40),
            autocutter_error=bool(p3 & 0x08),
            unrecoverable_error=bool(p3 & 0x20),
            raw=tuple(r.get(n) for n in QUERIES),
        )

    @property
    def detail(self) -> str:
        for flag in ("cover_open", "paper_out", "autocutter_error", "unrecoverable_error", "error",
                     "offline", "paper_near_end"):
            if getattr(self, flag):
                return flag
        return ""

    def fault(self) -> DeviceFault | None:
        """The typed error this status stops printing with, or None if it can print."""
        if self.cover_open:
            return CoverOpen("receipt printer cover is open", device=DEVICE)
        if self.paper_out:
            return PaperOut("receipt printer is out of paper", device=DEVICE)
        if self.autocutter_error or self.unrecoverable_error or self.error:
            return DeviceOffline(f"receipt printer reports an error ({self.detail})", device=DEVICE)
        if self.offline:
            return DeviceOffline("receipt printer is offline", device=DEVICE)
        return None

    def to_device_status(self) -> DeviceStatus:
        fault = self.fault()
        if fault is not None:
            state = DeviceState.FAULT
        elif self.paper_near_end:
            state = DeviceState.WARNING
        else:
            state = DeviceState.READY
        paper = 0 if self.paper_out else (10 if self.paper_near_end else 100)
        return DeviceStatus(
            device=DEVICE,
            state=state,
            detail=self.detail,
            consumables={"paper": paper},
            last_error=fault.as_dict() if fault else None,
        )
