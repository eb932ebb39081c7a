"""Fixtures of the sync agent's tests (helpers live in sa_fixtures.py, importable by the tests)."""

from __future__ import annotations

from tests.sync_agent.sa_fixtures import drop_dir, maker, store

__all__ = ["drop_dir", "maker", "store"]
