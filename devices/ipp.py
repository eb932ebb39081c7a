"""A small IPP/1.1 and IPP/2.0 message encoder and decoder (RFC 8010, section 3).

    message   = version(2) operation-id|status-code(2) request-id(4) groups* end-tag(0x03) data
    group     = group-tag(1) attribute*
    attribute = value-tag(1) name-length(2) name value-length(2) value
                (further values of the same attribute repeat it with name-length 0)

Values are Python objects: int (integer, enum), bool, str (text, name, keyword, uri, charset,
language, mimeMediaType, ...), bytes (octetString, dateTime), (x, y, units) for resolution,
(low, high) for rangeOfInteger, dict for a collection (member name -> :class:`Attribute`),
None for out-of-band values (unsupported, unknown, no-value).
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass, field
from typing import Any

from devices.errors import DeviceProtocolError


class Tag(enum.IntEnum):
    # delimiter tags
    OPERATION = 0x01
    JOB = 0x02
    END = 0x03
    PRINTER = 0x04
    UNSUPPORTED_GROUP = 0x05
    # out-of-band values
    UNSUPPORTED = 0x10
    UNKNOWN = 0x12
    NO_VALUE = 0x13
    # integers
    INTEGER = 0x21
    BOOLEAN = 0x22
    ENUM = 0x23
    # octet strings
    OCTET_STRING = 0x30
    DATETIME = 0x31
    RESOLUTION = 0x32
    RANGE = 0x33
    BEGIN_COLLECTION = 0x34
    TEXT_LANG = 0x35
    NAME_LANG = 0x36
    END_COLLECTION = 0x37
    # character strings
    TEXT = 0x41
    NAME = 0x42
    KEYWORD = 0x44
    URI = 0x45
    URI_SCHEME = 0x46
    CHARSET = 0x47
    LANGUAGE = 0x48
    MIME_TYPE = 0x49
    MEMBER_NAME = 0x4A


class Op(enum.IntEnum):
    PRINT_JOB = 0x0002
    VALIDATE_JOB = 0x0004
    CANCEL_JOB = 0x0008
    GET_JOB_ATTRIBUTES = 0x0009
    GET_JOBS = 0x000A
    GET_PRINTER_ATTRIBUTES = 0x000B


class JobState(enum.IntEnum):
    PENDING = 3
    PENDING_HELD = 4
    PROCESSING = 5
    PROCESSING_STOPPED = 6
    CANCELED = 7
    ABORTED = 8
    COMPLETED = 9


class PrinterState(enum.IntEnum):
    IDLE = 3
    PROCESSING = 4
    STOPPED = 5


# status codes we name (RFC 8011 section 4.1.6)
STATUS_NAMES: dict[int, str] = {
    0x0000: "successful-ok",
    0x0001: "successful-ok-ignored-or-substituted-attributes",
    0x0002: "successful-ok-conflicting-attributes",
    0x0400: "client-error-bad-request",
    0x0401: "client-error-forbidden",
    0x0402: "client-error-not-authenticated",
    0x0403: "client-error-not-authorized",
    0x0404: "client-error-not-possible",
    0x0405: "client-error-timeout",
    0x0406: "client-error-not-found",
    0x040A: "client-error-document-format-not-supported",
    0x040B: "client-error-attributes-or-values-not-supported",
    0x0500: "server-error-internal-error",
    0x0501: "server-error-operation-not-supported",
    0x0503: "server-error-version-not-supported",
    0x0504: "server-error-device-error",
    0x0506: "server-error-not-accepting-jobs",
    0x0507: "server-error-busy",
}

_INT_TAGS = {Tag.INTEGER, Tag.ENUM}
_STR_TAGS = {Tag.TEXT, Tag.NAME, Tag.KEYWORD, Tag.URI, Tag.URI_SCHEME, Tag.CHARSET, Tag.LANGUAGE,
             Tag.MIME_TYPE, Tag.MEMBER_NAME}


@dataclass
class Attribute:
    name: str
    tag: int
    values: list[Any] = field(default_factory=list)

    @property
    def value(self) -> Any:
        return self.values[0] if self.values else None


@dataclass
class Message:
    """An IPP request (``code`` = operation id) or response (``code`` = status code)."""

    code: int
    request_id: int = 1
    version: tuple[int, int] = (2, 0)
    groups: list[tuple[int, list[Attribute]]] = field(default_factory=list)
    data: bytes = b""

    def add(self, group: int, name: str, tag: int, *values: Any) -> Message:
        """Append an attribute to the last group with tag ``group`` (a new group if needed)."""
        if not self.groups or self.groups[-1][0] != group:
            self.groups.append((group, []))
        self.groups[-1][1].append(Attribute(name, tag, list(values)))
        return self

    def group(self, tag: int) -> dict[str, Attribute]:
        """The first group with ``tag`` as name -> attribute (empty if absent)."""
        for gtag, attrs in self.groups:
            if gtag == tag:
                return {a.name: a for a in attrs}
        return {}

    def all_groups(self, tag: int) -> list[dict[str, Attribute]]:
        return [{a.name: a for a in attrs} for gtag, attrs in self.groups if gtag == tag]

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.code, f"0x{self.code:04x}")

    @property
    def ok(self) -> bool:
        return self.code < 0x0100


# -- encoding ---------------------------------------------------------------------------
def encode(msg: Message) -> bytes:
    out = bytearray(struct.pack(">BBhi", msg.version[0], msg.version[1], msg.code, msg.request_id))
    for gtag, attrs in msg.groups:
        out.append(gtag)
        for attr in attrs:
            _encode_attribute(out, attr.name, attr.tag, attr.values)
    out.append(Tag.END)
    return bytes(out) + msg.data


def _encode_attribute(out: bytearray, name: str, tag: int, values: list[Any]) -> None:
    for i, value in enumerate(values or [None]):
        n = name.encode("utf-8") if i == 0 else b""
        if tag == Tag.BEGIN_COLLECTION:
            out += struct.pack(">BH", tag, len(n)) + n + b"\x00\x00"
            for member in (value or {}).values():
                mname = member.name.encode("utf-8")
                out += struct.pack(">BHH", Tag.MEMBER_NAME, 0, len(mname)) + mname
                _encode_attribute(out, "", member.tag, member.values)
            out += struct.pack(">BHH", Tag.END_COLLECTION, 0, 0)
            continue
        raw = _encode_value(tag, value)
        out += struct.pack(">BH", tag, len(n)) + n + struct.pack(">H", len(raw)) + raw


def _encode_value(tag: int, value: Any) -> bytes:
    if 0x10 <= tag <= 0x1F:
        return b""
    if tag in _INT_TAGS:
        return struct.pack(">i", int(value))
    if tag == Tag.BOOLEAN:
        return b"\x01" if value else b"\x00"
    if tag == Tag.RANGE:
        return struct.pack(">ii", *value)
    if tag == Tag.RESOLUTION:
        return struct.pack(">iiB", *value)
    if tag in (Tag.TEXT_LANG, Tag.NAME_LANG):
        lang, text = (value if isinstance(value, tuple) else ("en", value))
        lb, tb = lang.encode("utf-8"), text.encode("utf-8")
        return struct.pack(">H", len(lb)) + lb + struct.pack(">H", len(tb)) + tb
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8")


# -- decoding ---------------------------------------------------------------------------
class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise DeviceProtocolError("IPP message truncated", device="ipp")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def u8(self) -> int:
        return self.take(1)[0]

    def u16(self) -> int:
        return int(struct.unpack(">H", self.take(2))[0])


def decode(data: bytes) -> Message:
    r = _Reader(data)
    major, minor = r.u8(), r.u8()
    code, request_id = struct.unpack(">hi", r.take(6))
    msg = Message(code=code, request_id=request_id, version=(major, minor))
    current: list[Attribute] | None = None
    while True:
        tag = r.u8()
        if tag == Tag.END:
            break
        if tag < 0x10:                              # a new group
            current = []
            msg.groups.append((tag, current))
            continue
        if current is None:
            raise DeviceProtocolError("IPP attribute outside a group", device="ipp")
        name = r.take(r.u16()).decode("utf-8")
        if tag == Tag.BEGIN_COLLECTION:
            r.take(r.u16())
            value: Any = _decode_collection(r)
        else:
            value = _decode_value(tag, r.take(r.u16()))
        if name:
            current.append(Attribute(name, tag, [value]))
        elif current:
            current[-1].values.append(value)
        else:
            raise DeviceProtocolError("IPP additional value without an attribute", device="ipp")
    msg.data = data[r.pos:]
    return msg


def _decode_collection(r: _Reader) -> dict[str, Attribute]:
    members: dict[str, Attribute] = {}
    last: Attribute | None = None
    while True:
        tag = r.u8()
        r.take(r.u16())                             # name is empty inside collections
        if tag == Tag.END_COLLECTION:
            r.take(r.u16())
            return members
        if tag == Tag.MEMBER_NAME:
            last = Attribute(r.take(r.u16()).decode("utf-8"), 0, [])
            members[last.name] = last
            continue
        if last is None:
            raise DeviceProtocolError("IPP collection value without a member name", device="ipp")
        if tag == Tag.BEGIN_COLLECTION:
            r.take(r.u16())
            value: Any = _decode_collection(r)
        else:
            value = _decode_value(tag, r.take(r.u16()))
        last.tag = last.tag or tag
        last.values.append(value)


def _decode_value(tag: int, raw: bytes) -> Any:
    if 0x10 <= tag <= 0x1F:
        return None
    if tag in _INT_TAGS and len(raw) == 4:
        return int(struct.unpack(">i", raw)[0])
    if tag == Tag.BOOLEAN and len(raw) == 1:
        return raw != b"\x00"
    if tag == Tag.RANGE and len(raw) == 8:
        return struct.unpack(">ii", raw)
    if tag == Tag.RESOLUTION and len(raw) == 9:
        return struct.unpack(">iiB", raw)
    if tag in (Tag.TEXT_LANG, Tag.NAME_LANG):
        r = _Reader(raw)
        lang = r.take(r.u16()).decode("utf-8")
        return (lang, r.take(r.u16()).decode("utf-8"))
    if tag in _STR_TAGS or 0x40 <= tag <= 0x5F:
        return raw.decode("utf-8", "replace")
    return raw


def values(group: dict[str, Attribute], name: str) -> list[Any]:
    attr = group.get(name)
    return list(attr.values) if attr else []
