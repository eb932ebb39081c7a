"""SMS PDU codec for the modem driver (3GPP TS 23.040 / 23.038), no third-party code.

What the driver needs and nothing more:

* :func:`encode_submit` turns (number, text) into one or more SMS-SUBMIT PDUs (hex strings, as
  ``AT+CMGS`` in PDU mode wants them), choosing GSM 7-bit when every character is in the default
  alphabet (or its extension table) and UCS-2 otherwise; long texts become concatenated parts
  with a UDH (IEI 0x00, 8-bit reference, or IEI 0x08, 16-bit reference).
* :func:`decode_status_report` reads an SMS-STATUS-REPORT PDU (what ``+CDS:`` carries).
* :func:`mask_number` for logs: phone numbers are personal data.

Capacity per part: GSM 7-bit 160 septets alone, 153 when split (152 with a 16-bit reference);
UCS-2 70 characters alone, 67 when split (66 with a 16-bit reference). An escape pair (GSM
extension character) or a UTF-16 surrogate pair is never split across two parts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# The GSM 03.38 default alphabet, position = septet value. 0x1B is the escape to the extension table.
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXT = {"\f": 0x0A, "^": 0x14, "{": 0x28, "}": 0x29, "\\": 0x2F, "[": 0x3C, "~": 0x3D, "]": 0x3E,
            "|": 0x40, "€": 0x65}
_BASIC_INDEX = {ch: i for i, ch in enumerate(GSM7_BASIC) if ch != "\x1b"}
assert len(GSM7_BASIC) == 128

DCS_GSM7 = 0x00
DCS_UCS2 = 0x08

GSM7_SINGLE, GSM7_MULTI8, GSM7_MULTI16 = 160, 153, 152
UCS2_SINGLE, UCS2_MULTI8, UCS2_MULTI16 = 70, 67, 66


class PduError(ValueError):
    """A number or PDU the codec cannot handle."""


@dataclass(frozen=True)
class SubmitPart:
    pdu: str            # hex, upper case, with the leading SCA octet "00" (use the SIM's SMSC)
    tpdu_length: int    # octets after the SCA: the <length> of AT+CMGS
    encoding: str       # "gsm7" or "ucs2"
    seq: int            # 1-based part number
    total: int
    text: str           # the characters this part carries


@dataclass(frozen=True)
class StatusReport:
    reference: int      # TP-MR of the submitted message it reports on
    recipient: str
    status: int         # TP-ST: 0x00-0x1F delivered, 0x20-0x3F still trying, 0x40+ failed
    scts: str
    discharge: str

    @property
    def delivered(self) -> bool:
        return self.status < 0x20

    @property
    def final(self) -> bool:
        return not 0x20 <= self.status < 0x40


# -- characters -------------------------------------------------------------------------------
def is_gsm7(text: str) -> bool:
    return all(ch in _BASIC_INDEX or ch in GSM7_EXT for ch in text)


def to_septets(text: str) -> list[int]:
    out: list[int] = []
    for ch in text:
        if ch in _BASIC_INDEX:
            out.append(_BASIC_INDEX[ch])
        elif ch in GSM7_EXT:
            out.extend((0x1B, GSM7_EXT[ch]))
        else:
            raise PduError(f"character {ch!r} is not in the GSM 7-bit alphabet")
    return out


def pack_septets(septets: list[int], fill_bits: int = 0) -> bytes:
    """Pack 7-bit values LSB first; ``fill_bits`` zero bits first (to align after a UDH)."""
    acc = 0
    nbits = fill_bits
    out = bytearray()
    for s in septets:
        acc |= (s & 0x7F) << nbits
        nbits += 7
        while nbits >= 8:
            out.append(acc & 0xFF)
            acc >>= 8
            nbits -= 8
    if nbits:
        out.append(acc & 0xFF)
    return bytes(out)


# -- addresses ----------------------------------------------------------------------------------
def normalise_number(number: str) -> str:
    """'+380 (67) 123-45-67' -> '+380671234567'; raises PduError for anything not a phone number."""
    raw = "".join(ch for ch in number if ch not in " -().")
    digits = raw[1:] if raw.startswith("+") else raw
    if not digits.isdigit() or not 3 <= len(digits) <= 20:
        raise PduError("not a phone number (digits, optionally a leading +)")
    return raw


def encode_address(number: str) -> bytes:
    """TP-DA: digit count, type of address (0x91 international, 0x81 unknown), swapped BCD."""
    num = normalise_number(number)
    international = num.startswith("+")
    digits = num.lstrip("+")
    padded = digits + ("F" if len(digits) % 2 else "")
    bcd = bytes(int(padded[i + 1] + padded[i], 16) for i in range(0, len(padded), 2))
    return bytes([len(digits), 0x91 if international else 0x81]) + bcd


def decode_semi_octets(data: bytes, ndigits: int) -> str:
    s = "".join(f"{b & 0x0F:X}{b >> 4:X}" for b in data)
    return s[:ndigits]


def mask_number(number: str, keep: int = 2) -> str:
    """'+380671234567' -> '+**********67' (logs never hold a phone number in clear)."""
    digits = [ch for ch in number if ch.isdigit()]
    if len(digits) <= keep:
        return "*" * len(digits)
    prefix = "+" if number.strip().startswith("+") else ""
    return prefix + "*" * (len(digits) - keep) + "".join(digits[-keep:])


# -- splitting ----------------------------------------------------------------------------------
def _split(text: str, limit: int, cost: Callable[[str], int]) -> list[str]:
    """Cut ``text`` into parts of at most ``limit`` slots, never through a character's slots."""
    parts: list[str] = []
    cur, used = "", 0
    for ch in text:
        if used + cost(ch) > limit:
            parts.append(cur)
            cur, used = "", 0
        cur += ch
        used += cost(ch)
    parts.append(cur)
    return parts


