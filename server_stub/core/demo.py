"""Demo data (idempotent): staff users, terminals, test residents, an OAuth client, and each app's own.

Apps add theirs by defining ``load_demo()`` in ``<app>/demo.py``.
"""

from __future__ import annotations

import importlib
import logging

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction

logger = logging.getLogger(__name__)

DEMO_USERS = [("admin", "admin", True), ("official", "official", False), ("technician", "technician", False),
              ("operator", "operator", False)]


@transaction.atomic
def load_core() -> None:
    user_model = get_user_model()
    for name, password, superuser in DEMO_USERS:
        if not user_model.objects.filter(username=name).exists():
            if superuser:
                user_model.objects.create_superuser(name, f"{name}@example.org", password)
            else:
                user_model.objects.create_user(name, f"{name}@example.org", password, is_staff=True)


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
                ", ".join(u for u, _, _ in DEMO_USERS))
