"""Pages: meetings, one meeting (agenda, live quorum, results, minutes; staff controls)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from server_stub.core.pages import Pages
from server_stub.core.roles import require

from . import services
from .models import Meeting

pages = Pages()


@pages.route("", name="index")
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "meetings/index.html", {"meetings": Meeting.objects.select_related("commission")})


@pages.route("<int:pk>/", name="detail")
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    m = get_object_or_404(Meeting.objects.select_related("commission"), pk=pk)
    if request.method == "POST":
        require(request.user, "run_meetings")
        try:
            action = request.POST.get("action", "")
            if action == "close":
                services.close(m)
            else:
                item = get_object_or_404(m.items, position=int(request.POST.get("item") or 0))
                (services.open_item if action == "open" else services.close_item)(item)
        except services.MeetingError as e:
            messages.error(request, e.message)
        return redirect("meetings:detail", pk=m.pk)
    return render(request, "meetings/detail.html", {
        "m": m, "q": services.quorum(m), "present": m.attendance.select_related("deputy"),
        "items": m.items.select_related("vote_event"), "minutes": services.minutes_text(m)})
