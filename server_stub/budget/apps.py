from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetConfig(AppConfig):
    """Participatory budget (concept 4.1): yearly cycle, projects, review, voting, implementation."""

    name = "server_stub.budget"
    label = "budget"
    verbose_name = _("Participatory budget")
    url_prefix = "budget/"
    api_prefix = "budget/"
    nav = [("/budget/", _("Participatory budget"))]
