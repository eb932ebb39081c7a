"""Demo data (idempotent): staff users, terminals, test residents, an OAuth client, and each app's own.

Apps add theirs by defining ``load_demo()`` in ``<app>/demo.py``.
"""

from __future__ import annotations

import importlib
import logging

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from .roles import ADMIN_GROUP, ADMIN_USER, ROLES, ensure_groups

logger = logging.getLogger(__name__)

# One staff user per role of core/roles.py (password = name: demo only), plus the administrator.
DEMO_USERS = [(role.user, role.group) for role in ROLES] + [(ADMIN_USER, ADMIN_GROUP)]


@transaction.atomic
def load_core() -> None:
    ensure_groups()
    user_model = get_user_model()
    for name, group in DEMO_USERS:
        user = user_model.objects.filter(username=name).first()
        if user is None:
            if name == ADMIN_USER:
                user = user_model.objects.create_superuser(name, f"{name}@example.org", name)
            else:  # is_staff lets the user into /admin/, where only the role's model permissions apply
                user = user_model.objects.create_user(name, f"{name}@example.org", name, is_staff=True)
        user.groups.add(Group.objects.get(name=group))


def load_demo() -> None:
    load_core()
    for config in apps.get_app_configs():
        if config.name == "server_stub.core":
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError:
            continue
        module.load_demo()
    logger.info("demo data loaded (staff users: %s; passwords equal the names)",
                ", ".join(u for u, _ in DEMO_USERS))
