from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .fleet import fleet_state


@staff_member_required(login_url="/accounts/login/")
def fleet(request: HttpRequest) -> HttpResponse:
    return render(request, "terminals/fleet.html", {"fleet": fleet_state()})
