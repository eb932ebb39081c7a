from django.utils.translation import gettext_lazy as _

from server_stub.core import instrument


class OpenbudgetConfig(instrument.Instrument):
    """Open budget (concept 4.3): budget lines imported from CSV, server-side charts, a map of repairs."""

    label = "openbudget"
    verbose_name = _("Open budget")
    home = ("open-budget/", _("Open budget"))
