from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    """Online meetings of standing commissions (concept 4.11): signed registration and votes, live quorum."""

    name = "server_stub.meetings"
    label = "meetings"
    verbose_name = _("Online meetings")
    url_prefix = "meetings/"
    api_prefix = "meetings/"
    nav = [("/meetings/", _("Meetings"))]
