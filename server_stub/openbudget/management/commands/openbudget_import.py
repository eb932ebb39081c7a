"""``city-server manage openbudget_import budget.csv [--repairs repairs.csv]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from server_stub.openbudget import services


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # a scheduled job: start fast
    help = "Import budget lines (year,kind,fund,code,name,sector,plan,executed) and repairs from CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("budget", nargs="?")
        parser.add_argument("--repairs")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            if opts["budget"]:
                res = services.import_budget(Path(opts["budget"]).read_text(encoding="utf-8"))
                self.stdout.write(f"budget: {res['lines']} lines for {res['years']}")
            if opts["repairs"]:
                self.stdout.write(f"repairs: {services.import_repairs(Path(opts['repairs']).read_text('utf-8'))}")
        except services.ImportError_ as err:
            raise CommandError(str(err)) from err
