"""Applicant validation: the cases a resident types, and any input shape at all."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk_app.core.applicant import ApplicantInvalid, validate

ROOT = Path(__file__).resolve().parents[2]

GOOD = {
    "surname": "Мʼясоїд-Коваль",
    "name": "Наталія",
    "patronymic": "Іванівна",
    "address": "м. Дніпро, вул. Січеславська Набережна, 15",
    "kind": "заява",
    "phone": "067 123 45 67",
    "consent": True,
    "rnokpp": "1759013776",
}


def errors_of(data: object) -> dict[str, str]:
    with pytest.raises(ApplicantInvalid) as info:
        validate(data)
    return {e.field: e.uk for e in info.value.errors}


def test_valid_record_is_normalised() -> None:
    a = validate(GOOD)
    assert a.surname == "Мʼясоїд-Коваль"
    assert a.kind == "application"
    assert a.phone == "+380671234567"
    assert a.identity.type == "rnokpp" and a.identity.masked() == "••••••••76"
    assert a.consent.given and a.consent.text_version


@pytest.mark.parametrize("typed", ["Дʼяченко", "Д'яченко", "Д’яченко"])
def test_all_three_apostrophes_become_the_ukrainian_one(typed: str) -> None:
    assert validate({**GOOD, "surname": typed}).surname == "Дʼяченко"


@pytest.mark.parametrize(("field", "value"), [
    ("surname", "Ivanov"), ("surname", "Иванов-ы"), ("name", ""), ("address", "Дн"),
    ("kind", "petition"), ("phone", "044 123 45 67"), ("phone", "12345"), ("rnokpp", "1759013770"),
    ("consent", False), ("email", "not-an-address"),
])
def test_each_bad_field_is_named_in_both_languages(field: str, value: object) -> None:
    with pytest.raises(ApplicantInvalid) as info:
        validate({**GOOD, field: value})
    fields = {e.field for e in info.value.errors}
    assert field in fields
    for e in info.value.errors:
        assert e.uk and e.en and e.uk != e.en


@pytest.mark.parametrize(("passport", "kind"), [("МК123456", "passport_booklet"), ("mk 123456", "passport_booklet"), ("123456789", "id_card")])
def test_passport_instead_of_taxpayer_number(passport: str, kind: str) -> None:
    data = {k: v for k, v in GOOD.items() if k != "rnokpp"} | {"passport": passport}
    assert validate(data).identity.type == kind


def test_identity_is_required() -> None:
    data = {k: v for k, v in GOOD.items() if k != "rnokpp"}
    assert "rnokpp" in errors_of(data)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=6),
    max_leaves=20,
)
field_names = st.sampled_from(["surname", "name", "patronymic", "address", "kind", "phone", "email", "consent",
                               "rnokpp", "passport", "collective"])


@settings(max_examples=400, deadline=None)
@given(st.one_of(json_values, st.dictionaries(field_names, json_values, max_size=11)))
def test_no_input_raises_anything_but_the_validation_error(data: object) -> None:
    try:
        validate(data)
    except ApplicantInvalid as err:
        assert err.errors and all(e.field and e.uk and e.en for e in err.errors)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(field_names, json_values, max_size=11).map(lambda d: {**GOOD, **d}))
def test_mutations_of_a_good_record_validate_or_name_their_fields(data: dict) -> None:
    try:
        validate(data)
    except ApplicantInvalid as err:
        assert {e.field for e in err.errors} <= set(GOOD) | {"passport", "collective", "email", "*"}


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk_app.cli", *args], capture_output=True, text=True, cwd=ROOT)


def test_cli_prints_normalised_applicant(tmp_path: Path) -> None:
    p = tmp_path / "a.json"
    p.write_text(json.dumps({**GOOD, "kind": "complaint", "phone": "+380 (50) 111-22-33"}), encoding="utf-8")
    out = run_cli("check-applicant", "--json", str(p))
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["applicant"]["phone"] == "+380501112233"
    assert result["applicant"]["kind"] == "complaint"


def test_cli_lists_field_errors_with_exit_1() -> None:
    out = run_cli("check-applicant", "--json", str(ROOT / "examples" / "applicant-invalid.json"))
    assert out.returncode == 1
    fields = {e["field"] for e in json.loads(out.stdout)["errors"]}
    assert {"surname", "name", "address", "kind", "phone", "passport", "consent"} <= fields


def test_cli_refuses_non_json(tmp_path: Path) -> None:
    p = tmp_path / "a.json"
    p.write_text("{surname: ", encoding="utf-8")
    out = run_cli("check-applicant", "--json", str(p))
    assert out.returncode == 1 and json.loads(out.stdout)["errors"][0]["field"] == "*"


def test_a_foreign_resident_writes_the_name_in_latin_letters_as_written() -> None:
    """In English ("script": "latin") a Latin name is accepted and kept as written; without it the
    names must be Ukrainian, and the English message names the field in words."""
    base = {"address": "м. Дніпро, вул. Січеславська Набережна, 15", "rnokpp": "1759013776", "kind": "application",
            "consent": True}
    a = validate({**base, "surname": "van der Berg", "name": "José", "patronymic": "O'Brien",
                                "script": "latin"})
    assert (a.surname, a.name, a.patronymic) == ("van der Berg", "José", "O'Brien")
    cyr = validate({**base, "surname": "мʼясоїд", "name": "Тарас", "script": "latin"})
    assert cyr.surname == "Мʼясоїд"                                   # Ukrainian still normalised
    with pytest.raises(ApplicantInvalid) as err:
        validate({**base, "surname": "Smith", "name": "John"})
    assert [e.field for e in err.value.errors] == ["surname", "name"]
    assert err.value.errors[0].en.startswith("Surname: Ukrainian letters")
    with pytest.raises(ApplicantInvalid) as err:
        validate({**base, "surname": "Smith1", "name": "John", "script": "latin"})
    assert [e.en for e in err.value.errors] == ["Surname: letters (Latin or Ukrainian), apostrophe, hyphen and space only"]
    with pytest.raises(ApplicantInvalid) as err:
        validate({**base, "surname": "Шевченко", "name": "Тарас", "rnokpp": "123"})
    assert err.value.errors[0].en.startswith("Taxpayer number: ")      # words, not the id "rnokpp"
