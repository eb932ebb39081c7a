from django.utils.translation import gettext_lazy as _

from server_stub.core import instrument


class CouncilConfig(instrument.Instrument):
    """Roll-call votes and deputies (concept 4.8): factions, commissions, districts, decisions, reports."""

    label = "council"
    verbose_name = _("Deputies and votes")
    sections = {"deputies/": _("Deputies"), "votes/": _("Votes")}
