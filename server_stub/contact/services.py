"""Creating service requests, moving their status (with history), deadlines and overdue. Every status
change (registration included) is told to the resident once its transaction has committed (notify.py)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import Category, ServiceRequest, StatusChange

logger = logging.getLogger(__name__)


@transaction.atomic
def create(category: Category, *, description: str, lat: float | None = None, lon: float | None = None,
           address: str = "", channel: str = "resident", author: Any = None, **contact: str) -> ServiceRequest:
    r = ServiceRequest.objects.create(
        category=category, description=description, lat=lat, long=lon, address=address, channel=channel,
        author=author if getattr(author, "is_authenticated", False) else None,
        expected_at=timezone.now() + timedelta(hours=category.deadline_hours), **contact)
    _told(StatusChange.objects.create(request=r, status="open", note="Зареєстровано", by=r.author))
    return r


@transaction.atomic
def change_status(r: ServiceRequest, status: str, note: str, by: Any = None) -> None:
    r.status, r.status_notes = status, note[:500]
    r.closed_at = timezone.now() if status == "closed" else None
    r.save(update_fields=["status", "status_notes", "closed_at", "updated_at"])
    _told(StatusChange.objects.create(request=r, status=status, note=note[:500], by=by))


def _told(change: StatusChange) -> None:
    from .notify import status_changed

    def tell() -> None:
        try:
            status_changed(change.pk)
        except Exception:  # the change is saved whatever happens to the message
            logger.exception("contact request %s: status change %s not told", change.request_id, change.pk)

    transaction.on_commit(tell)


def is_overdue(r: ServiceRequest) -> bool:
    return r.status != "closed" and r.expected_at < timezone.now()
