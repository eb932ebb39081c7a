"""Two demo terminals with a heartbeat each (credentials are issued only by the CLI)."""

from __future__ import annotations

from django.utils import timezone

from .models import Terminal
from .services import record_heartbeat

TERMINALS = [("017", "ЦНАП Лівобережний", "м. Дніпро, просп. Слобожанський, 31"),
             ("018", "Бібліотека на Робочій", "м. Дніпро, вул. Робоча, 76")]


def load_demo() -> None:
    for code, name, address in TERMINALS:
        terminal, created = Terminal.objects.get_or_create(code=code, defaults={"name": name, "address": address})
        if created:
            record_heartbeat(terminal, timezone.now(), {
                "app_version": "0.1.0", "queue_depth": 0, "oldest_undelivered": None, "last_errors": [],
                "devices": [{"device": "receipt_printer", "state": "ready", "detail": "", "consumables": {"paper": 90},
                             "last_error": None},
                            {"device": "scanner", "state": "fault" if code == "018" else "ready",
                             "detail": "paper_jam" if code == "018" else "", "consumables": {}, "last_error": None}],
                "consumables": {"receipt_paper": 90, "form_paper": 70, "toner": 55, "staples": 800, "bin_fill": 10}})
