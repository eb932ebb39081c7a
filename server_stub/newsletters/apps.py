from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewslettersConfig(AppConfig):
    """News of the council by topic (action plan item 4): double opt-in, one-click unsubscribe, SMTP."""

    name = "server_stub.newsletters"
    label = "newsletters"
    verbose_name = _("Newsletters")
    url_prefix = "newsletters/"
    api_prefix = "newsletters/"
    nav = [("/newsletters/", _("Newsletters"))]
