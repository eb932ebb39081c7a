"""``city-server manage petitions_jobs [--now ISO]``: the threshold and deadline job (run it hourly)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from server_stub.petitions.services import run_jobs


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # a scheduled job: start fast
    help = "Send petitions that reached the threshold for review; turn expired ones into appeals."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="ISO 8601 instant to act as (tests, catching up); default: now")
        parser.add_argument("--petition", type=int, help="only this petition")

    def handle(self, *args: Any, **opts: Any) -> None:
        now = datetime.fromisoformat(opts["now"]) if opts["now"] else timezone.now()
        if timezone.is_naive(now):
            now = timezone.make_aware(now)
        for pk, action in run_jobs(now, opts["petition"]):
            self.stdout.write(f"petition {pk}: {action}")
