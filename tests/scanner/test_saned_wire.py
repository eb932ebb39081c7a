"""The SANE network protocol encoding, byte for byte (sanei_wire + sanei_codec_bin)."""

from __future__ import annotations

import io

from hardware_sim.saned_device import OPTIONS, Settings
from hardware_sim.saned_wire import (
    Action,
    Cap,
    Constraint,
    Device,
    OptionDescriptor,
    Reader,
    Status,
    Unit,
    ValueType,
    control_option_reply,
    data_record,
    end_of_page,
    fix,
    get_devices_reply,
    init_reply,
    open_reply,
    option_descriptors_reply,
    parameters_reply,
    read_control_option_request,
    start_reply,
    string,
    word,
)


def test_words_are_big_endian_and_fixed_is_16_16() -> None:
    assert word(1) == b"\x00\x00\x00\x01"
    assert word(0x01000003) == b"\x01\x00\x00\x03"
    assert word(-1) == b"\xff\xff\xff\xff"
    assert word(0xFFFFFFFF) == b"\xff\xff\xff\xff"
    assert fix(297.0) == 297 * 65536
    assert word(fix(210.0)) == b"\x00\xd2\x00\x00"


def test_strings_carry_their_nul_and_null_is_length_zero() -> None:
    assert string("ADF") == b"\x00\x00\x00\x04ADF\x00"
    assert string("") == b"\x00\x00\x00\x01\x00"          # empty is NOT null
    assert string(None) == b"\x00\x00\x00\x00"


def test_init_and_open_replies() -> None:
    # status GOOD, version 1.0.3 (SANE 1, net protocol 3)
    assert init_reply() == bytes.fromhex("00000000" "01000003")
    # status, handle, resource_to_authorize = NULL (a non-NULL one would start authorisation)
    assert open_reply(Status.GOOD, 0) == bytes.fromhex("00000000" "00000000" "00000000")
    assert open_reply(Status.INVAL, 0) == bytes.fromhex("00000004" "00000000" "00000000")


def test_get_devices_reply_is_a_null_terminated_array_of_pointers() -> None:
    got = get_devices_reply([Device("a", "V", "M", "t")])
    assert got == (
        word(0)                       # status
        + word(2)                     # two pointers: the device and the terminating NULL
        + word(0) + string("a") + string("V") + string("M") + string("t")
        + word(1)                     # NULL pointer
    )
    assert get_devices_reply([]) == word(0) + word(1) + word(1)


def test_option_descriptor_with_string_list() -> None:
    od = OptionDescriptor("source", "S", "D", ValueType.STRING, Unit.NONE, 32,
                          Cap.SOFT_SELECT | Cap.SOFT_DETECT, Constraint.STRING_LIST, ["Flatbed", "ADF"])
    assert od.encode() == (
        string("source") + string("S") + string("D")
        + word(3) + word(0) + word(32) + word(5) + word(3)
        + word(3) + string("Flatbed") + string("ADF") + word(0)    # 2 strings + the NULL string
    )


def test_option_descriptor_word_list_and_range() -> None:
    res = OptionDescriptor("resolution", "R", "", ValueType.INT, Unit.DPI, 4, 5,
                           Constraint.WORD_LIST, [150, 300])
    assert res.encode().endswith(word(2) + word(3) + word(2) + word(150) + word(300))
    tlx = OptionDescriptor("tl-x", "X", "", ValueType.FIXED, Unit.MM, 4, 5, Constraint.RANGE,
                           (0, fix(215.9), 0))
    assert tlx.encode().endswith(word(1) + word(0) + word(0) + word(fix(215.9)) + word(0))


def test_descriptor_array_has_no_status_and_one_pointer_per_option() -> None:
    body = option_descriptors_reply(OPTIONS)
    assert body[:4] == word(len(OPTIONS))
    assert body[4:8] == word(0)                  # option 0 is present (not NULL)
    num = OPTIONS[0].encode()
    assert body[8:8 + len(num)] == num
    assert num.startswith(string("") + string("Number of options"))


def test_control_option_reply_keeps_the_requested_size() -> None:
    # GET "source" with the client's 32-byte buffer: the reply value is exactly 32 chars
    reply = control_option_reply(Status.GOOD, 0, ValueType.STRING, 32, b"ADF\x00")
    assert reply == word(0) + word(0) + word(3) + word(32) + word(32) + b"ADF".ljust(32, b"\0") + word(0)
    # an Int: an array of one word
    assert control_option_reply(Status.GOOD, 4, ValueType.INT, 4, word(300)) == (
        word(0) + word(4) + word(1) + word(4) + word(1) + word(300) + word(0))


def test_parameters_start_and_data_records() -> None:
    assert parameters_reply(Status.GOOD, 0, True, 2480, 2480, 3508, 8) == b"".join(
        word(v) for v in (0, 0, 1, 2480, 2480, 3508, 8))
    assert start_reply(Status.NO_DOCS) == word(7) + word(0) + word(0x1234) + word(0)
    assert start_reply(Status.GOOD, 40000) == word(0) + word(40000) + word(0x1234) + word(0)
    assert data_record(b"\xff\x00") == b"\x00\x00\x00\x02\xff\x00"
    assert end_of_page() == b"\xff\xff\xff\xff\x05"
    assert end_of_page(Status.JAMMED) == b"\xff\xff\xff\xff\x06"


def test_reader_decodes_a_recorded_control_option_request() -> None:
    # what SANE's net backend sends for sane_control_option(h=0, opt 3, SET_VALUE, "ADF"):
    # strings shorter than the option size go with strlen + 1 chars
    raw = word(0) + word(3) + word(1) + word(3) + word(4) + word(4) + b"ADF\x00"
    req = read_control_option_request(Reader(io.BytesIO(raw)))
    assert (req.handle, req.option, req.action, req.value_type, req.value_size) == (0, 3, 1, 3, 4)
    assert req.value == b"ADF\x00"
    # SET_AUTO carries no value at protocol version 3
    auto = read_control_option_request(Reader(io.BytesIO(word(0) + word(4) + word(Action.SET_AUTO))))
    assert auto.value == b""


def test_settings_defaults_and_parameters() -> None:
    s = Settings(lambda name: name == "page-loaded")
    assert s.get(0) == (Status.GOOD, word(len(OPTIONS)))
    source = [o.name for o in OPTIONS].index("source")
    assert s.get(source) == (Status.GOOD, b"Flatbed\x00")
    assert s.set(source, b"Slide\x00")[0] == Status.INVAL
    assert s.set(source, b"ADF\x00") == (Status.GOOD, 4)
    p = s.parameters()
    assert (p.pixels_per_line, p.lines, p.depth, p.bytes_per_line) == (2480, 3508, 8, 2480)
    loaded = [o.name for o in OPTIONS].index("page-loaded")
    assert s.get(loaded) == (Status.GOOD, word(1))
    assert s.set(loaded, word(0))[0] == Status.INVAL     # a sensor is read-only
    mode = [o.name for o in OPTIONS].index("mode")
    s.set(mode, b"Lineart\x00")
    p = s.parameters()
    assert (p.depth, p.bytes_per_line) == (1, 310)
