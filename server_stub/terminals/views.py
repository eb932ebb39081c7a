from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from server_stub.core.roles import staff_required

from .fleet import fleet_state


@staff_required("view_fleet")
def fleet(request: HttpRequest) -> HttpResponse:
    return render(request, "terminals/fleet.html", {"fleet": fleet_state()})
