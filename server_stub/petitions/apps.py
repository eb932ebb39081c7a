from django.utils.translation import gettext_lazy as _

from server_stub.core import instrument


class PetitionsConfig(instrument.Instrument):
    """E-petitions (concept 4.2): moderation, signing through BankID, threshold and deadline jobs."""

    label = "petitions"
    verbose_name = _("E-petitions")
    home = ("petitions/", _("Petitions"))
    staff_nav = [("/petitions/moderation/", _("Moderation of petitions"), "core.moderate_petitions")]
