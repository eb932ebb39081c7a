"""What the home page shows a resident: what is open now in each instrument. Each instrument is
asked only when it is installed; nothing here names a person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

LIMIT = 5  # items per section; the section links to the full list


@dataclass
class Item:
    title: str
    url: str
    note: str = ""
    count: int | None = None  # petitions: signatures so far, of ``goal``
    goal: int | None = None

    @property
    def percent(self) -> int:
        return min(100, round(100 * (self.count or 0) / self.goal)) if self.goal else 0


def week_bounds(now: datetime) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday 00:00 of the local week that holds ``now``."""
    local = timezone.localtime(now)
    monday = (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    return monday, monday + timedelta(days=7)


def _petitions(now: datetime) -> list[Item]:
    from server_stub.petitions.models import Petition
    from server_stub.petitions.services import counted

    items = []
    for p in Petition.objects.filter(status="collecting", ends_at__gt=now).order_by("ends_at")[:LIMIT]:
        items.append(Item(p.title, f"/petitions/{p.pk}/", timezone.localtime(p.ends_at).strftime("%d.%m.%Y"),
                          counted(p), p.threshold))
    return items


def _budget(now: datetime) -> list[Item]:
    from server_stub.budget.models import Cycle

    return [Item(str(c.year), "/budget/") for c in Cycle.objects.filter(phase="voting")[:LIMIT]]


def _consultations(now: datetime) -> list[Item]:
    from server_stub.consult.models import Consultation

    return [Item(c.title, f"/consultations/{c.pk}/")
            for c in Consultation.objects.filter(status="open").order_by("-created_at")[:LIMIT]]


def _surveys(now: datetime) -> list[Item]:
    from server_stub.consult.models import Survey

    return [Item(s.title, f"/surveys/{s.pk}/") for s in Survey.objects.filter(status="open").order_by("-pk")[:LIMIT]]


def _meetings(now: datetime) -> list[Item]:
    from server_stub.meetings.models import Meeting

    start, end = week_bounds(now)
    return [Item(m.title, f"/meetings/{m.pk}/", timezone.localtime(m.starts_at).strftime("%d.%m.%Y %H:%M"))
            for m in Meeting.objects.filter(starts_at__gte=start, starts_at__lt=end).exclude(status="closed")
            .order_by("starts_at")[:LIMIT]]


# (key, the app that must be installed, what is listed, the full list, heading, what it says when empty)
SECTIONS: list[tuple[str, str, Any, str, Any, Any]] = [
    ("petitions", "server_stub.petitions", _petitions, "/petitions/",
     _("Petitions collecting signatures"), _("No petition is collecting signatures now.")),
    ("budget", "server_stub.budget", _budget, "/budget/",
     _("Participatory budget: voting is open"), _("No budget vote is open now.")),
    ("consultations", "server_stub.consult", _consultations, "/consultations/",
     _("Open consultations"), _("No consultation is open now.")),
    ("surveys", "server_stub.consult", _surveys, "/surveys/", _("Open surveys"), _("No survey is open now.")),
    ("meetings", "server_stub.meetings", _meetings, "/meetings/", _("Meetings this week"), _("No meeting this week.")),
]


def open_now(now: datetime | None = None) -> list[dict[str, Any]]:
    """Per installed instrument: its key, heading, what is open now, the link to all of it."""
    now = now or timezone.now()
    return [{"key": key, "title": title, "empty": empty, "items": fn(now), "link": link}
            for key, app, fn, link, title, empty in SECTIONS if apps.is_installed(app)]
