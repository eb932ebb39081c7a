from __future__ import annotations

from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "server_stub.jobs"
    label = "jobs"
    verbose_name = "Фонові завдання / Background jobs"
