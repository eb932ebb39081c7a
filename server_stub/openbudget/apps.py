from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpenbudgetConfig(AppConfig):
    """Open budget (concept 4.3): budget lines imported from CSV, server-side charts, a map of repairs."""

    name = "server_stub.openbudget"
    label = "openbudget"
    verbose_name = _("Open budget")
    url_prefix = "open-budget/"
    api_prefix = "open-budget/"
    nav = [("/open-budget/", _("Open budget"))]
