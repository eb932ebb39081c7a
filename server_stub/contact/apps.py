from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactConfig(AppConfig):
    """Contact centre (concept 4.7), exposed as Open311 GeoReport v2 at /open311/v2/."""

    name = "server_stub.contact"
    label = "contact"
    verbose_name = _("Contact centre")
    url_prefix = "contact/"
    url_mounts = {"open311/v2/": "server_stub.contact.open311"}
    nav = [("/contact/", _("Contact centre"))]
    staff_nav = [("/contact/operator/", _("Operator desk"), "core.handle_requests")]
