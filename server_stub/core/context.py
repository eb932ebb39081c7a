"""Template context shared by every page: the main navigation collected from the apps."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    nav: list[tuple[str, Any]] = []
    for config in apps.get_app_configs():
        nav.extend(getattr(config, "nav", []))
    return {"site_nav": nav}
