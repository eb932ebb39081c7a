"""Fixtures of the part-2 instrument tests (see p2helpers.py): ``smtp`` (aiosmtpd process), ``srv``."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from p2helpers import smtp, srv  # noqa: F401  (fixtures)
