"""Text that people enter and others open: web addresses (http/https only) and spreadsheet cells (no formulas).

- ``validate_http_url`` is Django's URL validator limited to ``http`` and ``https``: ``javascript:``,
  ``data:``, ``file:`` and the rest are refused (model fields, forms, and ``http_url`` for the JSON API).
- ``csv_writer`` is ``csv.writer`` that neutralises every text cell a spreadsheet would take as a formula
  (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) by putting ``'`` in front, as
  OWASP advises for CSV injection; numbers are written as they are. ``xlsx_row`` does the same for XLSX.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

validate_http_url = URLValidator(schemes=["http", "https"])
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def http_url(value: str) -> str:
    """``value`` stripped if it is an http(s) address or empty; ValueError otherwise (pydantic validators)."""
    value = value.strip()
    if not value:
        return ""
    try:
        validate_http_url(value)
    except ValidationError as err:
        raise ValueError("only http:// and https:// addresses are accepted") from err
    return value


def csv_cell(value: Any) -> Any:
    """A text cell that cannot start a formula; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class _SafeWriter:
    def __init__(self, writer: Any):
        self._writer = writer

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([csv_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(f: Any, **kwargs: Any) -> _SafeWriter:
    """``csv.writer(f, **kwargs)`` whose cells are passed through ``csv_cell``."""
    return _SafeWriter(csv.writer(f, **kwargs))


def xlsx_row(row: Iterable[Any]) -> list[Any]:
    """A row for openpyxl's ``append``: text that would be stored as a formula is neutralised the same way."""
    return [csv_cell(v) for v in row]
