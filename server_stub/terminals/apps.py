from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerminalsConfig(AppConfig):
    """Terminal API (docs/terminal-api.md) and the technicians' fleet page."""

    name = "server_stub.terminals"
    label = "terminals"
    verbose_name = _("Appeal terminals")
    url_prefix = "fleet/"
    url_mounts = {"a/": "server_stub.terminals.urls_status"}     # the receipt's status link
    api_prefix = "terminal/v1/"
    staff_nav = [("/fleet/", _("Terminal fleet"), "core.view_fleet")]
