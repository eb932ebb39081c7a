"""The simulated network's side of SMS PDUs: decode SMS-SUBMIT, build SMS-STATUS-REPORT.

Written from 3GPP TS 23.040 / 23.038 on its own, without the driver's encoder (``devices``
is never imported here): if the two disagreed with the standard in the same way, a shared codec
would hide it. The GSM table is laid out here as the standard prints it, in rows of 16.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

# TS 23.038 6.2.1, the default alphabet by rows (0x00-0x0F, 0x10-0x1F, ...); 0x1B = escape.
_ROWS = [
    "@\u00a3$\u00a5\u00e8\u00e9\u00f9\u00ec\u00f2\u00c7\n\u00d8\u00f8\r\u00c5\u00e5",
    "\u0394_\u03a6\u0393\u039b\u03a9\u03a0\u03a8\u03a3\u0398\u039e\x1b\u00c6\u00e6\u00df\u00c9",
    " !\"#\u00a4%&'()*+,-./",
    "0123456789:;<=>?",
    "\u00a1ABCDEFGHIJKLMNO",
    "PQRSTUVWXYZ\u00c4\u00d6\u00d1\u00dc\u00a7",
    "\u00bfabcdefghijklmno",
    "pqrstuvwxyz\u00e4\u00f6\u00f1\u00fc\u00e0",
]
DEFAULT_ALPHABET = "".join(_ROWS)
# TS 23.038 6.2.1.1, the extension table reached by 0x1B
EXTENSION = {0x0A: "\f", 0x14: "^", 0x28: "{", 0x29: "}", 0x2F: "\\", 0x3C: "[", 0x3D: "~",
             0x3E: "]", 0x40: "|", 0x65: "\u20ac"}


class PduDecodeError(ValueError):
    pass


@dataclass
class Submit:
    """One decoded SMS-SUBMIT."""

    to: str
    text: str
    encoding: str                       # "gsm7", "ucs2", "8bit"
    status_report: bool
    mr: int
    concat: tuple[int, int, int] | None = None   # (reference, total, sequence)
    udh: list[tuple[int, bytes]] = field(default_factory=list)


def _septets_to_text(septets: list[int]) -> str:
    out = []
    escaped = False
    for s in septets:
        if escaped:
            out.append(EXTENSION.get(s, " "))
            escaped = False
        elif s == 0x1B:
            escaped = True
        else:
            out.append(DEFAULT_ALPHABET[s])
    return "".join(out)


def unpack_gsm7(data: bytes, count: int, skip_bits: int = 0) -> list[int]:
    """Read ``count`` septets from ``data`` as a little-endian bit stream, after ``skip_bits``."""
    stream = int.from_bytes(data, "little")
    return [(stream >> (skip_bits + 7 * k)) & 0x7F for k in range(count)]


def _read_address(data: bytes, pos: int) -> tuple[str, int]:
    digits_count = data[pos]
    toa = data[pos + 1]
    octets = data[pos + 2: pos + 2 + (digits_count + 1) // 2]
    digits = ""
    for octet in octets:
        digits += "0123456789*#abc"[octet & 0x0F] if (octet & 0x0F) < 15 else ""
        hi = octet >> 4
        digits += "0123456789*#abc"[hi] if hi < 15 else ""
    digits = digits[:digits_count]
    if (toa >> 4) & 0x07 == 0x01:       # type of number: international
        digits = "+" + digits
    return digits, pos + 2 + len(octets)


def decode_submit(hex_pdu: str, with_sca: bool = True) -> Submit:
    """Decode a hex SMS-SUBMIT as AT+CMGS receives it in PDU mode (SCA field first)."""
    try:
        data = bytes.fromhex(hex_pdu.strip())
    except ValueError as err:
        raise PduDecodeError(f"not hex: {err}") from err
    try:
        pos = 1 + data[0] if with_sca else 0
        first = data[pos]
        if first & 0x03 != 0x01:
            raise PduDecodeError(f"TP-MTI {first & 3} is not SMS-SUBMIT")
        vpf = (first >> 3) & 0x03
        srr = bool(first & 0x20)
        udhi = bool(first & 0x40)
        mr = data[pos + 1]
        to, pos = _read_address(data, pos + 2)
        _pid, dcs = data[pos], data[pos + 1]
        pos += 2
        pos += {0: 0, 2: 1, 1: 7, 3: 7}[vpf]       # no VP, relative, enhanced, absolute
        udl = data[pos]
        ud = data[pos + 1:]
    except IndexError as err:
        raise PduDecodeError("PDU too short") from err

    group = dcs >> 4
    if group in (0, 1, 4, 5, 0xF) or group in (0xC, 0xD):
        alphabet = (dcs >> 2) & 0x03 if group not in (0xC, 0xD, 0xF) else 0
        if group == 0xF:
            alphabet = 1 if dcs & 0x04 else 0
    elif group == 0xE:
        alphabet = 2
    else:
        alphabet = 0
    encoding = {0: "gsm7", 1: "8bit", 2: "ucs2"}.get(alphabet, "gsm7")

    udh_items: list[tuple[int, bytes]] = []
    header_octets = 0
    if udhi:
        udhl = ud[0]
        header_octets = udhl + 1
        k = 1
        while k < header_octets:
            iei, length = ud[k], ud[k + 1]
            udh_items.append((iei, bytes(ud[k + 2:k + 2 + length])))
            k += 2 + length
    concat = None
    for iei, value in udh_items:
        if iei == 0x00 and len(value) == 3:
            concat = (value[0], value[1], value[2])
        elif iei == 0x08 and len(value) == 4:
            concat = ((value[0] << 8) | value[1], value[2], value[3])

    if encoding == "gsm7":
        header_bits = header_octets * 8
        skip_septets = (header_bits + 6) // 7        # the header plus its fill bits
        septets = unpack_gsm7(ud, udl - skip_septets, skip_septets * 7)
        text = _septets_to_text(septets)
    else:
        body = bytes(ud[header_octets:udl])
        if len(ud) < udl:
            raise PduDecodeError(f"user data shorter ({len(ud)}) than TP-UDL ({udl})")
        text = body.decode("utf-16-be", errors="replace") if encoding == "ucs2" else body.hex()
    return Submit(to=to, text=text, encoding=encoding, status_report=srr, mr=mr, concat=concat,
                  udh=udh_items)


def _bcd_swapped(value: str) -> bytes:
    if len(value) % 2:
        value += "F"
    return bytes(int(value[i + 1] + value[i], 16) for i in range(0, len(value), 2))


def _timestamp(when: float) -> bytes:
    t = time.gmtime(when)
    fields = f"{t.tm_year % 100:02d}{t.tm_mon:02d}{t.tm_mday:02d}{t.tm_hour:02d}{t.tm_min:02d}{t.tm_sec:02d}00"
    return _bcd_swapped(fields)


def build_status_report(mr: int, to: str, status: int = 0x00, when: float | None = None) -> str:
    """Hex SMS-STATUS-REPORT (with an empty SCA field) for ``+CDS: <len>\\r\\n<pdu>``."""
    when = time.time() if when is None else when
    digits = to.lstrip("+")
    toa = 0x91 if to.startswith("+") else 0x81
    tpdu = bytes([0x06, mr & 0xFF, len(digits), toa]) + _bcd_swapped(digits)
    tpdu += _timestamp(when - 1) + _timestamp(when) + bytes([status])
    return "00" + tpdu.hex().upper()


def status_report_length(hex_pdu: str) -> int:
    """The <length> of +CDS: octets without the SCA field."""
    data = bytes.fromhex(hex_pdu)
    return len(data) - 1 - data[0]
