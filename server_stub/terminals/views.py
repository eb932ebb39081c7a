from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from server_stub.core.pages import Pages
from server_stub.core.roles import staff_required

from .fleet import fleet_state, versions

pages = Pages()


@pages.route("", name="fleet")
@staff_required("view_fleet")
def fleet(request: HttpRequest) -> HttpResponse:
    views = fleet_state()
    return render(request, "terminals/fleet.html", {
        "fleet": views, "versions": versions(views),
        "pending": [v for v in views if v.update_state == "pending"],
        "failed": [v for v in views if v.update_state == "failed"]})
