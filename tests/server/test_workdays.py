"""Working days for the petition's consideration deadline (server_stub/core/workdays.py, the `holidays` calendar)."""

from __future__ import annotations

from datetime import date

from server_stub.core.workdays import add_working_days, is_working_day


def test_weekends_and_ukrainian_days_off_are_skipped() -> None:
    # Fri 24.12.2021 + 10: 27.12 (Christmas observed), 03.01 (New Year observed) and 07.01 (Christmas) are days off
    assert add_working_days(date(2021, 12, 24), 10, "UA") == date(2022, 1, 12)
    # the same with weekends only
    assert add_working_days(date(2021, 12, 24), 10, "") == date(2022, 1, 7)
    assert not is_working_day(date(2021, 8, 24), "UA")  # Independence Day, a Tuesday
    assert is_working_day(date(2021, 8, 24), "")


def test_under_martial_law_public_holidays_are_working_days() -> None:
    # Law No 2136-IX: no days off for public holidays while martial law lasts (the calendar knows it)
    assert is_working_day(date(2025, 8, 25), "UA")  # Independence Day observed would have been Monday
    assert add_working_days(date(2026, 12, 31), 10, "UA") == date(2027, 1, 14)
    assert add_working_days(date(2026, 12, 5), 10, "UA") == date(2026, 12, 18)  # from a Saturday
