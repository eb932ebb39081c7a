"""Use of the portal: downloads counted per dataset and day (a count only: no address, no visitor),
residents' requests for datasets and their votes; the pages /opendata/usage/ and /opendata/requests/."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from server_stub.core.pages import Pages

from .models import Dataset, DatasetRequest, DownloadDay, RequestVote

RECENT_DAYS = 30

pages = Pages()


def count_download(ds: Dataset) -> None:
    """One more download of ``ds`` today (safe under concurrent downloads)."""
    today = timezone.localdate()
    rows = DownloadDay.objects.filter(dataset=ds, day=today)
    if rows.update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            DownloadDay.objects.create(dataset=ds, day=today, count=1)
    except IntegrityError:
        rows.update(count=F("count") + 1)


def tracking(ds: Dataset) -> dict[str, int]:
    """CKAN's ``tracking_summary``: all downloads and those of the last 30 days."""
    since = timezone.localdate() - timedelta(days=RECENT_DAYS - 1)
    sums = DownloadDay.objects.filter(dataset=ds).aggregate(total=Sum("count"), recent=Sum("count", filter=Q(
        day__gte=since)))
    return {"total": sums["total"] or 0, "recent": sums["recent"] or 0}


@pages.route("usage/", name="usage")
def usage_page(request: HttpRequest) -> HttpResponse:
    since = timezone.localdate() - timedelta(days=RECENT_DAYS - 1)
    datasets = (Dataset.objects.annotate(total=Sum("download_days__count"),
                                         recent=Sum("download_days__count", filter=Q(download_days__day__gte=since)))
                .order_by(F("total").desc(nulls_last=True), "name"))
    return render(request, "opendata/usage.html", {
        "datasets": datasets, "days": RECENT_DAYS,
        "downloads": sum(d.total or 0 for d in datasets),
        "requests_open": DatasetRequest.objects.filter(status="open").count(),
        "requests_published": DatasetRequest.objects.filter(status="published").count()})


def _resident(request: HttpRequest) -> Any | None:
    user = request.user
    return user if user.is_authenticated and hasattr(user, "resident") else None


@pages.route("requests/", name="requests")
def requests_page(request: HttpRequest) -> HttpResponse:
    resident = _resident(request)
    if request.method == "POST":
        if resident is None:
            return HttpResponseRedirect("/auth/bankid/?next=/opendata/requests/")
        title = request.POST.get("title", "").strip()[:200]
        reason = request.POST.get("reason", "").strip()[:2000]
        if len(title) < 5:
            messages.error(request, _("Say which data you need (at least 5 characters)."))
        else:
            req = DatasetRequest.objects.create(title=title, reason=reason, author=resident)
            RequestVote.objects.create(request=req, voter=resident)
            messages.success(request, _("Your request is published. Others can vote for it."))
        return HttpResponseRedirect("/opendata/requests/")
    items = (DatasetRequest.objects.select_related("dataset").annotate(vote_count=Count("votes"))
             .order_by("-vote_count", "-created_at"))
    mine = set(RequestVote.objects.filter(voter=resident).values_list("request_id", flat=True)) if resident else set()
    return render(request, "opendata/requests.html", {"items": items, "resident": resident, "mine": mine})


@pages.route("requests/<int:pk>/vote", name="vote")
@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _resident(request)
    if resident is None:
        return HttpResponseRedirect("/auth/bankid/?next=/opendata/requests/")
    req = get_object_or_404(DatasetRequest, pk=pk, status="open")
    try:
        with transaction.atomic():
            RequestVote.objects.create(request=req, voter=resident)
        messages.success(request, _("Your vote is counted."))
    except IntegrityError:
        messages.info(request, _("You have already voted for this request."))
    return HttpResponseRedirect("/opendata/requests/")
