"""Registers the ``packaging`` marker (deselect the slow package build with ``-m "not packaging"``)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "packaging: builds and installs the Debian packages (minutes; "
                                       "deselect with -m 'not packaging')")
