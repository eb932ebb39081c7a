"""The SANE network protocol encoding, byte for byte (sanei_wire + sanei_codec_bin)."""

from __future__ import annotations

import io

from hardware_sim import saned_wire as sw
from hardware_sim.saned_device import OPTIONS, Settings


def test_words_are_big_endian_and_fixed_is_16_16() -> None:
    assert sw.word(1) == b"\x00\x00\x00\x01"
    assert sw.word(0x01000003) == b"\x01\x00\x00\x03"
    assert sw.word(-1) == b"\xff\xff\xff\xff"
    assert sw.word(0xFFFFFFFF) == b"\xff\xff\xff\xff"
    assert sw.fix(297.0) == 297 * 65536
    assert sw.word(sw.fix(210.0)) == b"\x00\xd2\x00\x00"


def test_strings_carry_their_nul_and_null_is_length_zero() -> None:
    assert sw.string("ADF") == b"\x00\x00\x00\x04ADF\x00"
    assert sw.string("") == b"\x00\x00\x00\x01\x00"          # empty is NOT null
    assert sw.string(None) == b"\x00\x00\x00\x00"


def test_init_and_open_replies() -> None:
    # status GOOD, version 1.0.3 (SANE 1, net protocol 3)
    assert sw.init_reply() == bytes.fromhex("00000000" "01000003")
    # status, handle, resource_to_authorize = NULL (a non-NULL one would start authorisation)
    assert sw.open_reply(sw.Status.GOOD, 0) == bytes.fromhex("00000000" "00000000" "00000000")
    assert sw.open_reply(sw.Status.INVAL, 0) == bytes.fromhex("00000004" "00000000" "00000000")


def test_get_devices_reply_is_a_null_terminated_array_of_pointers() -> None:
    got = sw.get_devices_reply([sw.Device("a", "V", "M", "t")])
    assert got == (
        sw.word(0)                       # status
        + sw.word(2)                     # two pointers: the device and the terminating NULL
        + sw.word(0) + sw.string("a") + sw.string("V") + sw.string("M") + sw.string("t")
        + sw.word(1)                     # NULL pointer
    )
    assert sw.get_devices_reply([]) == sw.word(0) + sw.word(1) + sw.word(1)


def test_option_descriptor_with_string_list() -> None:
    od = sw.OptionDescriptor("source", "S", "D", sw.ValueType.STRING, sw.Unit.NONE, 32,
                             sw.Cap.SOFT_SELECT | sw.Cap.SOFT_DETECT, sw.Constraint.STRING_LIST, ["Flatbed", "ADF"])
    assert od.encode() == (
        sw.string("source") + sw.string("S") + sw.string("D")
        + sw.word(3) + sw.word(0) + sw.word(32) + sw.word(5) + sw.word(3)
        + sw.word(3) + sw.string("Flatbed") + sw.string("ADF") + sw.word(0)    # 2 strings + the NULL string
    )


def test_option_descriptor_word_list_and_range() -> None:
    res = sw.OptionDescriptor("resolution", "R", "", sw.ValueType.INT, sw.Unit.DPI, 4, 5,
                              sw.Constraint.WORD_LIST, [150, 300])
    assert res.encode().endswith(sw.word(2) + sw.word(3) + sw.word(2) + sw.word(150) + sw.word(300))
    tlx = sw.OptionDescriptor("tl-x", "X", "", sw.ValueType.FIXED, sw.Unit.MM, 4, 5, sw.Constraint.RANGE,
                              (0, sw.fix(215.9), 0))
    assert tlx.encode().endswith(sw.word(1) + sw.word(0) + sw.word(0) + sw.word(sw.fix(215.9)) + sw.word(0))


