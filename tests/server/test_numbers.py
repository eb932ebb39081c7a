"""Appeal numbers: ISO 7064 Mod 11-2 check character, compact and display forms; haversine."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server_stub.citymap.geo import haversine_m
from server_stub.core import numbers


def test_known_numbers() -> None:
    assert numbers.make("017", 123) == "0170001234"
    assert numbers.display("0170001234") == "017-000123-4"
    assert numbers.validate("017-000123-4") == "0170001234"
    assert numbers.make("018", 42) == "018000042X"
    assert numbers.validate("018-000042-x") == "018000042X"


@pytest.mark.parametrize("bad", ["0170001235", "017000123", "01700012345", "A170001234", "", "017-000123-X"])
def test_bad_numbers(bad: str) -> None:
    with pytest.raises(numbers.InvalidNumber):
        numbers.validate(bad)


@given(st.integers(0, 999), st.integers(0, 999_999), st.integers(0, 8), st.integers(1, 9))
def test_any_single_digit_change_is_caught(code: int, seq: int, pos: int, delta: int) -> None:
    good = numbers.make(f"{code:03d}", seq)
    digits = list(good)
    digits[pos] = str((int(digits[pos]) + delta) % 10)
    assert not numbers.is_valid("".join(digits))


def test_haversine_known_distance() -> None:
    # one thousandth of a degree of latitude is about 111 m
    assert haversine_m(48.0, 35.0, 48.001, 35.0) == pytest.approx(111.2, abs=0.3)
    assert haversine_m(48.47, 35.04, 48.47, 35.04) == 0
