from django.utils.translation import gettext_lazy as _

from server_stub.core import instrument


class NewslettersConfig(instrument.Instrument):
    """News of the council by topic (action plan item 4): double opt-in, one-click unsubscribe, SMTP."""

    label = "newsletters"
    verbose_name = _("Newsletters")
    home = ("newsletters/", _("Newsletters"))
    staff_nav = [("/newsletters/compose/", _("Write a newsletter"), "core.send_newsletters")]
