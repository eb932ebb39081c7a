"""Demo: the open data passports of the part-2 instruments (petitions are made by residents)."""

from __future__ import annotations

from .opendata import ensure_datasets


def load_demo() -> None:
    ensure_datasets()
