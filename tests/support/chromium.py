"""Debian's chromium for the tests: where it is (a missing browser skips, and fails under CI=true,
through :func:`tests.support.tools.require_tool`), the flags every headless launch uses, and a
screenshot of a page as a person would see it."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from tests.support.tools import require_tool

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync"]


def chromium() -> str:
    """The chromium executable (Debian package ``chromium``)."""
    return require_tool("chromium", "chromium", also=["/usr/bin/chromium", "/usr/bin/chromium-browser"])


def screenshot(url: str, shot: Path, size: tuple[int, int], profile: Path) -> Path:
    """Load ``url`` in headless chromium with a window of ``size`` and save the picture to ``shot``."""
    subprocess.run([chromium(), "--headless", *FLAGS, "--no-first-run", f"--user-data-dir={profile}",
                    f"--window-size={size[0]},{size[1]}", f"--screenshot={shot}", url],
                   capture_output=True, timeout=60, check=False)
    return shot


def launch(playwright: Any) -> Any:
    """Debian's chromium under Playwright (``sync_playwright()``), headless, with :data:`FLAGS`."""
    return playwright.chromium.launch(executable_path=chromium(), args=FLAGS)
