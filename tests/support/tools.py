"""External tools the tests need (gammu, pdftoppm, tesseract, ipptool, chromium, lintian, ...).

On a developer's machine a missing tool skips the test that needs it, saying which Debian package
brings it; under ``CI=true`` (as .ci/run runs) the same absence fails the test, so that CI never
passes by running less. Every test that depends on a tool asks through :func:`require_tool` (or
:func:`missing` for a condition that is not one executable).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from typing import NoReturn

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def missing(why: str) -> NoReturn:
    """Skip the current test because ``why`` (a tool or a capability is missing); fail it under CI."""
    if in_ci():
        pytest.fail(f"{why} - under CI=true a missing tool is a failure, not a skip", pytrace=False)
    pytest.skip(why)


def find_tool(name: str, also: Iterable[str] = ()) -> str | None:
    """``name`` on PATH, else the first executable of ``also`` (full paths, e.g. /usr/sbin/...)."""
    return shutil.which(name) or next((p for p in also if os.path.isfile(p) and os.access(p, os.X_OK)), None)


def require_tool(name: str, package: str, also: Iterable[str] = ()) -> str:
    """The path of the executable ``name``; skips (fails under CI) when it is not installed."""
    exe = find_tool(name, also)
    if exe is None:
        missing(f"needs {name} (Debian package {package})")
    return exe
