"""Pages of the foundation: home, help, sign-in choices, and the API's 404 in the envelope."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import home as home_data
from .api import error_response
from .pages import Pages

# slug -> (title, the instrument's page); the text is core/help/<uk|en>/<slug>.html
HELP_TOPICS: dict[str, tuple[object, str]] = {slug: (title, page) for slug, title, page in (
    ("terminal", _("The appeal terminal: how to file an appeal, what happens next"), ""),
    ("petitions", _("Petitions"), "/petitions/"), ("budget", _("Participatory budget"), "/budget/"),
    ("consultations", _("Consultations"), "/consultations/"), ("surveys", _("Surveys"), "/surveys/"),
    ("meetings", _("Meetings"), "/meetings/"), ("contact", _("Contact centre"), "/contact/"),
    ("map", _("City map"), "/map/"), ("opendata", _("Open data"), "/opendata/"),
    ("openbudget", _("Open budget"), "/open-budget/"), ("council", _("Deputies and votes"), "/deputies/"),
    ("newsletters", _("Newsletters"), "/newsletters/"), ("cabinet", _("My cabinet"), "/cabinet/"),
)}

pages = Pages()


@pages.route("", name="home")
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"sections": home_data.open_now(), "help_topics": _topics()})


def _topics() -> list[tuple[str, object]]:
    return [(slug, title) for slug, (title, _page) in HELP_TOPICS.items()]


@pages.route("help/", name="help")
def help_index(request: HttpRequest) -> HttpResponse:
    return render(request, "core/help/index.html", {"help_topics": _topics()})


@pages.route("help/<slug:slug>/", name="help-topic")
def help_topic(request: HttpRequest, slug: str) -> HttpResponse:
    if slug not in HELP_TOPICS:
        raise Http404("no such help page")
    title, page = HELP_TOPICS[slug]
    lang = "en" if (get_language() or "uk").startswith("en") else "uk"
    return render(request, "core/help/topic.html", {
        "slug": slug, "title": title, "page": page, "body": f"core/help/{lang}/{slug}.html",
        "petition_days": getattr(settings, "PETITIONS_PERIOD_DAYS", 90), "help_topics": _topics()})


def api_not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return error_response(404, "not_found", f"No API endpoint at {request.path}")


def installed_instruments() -> list[str]:
    return [c.label for c in apps.get_app_configs() if getattr(c, "nav", None)]
