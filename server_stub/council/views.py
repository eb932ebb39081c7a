"""Pages: deputies (find yours by address), one deputy (votes, reports), decisions and roll-call votes."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from server_stub.core.pages import Pages

from . import services
from .models import Commission, Deputy, Faction, VoteEvent

deputy_pages = Pages()
vote_pages = Pages()


@deputy_pages.route("", name="index")
def deputies(request: HttpRequest) -> HttpResponse:
    address = request.GET.get("address", "").strip()
    district = services.find_district(address) if address else None
    return render(request, "council/deputies.html", {
        "deputies": Deputy.objects.select_related("faction", "district"), "address": address, "district": district,
        "factions": Faction.objects.prefetch_related("members"), "commissions": Commission.objects.all()})


@deputy_pages.route("<int:pk>/", name="detail")
def deputy(request: HttpRequest, pk: int) -> HttpResponse:
    d = get_object_or_404(Deputy.objects.select_related("faction", "district"), pk=pk)
    return render(request, "council/deputy.html", {"d": d, "votes": d.votes.select_related("event__motion")[:200]})


@vote_pages.route("", name="index")
def votes(request: HttpRequest) -> HttpResponse:
    events = [(e, services.counts(e)) for e in VoteEvent.objects.select_related("motion")[:200]]
    return render(request, "council/votes.html", {"events": events})


@vote_pages.route("<int:pk>/", name="detail")
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    e = get_object_or_404(VoteEvent.objects.select_related("motion"), pk=pk)
    return render(request, "council/vote.html", {"e": e, "counts": services.counts(e),
                                                 "votes": e.votes.select_related("deputy__faction")})
