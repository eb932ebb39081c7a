"""Fixtures of the sync agent's tests (helpers live in sa_fixtures.py, importable by the tests)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sa_fixtures import drop_dir, maker, store

__all__ = ["drop_dir", "maker", "store"]
