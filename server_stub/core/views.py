"""Pages of the foundation: home, sign-in choices, and the API's 404 in the envelope."""

from __future__ import annotations

from django.apps import apps
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .api import error_response


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {})


def api_not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return error_response(404, "not_found", f"No API endpoint at {request.path}")


def installed_instruments() -> list[str]:
    return [c.label for c in apps.get_app_configs() if getattr(c, "nav", None)]
