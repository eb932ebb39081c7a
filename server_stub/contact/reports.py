"""Contact-centre reports: requests, overdue and ratings by department (the category's responsible
agency) and category, for the staff page /contact/reports/ (permission ``report_requests``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Avg, Count, F, Q
from django.utils import timezone

from .models import ServiceRequest


@dataclass
class Row:
    agency: str
    code: str
    category: str
    total: int
    open: int
    overdue: int  # still open past the expected date
    closed: int
    closed_late: int  # closed after the expected date
    rated: int
    rating: float | None  # mean score 1-5 of the rated ones

    @property
    def overdue_share(self) -> float:
        """Requests not done in time (overdue now or closed late) of all, in per cent."""
        return round(100 * (self.overdue + self.closed_late) / self.total, 1) if self.total else 0.0


def figures(since: datetime | None = None, until: datetime | None = None,
            now: datetime | None = None) -> list[Row]:
    """One row per category with requests registered in [since, until], ordered by agency and code."""
    now = now or timezone.now()
    qs = ServiceRequest.objects.all()
    if since:
        qs = qs.filter(requested_at__gte=since)
    if until:
        qs = qs.filter(requested_at__lte=until)
    rows = (qs.values("category__agency", "category__code", "category__name")
            .annotate(total=Count("pk"),
                      open=Count("pk", filter=~Q(status="closed")),
                      overdue=Count("pk", filter=~Q(status="closed") & Q(expected_at__lt=now)),
                      closed=Count("pk", filter=Q(status="closed")),
                      closed_late=Count("pk", filter=Q(status="closed", closed_at__gt=F("expected_at"))),
                      rated=Count("rating"), rating=Avg("rating__score"))
            .order_by("category__agency", "category__code"))
    return [Row(r["category__agency"], r["category__code"], r["category__name"], r["total"], r["open"],
                r["overdue"], r["closed"], r["closed_late"], r["rated"],
                r["rating"]) for r in rows]


def by_agency(rows: list[Row]) -> list[Row]:
    """The rows summed per agency (the mean rating weighted by the number rated)."""
    out: dict[str, Row] = {}
    score_sum: dict[str, float] = {}
    for r in rows:
        a = out.setdefault(r.agency, Row(r.agency, "", "", 0, 0, 0, 0, 0, 0, None))
        a.total += r.total
        a.open += r.open
        a.overdue += r.overdue
        a.closed += r.closed
        a.closed_late += r.closed_late
        a.rated += r.rated
        score_sum[r.agency] = score_sum.get(r.agency, 0.0) + (r.rating or 0) * r.rated
    for a in out.values():
        a.rating = score_sum[a.agency] / a.rated if a.rated else None
    return list(out.values())
