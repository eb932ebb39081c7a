from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BankidConfig(AppConfig):
    """STAND-IN for BankID: an OAuth 2.0 authorization-code identity provider with test residents."""

    name = "server_stub.standins.bankid"
    label = "bankid"
    verbose_name = _("BankID (stand-in)")
    url_prefix = "bankid/"
