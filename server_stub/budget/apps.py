from django.utils.translation import gettext_lazy as _

from server_stub.core import instrument


class BudgetConfig(instrument.Instrument):
    """Participatory budget (concept 4.1): yearly cycle, projects, review, voting, implementation."""

    label = "budget"
    verbose_name = _("Participatory budget")
    home = ("budget/", _("Participatory budget"))
