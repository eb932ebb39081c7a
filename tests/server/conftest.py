"""Shared fixtures for the city server tests: the server as a real process on an ephemeral port.

Database: ``CITY_SERVER_TEST_DB=sqlite`` (default) or ``postgres``; for PostgreSQL a fresh database
is created on ``CITY_SERVER_TEST_PG_URL`` (default postgresql://appeals:appeals@127.0.0.1:5432/,
see packaging/dev/postgres.sh) and dropped afterwards. Part-2 apps reuse the fixtures ``server``,
``api17``/``api18`` and the helpers in citysrv_helpers.py (``staff_session``, ``resident_session``).
"""

from __future__ import annotations

from tests.server.citysrv_helpers import api17, api18, server  # noqa: F401  (fixtures)