def _gsm7_cost(ch: str) -> int:
    return 2 if ch in GSM7_EXT else 1         # an extension character is ESC + its code


def _ucs2_cost(ch: str) -> int:
    return 2 if ord(ch) > 0xFFFF else 1       # a surrogate pair takes two UCS-2 slots


def split_text(text: str, ref16: bool = False) -> tuple[str, list[str]]:
    """(encoding, the characters of each part)."""
    if is_gsm7(text):
        if len(to_septets(text)) <= GSM7_SINGLE:
            return "gsm7", [text]
        return "gsm7", _split(text, GSM7_MULTI16 if ref16 else GSM7_MULTI8, _gsm7_cost)
    if len(text.encode("utf-16-be")) <= 2 * UCS2_SINGLE:
        return "ucs2", [text]
    return "ucs2", _split(text, UCS2_MULTI16 if ref16 else UCS2_MULTI8, _ucs2_cost)


# -- SMS-SUBMIT ---------------------------------------------------------------------------------
def encode_submit(
    number: str,
    text: str,
    *,
    reference: int = 0,
    ref16: bool = False,
    status_report: bool = True,
    validity: int | None = 0xA7,
) -> list[SubmitPart]:
    """One SMS-SUBMIT PDU per part. ``reference`` is the concatenation reference (0-255, or
    0-65535 with ``ref16``); ``validity`` a relative TP-VP octet (0xA7 = 24 h) or None."""
    if not text:
        raise PduError("empty message")
    encoding, chunks = split_text(text, ref16)
    total = len(chunks)
    if total > 255:
        raise PduError("message too long (more than 255 parts)")
    da = encode_address(number)
    parts = []
    for seq, chunk in enumerate(chunks, start=1):
        udh = b""
        if total > 1:
            if ref16:
                udh = bytes([0x08, 0x04, (reference >> 8) & 0xFF, reference & 0xFF, total, seq])
            else:
                udh = bytes([0x00, 0x03, reference & 0xFF, total, seq])
            udh = bytes([len(udh)]) + udh
        if encoding == "gsm7":
            septets = to_septets(chunk)
            fill = (7 - (len(udh) * 8) % 7) % 7
            body = udh + pack_septets(septets, fill)
            udl = (len(udh) * 8 + fill) // 7 + len(septets)
            dcs = DCS_GSM7
        else:
            body = udh + chunk.encode("utf-16-be")
            udl = len(body)
            dcs = DCS_UCS2
        first = 0x01                                 # TP-MTI SMS-SUBMIT
        if validity is not None:
            first |= 0x10                            # TP-VPF relative
        if status_report:
            first |= 0x20                            # TP-SRR
        if udh:
            first |= 0x40                            # TP-UDHI
        tpdu = bytes([first, 0x00]) + da + bytes([0x00, dcs])
        if validity is not None:
            tpdu += bytes([validity & 0xFF])
        tpdu += bytes([udl]) + body
        parts.append(SubmitPart(
            pdu="00" + tpdu.hex().upper(), tpdu_length=len(tpdu), encoding=encoding,
            seq=seq, total=total, text=chunk,
        ))
    return parts


# -- SMS-STATUS-REPORT --------------------------------------------------------------------------
def _timestamp(data: bytes) -> str:
    d = [decode_semi_octets(bytes([b]), 2) for b in data[:6]]
    tz_raw = data[6]
    tz_q = int(f"{tz_raw & 0x07:X}{tz_raw >> 4:X}", 10) if (tz_raw >> 4) <= 9 else 0
    sign = "-" if tz_raw & 0x08 else "+"
    minutes = tz_q * 15
    return f"20{d[0]}-{d[1]}-{d[2]}T{d[3]}:{d[4]}:{d[5]}{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def decode_status_report(pdu_hex: str) -> StatusReport:
    """Decode what follows a ``+CDS: <length>`` line (with its leading SCA field)."""
    try:
        data = bytes.fromhex(pdu_hex.strip())
        i = 1 + data[0]                              # skip the SMSC address
        first = data[i]
        if first & 0x03 != 0x02:
            raise PduError(f"not an SMS-STATUS-REPORT (first octet {first:02X})")
        mr = data[i + 1]
        ndigits, toa = data[i + 2], data[i + 3]
        nbytes = (ndigits + 1) // 2
        digits = decode_semi_octets(data[i + 4:i + 4 + nbytes], ndigits)
        j = i + 4 + nbytes
        scts, dt, st = data[j:j + 7], data[j + 7:j + 14], data[j + 14]
        if len(dt) != 7:
            raise PduError("status report too short")
    except (IndexError, ValueError) as err:
        raise PduError(f"cannot decode status report: {err}") from err
    number = ("+" if toa & 0x70 == 0x10 else "") + digits
    return StatusReport(mr, number, st, _timestamp(scts), _timestamp(dt))


def describe_submit(part: SubmitPart, number: str) -> str:
    """A log line for a PDU that holds no personal data: masked number, sizes, no text."""
    return (f"PDU len={part.tpdu_length} to={mask_number(number)} enc={part.encoding} "
            f"part={part.seq}/{part.total} chars={len(part.text)}")


__all__ = [
    "GSM7_BASIC", "GSM7_EXT", "PduError", "StatusReport", "SubmitPart", "decode_status_report",
    "describe_submit", "encode_address", "encode_submit", "is_gsm7", "mask_number",
    "normalise_number", "pack_septets", "split_text", "to_septets",
]
