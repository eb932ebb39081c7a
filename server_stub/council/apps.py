from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilConfig(AppConfig):
    """Roll-call votes and deputies (concept 4.8): factions, commissions, districts, decisions, reports."""

    name = "server_stub.council"
    label = "council"
    verbose_name = _("Deputies and votes")
    url_mounts = {"deputies/": "server_stub.council.urls_deputies", "votes/": "server_stub.council.urls_votes"}
    api_prefix = "council/"
    nav = [("/deputies/", _("Deputies")), ("/votes/", _("Votes"))]
