from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    """E-petitions (concept 4.2): moderation, signing through BankID, threshold and deadline jobs."""

    name = "server_stub.petitions"
    label = "petitions"
    verbose_name = _("E-petitions")
    url_prefix = "petitions/"
    api_prefix = "petitions/"
    nav = [("/petitions/", _("Petitions"))]
