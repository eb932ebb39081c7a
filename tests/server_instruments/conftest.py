"""Fixtures of the part-2 instrument tests (see helpers.py): ``smtp`` (aiosmtpd process), ``srv``."""

from __future__ import annotations

from tests.server_instruments.helpers import smtp, srv  # noqa: F401  (fixtures)
from tests.server_instruments.test_pages_in_browser import browser  # noqa: F401  (headless Chromium, per module)
