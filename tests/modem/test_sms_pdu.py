"""The driver's PDU codec against published and hand-computed PDUs (3GPP TS 23.040)."""

from __future__ import annotations

import pytest

from devices.sms_pdu import (
    PduError,
    decode_status_report,
    encode_submit,
    mask_number,
    pack_septets,
    split_text,
    to_septets,
)
from tests.modem.texts import UA_200


def test_classic_hellohello_7bit_example() -> None:
    # The textbook SMS-SUBMIT (dreamfabric "SMS and the PDU format"): +46708251358, "hellohello",
    # TP-VP 0xAA (4 days), no status report.
    [part] = encode_submit("+46708251358", "hellohello", status_report=False, validity=0xAA)
    assert part.pdu == "0011000B916407281553F80000AA0AE8329BFD4697D9EC37"
    assert part.tpdu_length == 23                 # AT+CMGS=23
    assert part.encoding == "gsm7"


def test_ucs2_single_part_computed_by_hand() -> None:
    # "Привіт" = U+041F U+0440 U+0438 U+0432 U+0456 U+0442; +380671234567 -> 0C 91 83 60 17 32 54 76
    [part] = encode_submit("+380671234567", "Привіт", status_report=False, validity=0xA7)
    assert part.pdu == ("00" "11" "00" "0C91836017325476" "00" "08" "A7" "0C"
                        "041F044004380432045604 42".replace(" ", ""))
    assert part.tpdu_length == 26
    assert part.encoding == "ucs2"


def test_status_report_request_sets_srr_bit() -> None:
    [part] = encode_submit("+380671234567", "Привіт")
    assert part.pdu[2:4] == "31"                  # SUBMIT | VPF relative | SRR


def test_200_ukrainian_characters_make_three_parts_67_67_66() -> None:
    assert len(UA_200) == 200
    parts = encode_submit("+380671234567", UA_200, reference=0x2A)
    assert [len(p.text) for p in parts] == [67, 67, 66]
    assert "".join(p.text for p in parts) == UA_200
    for seq, p in enumerate(parts, start=1):
        assert p.pdu[2:4] == "71"                 # UDHI set
        # UDL then UDH: 05 00 03 <ref> <total> <seq>
        udh_at = p.pdu.index("050003")
        assert p.pdu[udh_at:udh_at + 12] == f"0500032A03{seq:02X}"
    assert parts[0].tpdu_length == 13 + 1 + 6 + 134    # header + UDL + UDH + 67*2


def test_70_ucs2_characters_fit_one_part_71_do_not() -> None:
    assert len(encode_submit("+380671234567", "ї" * 70)) == 1
    assert [len(p.text) for p in encode_submit("+380671234567", "ї" * 71)] == [67, 4]


def test_gsm7_160_one_part_161_two_parts_of_153() -> None:
    assert len(encode_submit("+380671234567", "a" * 160)) == 1
    assert [len(p.text) for p in encode_submit("+380671234567", "a" * 161)] == [153, 8]


def test_gsm7_escape_pair_never_split() -> None:
    text = "a" * 152 + "€" + "b" * 10         # the euro sign takes two septets: 152 + 2 > 153
    parts = encode_submit("+380671234567", text)
    assert parts[0].text == "a" * 152
    assert parts[1].text.startswith("€")


def test_16bit_reference_udh() -> None:
    parts = encode_submit("+380671234567", "ї" * 100, reference=0x1234, ref16=True)
    assert [len(p.text) for p in parts] == [66, 34]
    assert "06080412340201" in parts[0].pdu


def test_gsm7_extension_and_packing() -> None:
    assert to_septets("€") == [0x1B, 0x65]
    assert pack_septets([0x68, 0x65]) == bytes([0xE8, 0x32])   # "he"
    assert split_text("Привіт")[0] == "ucs2"
    assert split_text("Hello [world]")[0] == "gsm7"


def test_status_report_assembled_by_hand() -> None:
    # +CDS PDU assembled octet by octet from TS 23.040 9.2.2.3: SMSC 07 91 947106004034
    # (+491760000443), first octet 06 (STATUS-REPORT, SRQ), MR D6, RA 0B 91 1326880736F4
    # (+31628870634), SCTS 11 10 11 71 95 51 40 (11-01-11 17:59:15, +4 quarters), DT ... 71 40, ST 00.
    rep = decode_status_report("079194710600403406D60B911326880736F4111011719551401110117195714000")
    assert rep.reference == 0xD6
    assert rep.recipient == "+31628870634"
    assert rep.scts == "2011-01-11T17:59:15+01:00"
    assert rep.discharge == "2011-01-11T17:59:17+01:00"
    assert rep.delivered and rep.final


def test_not_a_status_report() -> None:
    with pytest.raises(PduError):
        decode_status_report("0011000B916407281553F80000AA0AE8329BFD4697D9EC37")


def test_numbers_masked_and_validated() -> None:
    assert mask_number("+380671234567") == "+**********67"
    assert mask_number("0671234567", keep=3) == "*******567"
    with pytest.raises(PduError):
        encode_submit("+38067abc", "hi")
