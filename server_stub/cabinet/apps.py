from django.utils.translation import gettext_lazy as _

from server_stub.core import instrument


class CabinetConfig(instrument.Instrument):
    """Resident cabinet (concept 4.9): my appeals, petitions, votes; appointments; services; who saw my data."""

    label = "cabinet"
    verbose_name = _("Resident cabinet")
    home = ("cabinet/", _("My cabinet"))
