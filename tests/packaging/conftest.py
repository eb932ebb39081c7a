"""Registers the ``packaging`` marker (deselect the slow package build with ``-m "not packaging"``)
and the session fixtures of pkgbuild.py (the packages built once, installed into a throwaway root)."""

from __future__ import annotations

import pytest

from tests.packaging.pkgbuild import build, installed, repo_key  # noqa: F401 - fixtures for this folder's tests
from tests.printers.test_form_printer import cupsd, pwg_printer  # noqa: F401 - a cupsd and a PWG-only printer


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "packaging: builds and installs the Debian packages (minutes; "
                                       "deselect with -m 'not packaging')")
