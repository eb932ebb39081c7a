"""Fixtures of the part-2 instrument tests (see p2helpers.py): ``smtp`` (aiosmtpd process), ``srv``."""

from __future__ import annotations

from tests.server_part2.p2helpers import smtp, srv  # noqa: F401  (fixtures)
