"""The SANE network protocol's wire encoding (what ``saned`` and SANE's ``net`` backend speak).

Written from the SANE standard's chapter "Network Protocol" and sanei_wire/sanei_codec_bin:

* ``SANE_Word`` (also Bool, Int, Fixed, every enum): 4 bytes, big-endian. ``SANE_Fixed`` is the
  value times 65536.
* ``SANE_String``: an array of chars: a Word length *including* the terminating NUL, then the
  bytes and the NUL. A NULL string is the length 0 and nothing else. (An empty string is
  length 1 + NUL; do not send it where NULL is meant: a non-NULL ``resource`` makes the client
  start authorisation.)
* pointer: a Word "is NULL" flag (1 = NULL), then the pointed-to value if not NULL.
* array: a Word element count, then each element.
* option value (CONTROL_OPTION): an array of Words (size / 4 of them) for Bool/Int/Fixed, an
  array of ``size`` chars for String, an empty array for Button/Group.
* image data (the separate data connection): records of a 4-byte big-endian length and that
  many bytes; the end of a page is the length 0xFFFFFFFF followed by one status byte (EOF
  when the page is complete, or the error that ended it).

Pure functions and a small reader over a byte stream: no sockets, no threads, easy to test.
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

PROTOCOL_VERSION = 3
SANE_MAJOR = 1
VERSION_CODE = (SANE_MAJOR << 24) | (0 << 16) | PROTOCOL_VERSION     # SANE_VERSION_CODE(1, 0, 3)
LITTLE_ENDIAN = 0x1234
BIG_ENDIAN = 0x4321
END_OF_PAGE = 0xFFFFFFFF
MAX_STRING = 64 * 1024          # refuse absurd lengths from a broken client


class Proc(enum.IntEnum):
    INIT = 0
    GET_DEVICES = 1
    OPEN = 2
    CLOSE = 3
    GET_OPTION_DESCRIPTORS = 4
    CONTROL_OPTION = 5
    GET_PARAMETERS = 6
    START = 7
    CANCEL = 8
    AUTHORIZE = 9
    EXIT = 10


class Status(enum.IntEnum):
    GOOD = 0
    UNSUPPORTED = 1
    CANCELLED = 2
    DEVICE_BUSY = 3
    INVAL = 4
    EOF = 5
    JAMMED = 6
    NO_DOCS = 7
    COVER_OPEN = 8
    IO_ERROR = 9
    NO_MEM = 10
    ACCESS_DENIED = 11


class ValueType(enum.IntEnum):
    BOOL = 0
    INT = 1
    FIXED = 2
    STRING = 3
    BUTTON = 4
    GROUP = 5


class Unit(enum.IntEnum):
    NONE = 0
    PIXEL = 1
    BIT = 2
    MM = 3
    DPI = 4
    PERCENT = 5
    MICROSECOND = 6


class Constraint(enum.IntEnum):
    NONE = 0
    RANGE = 1
    WORD_LIST = 2
    STRING_LIST = 3


class Action(enum.IntEnum):
    GET_VALUE = 0
    SET_VALUE = 1
    SET_AUTO = 2


class Cap(enum.IntFlag):
    SOFT_SELECT = 1
    HARD_SELECT = 2
    SOFT_DETECT = 4
    EMULATED = 8
    AUTOMATIC = 16
    INACTIVE = 32
    ADVANCED = 64


INFO_INEXACT = 1
INFO_RELOAD_OPTIONS = 2
INFO_RELOAD_PARAMS = 4
FRAME_GRAY = 0


class WireError(Exception):
    """The peer sent something that is not the SANE network protocol (or hung up)."""


def fix(value: float) -> int:
    """A number as SANE_Fixed (16.16)."""
    return round(value * 65536)


def unfix(word: int) -> float:
    return word / 65536


# -- encoding ------------------------------------------------------------------------------
def word(value: int) -> bytes:
    return struct.pack(">i", value) if value < 0x80000000 else struct.pack(">I", value)


def string(value: str | None) -> bytes:
    if value is None:
        return word(0)
    raw = value.encode("latin-1") + b"\0"
    return word(len(raw)) + raw


def pointer(encoded: bytes | None) -> bytes:
    """A pointer: the NULL flag, then the value (already encoded) unless NULL."""
    return word(1) if encoded is None else word(0) + encoded


def array(items: Sequence[bytes]) -> bytes:
    return word(len(items)) + b"".join(items)


@dataclass(frozen=True)
class Device:
    name: str
    vendor: str
    model: str
    type: str

    def encode(self) -> bytes:
        return string(self.name) + string(self.vendor) + string(self.model) + string(self.type)


@dataclass
class OptionDescriptor:
    name: str
    title: str
    desc: str
    type: ValueType
    unit: Unit = Unit.NONE
    size: int = 4
    cap: int = Cap.SOFT_SELECT | Cap.SOFT_DETECT
    constraint_type: Constraint = Constraint.NONE
    # RANGE: (min, max, quant) as Words; WORD_LIST: the Words; STRING_LIST: the strings
    constraint: tuple[int, int, int] | list[int] | list[str] | None = field(default=None)

    def encode(self) -> bytes:
        out = [string(self.name), string(self.title), string(self.desc), word(self.type),
               word(self.unit), word(self.size), word(int(self.cap)), word(self.constraint_type)]
        if self.constraint_type == Constraint.RANGE:
            lo, hi, quant = self.constraint  # type: ignore[misc]
            out.append(pointer(word(lo) + word(hi) + word(quant)))
        elif self.constraint_type == Constraint.WORD_LIST:
            words = list(self.constraint or [])
            # the C side's word_list[0] is the count; the array carries count + 1 words
            out.append(array([word(len(words))] + [word(w) for w in words]))  # type: ignore[arg-type]
        elif self.constraint_type == Constraint.STRING_LIST:
            strings = [string(s) for s in self.constraint or []]  # type: ignore[arg-type]
            out.append(array([*strings, string(None)]))          # the list ends with NULL
        return b"".join(out)


def encode_value(vtype: int, size: int, value: bytes) -> bytes:
    """An option value as CONTROL_OPTION carries it. ``value`` is the C buffer: ``size`` bytes,
    Words in network order for Bool/Int/Fixed, chars for String."""
    if vtype in (ValueType.BOOL, ValueType.INT, ValueType.FIXED):
        count = size // 4
        return word(count) + value[: count * 4].ljust(count * 4, b"\0")
    if vtype == ValueType.STRING:
        return word(size) + value[:size].ljust(size, b"\0")
    return word(0)


def init_reply(status: int = Status.GOOD, version: int = VERSION_CODE) -> bytes:
    return word(status) + word(version)


def get_devices_reply(devices: Sequence[Device], status: int = Status.GOOD) -> bytes:
    ptrs = [pointer(d.encode()) for d in devices] + [pointer(None)]
    return word(status) + array(ptrs)


def open_reply(status: int, handle: int) -> bytes:
    return word(status) + word(handle) + string(None)


def option_descriptors_reply(options: Sequence[OptionDescriptor]) -> bytes:
    """No status word here: the reply is the bare array of descriptor pointers."""
    return array([pointer(o.encode()) for o in options])


def control_option_reply(status: int, info: int, vtype: int, size: int, value: bytes) -> bytes:
    return word(status) + word(info) + word(vtype) + word(size) + encode_value(vtype, size, value) + string(None)


def parameters_reply(status: int, fmt: int, last_frame: bool, bytes_per_line: int,
                     pixels_per_line: int, lines: int, depth: int) -> bytes:
    return b"".join(word(v) for v in (status, fmt, int(last_frame), bytes_per_line,
                                        pixels_per_line, lines, depth))


def start_reply(status: int, port: int = 0, byte_order: int = LITTLE_ENDIAN) -> bytes:
    return word(status) + word(port) + word(byte_order) + string(None)


def data_record(payload: bytes) -> bytes:
    return word(len(payload)) + payload


def end_of_page(status: int = Status.EOF) -> bytes:
    return word(END_OF_PAGE) + bytes([status])


# -- decoding ------------------------------------------------------------------------------
class Reader:
    """Reads protocol items from a binary stream (a socket's makefile('rb'), or BytesIO)."""

    def __init__(self, stream: BinaryIO, on_bytes: Callable[[bytes], None] | None = None) -> None:
        self.stream = stream
        self.on_bytes = on_bytes

    def exact(self, n: int) -> bytes:
        data = self.stream.read(n) if n else b""
        if data is None or len(data) != n:
            raise WireError(f"connection closed ({0 if not data else len(data)} of {n} bytes)")
        if self.on_bytes:
            self.on_bytes(data)
        return data

    def word(self) -> int:
        return struct.unpack(">i", self.exact(4))[0]

    def string(self) -> str | None:
        n = self.word()
        if n == 0:
            return None
        if n < 0 or n > MAX_STRING:
            raise WireError(f"string length {n} out of range")
        return self.exact(n).split(b"\0", 1)[0].decode("latin-1")

    def value(self, vtype: int) -> tuple[int, bytes]:
        """An option value array; returns (element count, raw bytes in network order)."""
        n = self.word()
        if n < 0 or n > MAX_STRING:
            raise WireError(f"value length {n} out of range")
        if vtype in (ValueType.BOOL, ValueType.INT, ValueType.FIXED):
            return n, self.exact(4 * n)
        if vtype == ValueType.STRING:
            return n, self.exact(n)
        if vtype in (ValueType.BUTTON, ValueType.GROUP):
            return n, b""
        raise WireError(f"unknown value type {vtype}")


@dataclass
class ControlOptionRequest:
    handle: int
    option: int
    action: int
    value_type: int = 0
    value_size: int = 0
    value: bytes = b""


def read_control_option_request(r: Reader, version: int = PROTOCOL_VERSION) -> ControlOptionRequest:
    req = ControlOptionRequest(r.word(), r.word(), r.word())
    if version < 3 or req.action != Action.SET_AUTO:
        req.value_type = r.word()
        req.value_size = r.word()
        _, req.value = r.value(req.value_type)
    return req


__all__ = [
    "END_OF_PAGE", "FRAME_GRAY", "INFO_INEXACT", "INFO_RELOAD_OPTIONS", "INFO_RELOAD_PARAMS",
    "LITTLE_ENDIAN", "PROTOCOL_VERSION", "VERSION_CODE", "Action", "Cap", "Constraint",
    "ControlOptionRequest", "Device", "OptionDescriptor", "Proc", "Reader", "Status", "Unit",
    "ValueType", "WireError", "array", "control_option_reply", "data_record", "encode_value",
    "end_of_page", "fix", "get_devices_reply", "init_reply", "open_reply",
    "option_descriptors_reply", "parameters_reply", "pointer", "read_control_option_request",
    "start_reply", "string", "unfix", "word",
]
