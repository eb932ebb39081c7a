"""Staff roles: one Django group per kind of staff work, each a set of named permissions.

Every staff page and every staff API operation checks one of the permissions below (``core.<codename>``),
never ``is_staff`` alone (``is_staff`` only lets a user into /admin/, where Django's model permissions
apply). The groups are created and kept in step with this table after every ``migrate``; docs/server.md
shows the same table for people. A user may hold several roles.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja.security import SessionAuth

from .api import ApiError
from .role_table import ADMIN_GROUP, ADMIN_USER, PERMISSIONS, ROLES, Role  # noqa: F401  (re-exported)


def ensure_groups(**_: Any) -> None:
    """Create the role groups and set their permissions exactly as declared (idempotent; run after migrate)."""
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    from .models import StaffWork

    ct = ContentType.objects.get_for_model(StaffWork, for_concrete_model=False)
    for codename, name in PERMISSIONS.items():
        Permission.objects.update_or_create(content_type=ct, codename=codename, defaults={"name": name[:255]})
    for role in ROLES:
        wanted = list(Permission.objects.filter(content_type=ct, codename__in=role.permissions))
        for label in role.admin_models:
            app, codename = label.split(".")
            wanted += list(Permission.objects.filter(content_type__app_label=app, codename=codename))
        group, _created = Group.objects.get_or_create(name=role.group)
        group.permissions.set(wanted)
    group, _created = Group.objects.get_or_create(name=ADMIN_GROUP)
    group.permissions.set(Permission.objects.all())


def require(user: Any, codename: str) -> None:
    """403 (PermissionDenied) unless ``user`` holds ``core.<codename>``: for one action of a shared page."""
    if not can(user, codename):
        raise PermissionDenied(codename)


def can(user: Any, codename: str) -> bool:
    """``user`` holds ``core.<codename>`` (through a role group, directly, or as a superuser)."""
    if codename not in PERMISSIONS:
        raise KeyError(f"unknown staff permission {codename!r}")
    return bool(user.is_authenticated and user.is_active and user.has_perm(f"core.{codename}"))


def staff_required(*codenames: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Page decorator: anonymous visitors go to the staff sign-in; signed-in users holding none of
    the permissions get 403 (not a redirect loop). A page serving several roles checks each action
    again with ``can``."""
    unknown = [c for c in codenames if c not in PERMISSIONS]
    if unknown or not codenames:
        raise KeyError(f"unknown staff permission(s) {unknown!r}")

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), "/accounts/login/")
            if not any(can(request.user, c) for c in codenames):
                raise PermissionDenied(", ".join(codenames))
            return view(request, *args, **kwargs)
        return wrapped
    return decorator


class StaffPermissionAuth(SessionAuth):
    """API auth: a staff session holding ``core.<codename>`` (401 without a session, 403 without it)."""

    def __init__(self, codename: str):
        if codename not in PERMISSIONS:
            raise KeyError(f"unknown staff permission {codename!r}")
        super().__init__()
        self.codename = codename

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if not user.is_authenticated:
            raise ApiError(401, "unauthorized", "Staff sign-in required (/accounts/login/)")
        if not can(user, self.codename):
            raise ApiError(403, "forbidden", f"This needs the permission core.{self.codename}")
        return user


def staff_auth(codename: str) -> StaffPermissionAuth:
    return StaffPermissionAuth(codename)
