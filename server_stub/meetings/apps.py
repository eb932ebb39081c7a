from django.utils.translation import gettext_lazy as _

from server_stub.core import instrument


class MeetingsConfig(instrument.Instrument):
    """Online meetings of standing commissions (concept 4.11): signed registration and votes, live quorum."""

    label = "meetings"
    verbose_name = _("Online meetings")
    home = ("meetings/", _("Meetings"))
