"""Template context shared by every page: the main navigation collected from the apps, and the
staff tools the signed-in person may use (an app's ``staff_nav``: url, label, permission)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    nav: list[tuple[str, Any]] = []
    staff: list[tuple[str, Any]] = []
    user = getattr(request, "user", None)
    for config in apps.get_app_configs():
        nav.extend(getattr(config, "nav", []))
        if user is not None and user.is_authenticated:
            staff.extend((url, label) for url, label, perm in getattr(config, "staff_nav", []) if user.has_perm(perm))
    return {"site_nav": nav, "staff_nav": staff}
