"""``city-server manage cabinet_reminders [--now ISO]``: e-mail reminders of appointments (run hourly)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from server_stub.cabinet.services import send_reminders


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # a scheduled job: start fast
    help = "Remind residents of appointments within CABINET_REMINDER_HOURS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="ISO 8601 instant to act as")

    def handle(self, *args: Any, **opts: Any) -> None:
        now = datetime.fromisoformat(opts["now"]) if opts["now"] else None
        self.stdout.write(f"reminders sent: {send_reminders(now)}")
