from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CabinetConfig(AppConfig):
    """Resident cabinet (concept 4.9): my appeals, petitions, votes; appointments; services; who saw my data."""

    name = "server_stub.cabinet"
    label = "cabinet"
    verbose_name = _("Resident cabinet")
    url_prefix = "cabinet/"
    api_prefix = "cabinet/"
    nav = [("/cabinet/", _("My cabinet"))]
