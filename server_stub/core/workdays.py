"""Working days: Monday to Friday, less the public holidays (days off) of a `holidays` calendar.

The country comes from the setting ``HOLIDAYS_COUNTRY`` (CITY_SERVER_HOLIDAYS, "UA" by default; "" = weekends
only). The `holidays` calendar of Ukraine follows the law: under martial law (from 2022) public holidays are not
days off, so only weekends are skipped until it ends; the calendar is updated with the package.
"""

from __future__ import annotations

from datetime import date, timedelta

import holidays


def is_working_day(day: date, country: str) -> bool:
    if day.weekday() >= 5:
        return False
    return not country or day not in holidays.country_holidays(country, years=day.year)


def add_working_days(start: date, days: int, country: str) -> date:
    """The ``days``-th working day after ``start`` (the day of registration itself does not count)."""
    day, left = start, days
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day, country):
            left -= 1
    return day