def test_descriptor_array_has_no_status_and_one_pointer_per_option() -> None:
    body = sw.option_descriptors_reply(OPTIONS)
    assert body[:4] == sw.word(len(OPTIONS))
    assert body[4:8] == sw.word(0)                  # option 0 is present (not NULL)
    num = OPTIONS[0].encode()
    assert body[8:8 + len(num)] == num
    assert num.startswith(sw.string("") + sw.string("Number of options"))


def test_control_option_reply_keeps_the_requested_size() -> None:
    # GET "source" with the client's 32-byte buffer: the reply value is exactly 32 chars
    reply = sw.control_option_reply(sw.Status.GOOD, 0, sw.ValueType.STRING, 32, b"ADF\x00")
    assert reply == sw.word(0) + sw.word(0) + sw.word(3) + sw.word(32) + sw.word(32) + b"ADF".ljust(32, b"\0") + sw.word(0)
    # an Int: an array of one word
    assert sw.control_option_reply(sw.Status.GOOD, 4, sw.ValueType.INT, 4, sw.word(300)) == (
        sw.word(0) + sw.word(4) + sw.word(1) + sw.word(4) + sw.word(1) + sw.word(300) + sw.word(0))


def test_parameters_start_and_data_records() -> None:
    assert sw.parameters_reply(sw.Status.GOOD, 0, True, 2480, 2480, 3508, 8) == b"".join(
        sw.word(v) for v in (0, 0, 1, 2480, 2480, 3508, 8))
    assert sw.start_reply(sw.Status.NO_DOCS) == sw.word(7) + sw.word(0) + sw.word(0x1234) + sw.word(0)
    assert sw.start_reply(sw.Status.GOOD, 40000) == sw.word(0) + sw.word(40000) + sw.word(0x1234) + sw.word(0)
    assert sw.data_record(b"\xff\x00") == b"\x00\x00\x00\x02\xff\x00"
    assert sw.end_of_page() == b"\xff\xff\xff\xff\x05"
    assert sw.end_of_page(sw.Status.JAMMED) == b"\xff\xff\xff\xff\x06"


def test_reader_decodes_a_recorded_control_option_request() -> None:
    # what SANE's net backend sends for sane_control_option(h=0, opt 3, SET_VALUE, "ADF"):
    # strings shorter than the option size go with strlen + 1 chars
    raw = sw.word(0) + sw.word(3) + sw.word(1) + sw.word(3) + sw.word(4) + sw.word(4) + b"ADF\x00"
    req = sw.read_control_option_request(sw.Reader(io.BytesIO(raw)))
    assert (req.handle, req.option, req.action, req.value_type, req.value_size) == (0, 3, 1, 3, 4)
    assert req.value == b"ADF\x00"
    # SET_AUTO carries no value at protocol version 3
    auto = sw.read_control_option_request(sw.Reader(io.BytesIO(sw.word(0) + sw.word(4) + sw.word(sw.Action.SET_AUTO))))
    assert auto.value == b""


def test_settings_defaults_and_parameters() -> None:
    s = Settings(lambda name: name == "page-loaded")
    assert s.get(0) == (sw.Status.GOOD, sw.word(len(OPTIONS)))
    source = [o.name for o in OPTIONS].index("source")
    assert s.get(source) == (sw.Status.GOOD, b"Flatbed\x00")
    assert s.set(source, b"Slide\x00")[0] == sw.Status.INVAL
    assert s.set(source, b"ADF\x00") == (sw.Status.GOOD, 4)
    p = s.parameters()
    assert (p.pixels_per_line, p.lines, p.depth, p.bytes_per_line) == (2480, 3508, 8, 2480)
    loaded = [o.name for o in OPTIONS].index("page-loaded")
    assert s.get(loaded) == (sw.Status.GOOD, sw.word(1))
    assert s.set(loaded, sw.word(0))[0] == sw.Status.INVAL     # a sensor is read-only
    mode = [o.name for o in OPTIONS].index("mode")
    s.set(mode, b"Lineart\x00")
    p = s.parameters()
    assert (p.depth, p.bytes_per_line) == (1, 310)
