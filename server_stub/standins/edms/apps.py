from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EdmsConfig(AppConfig):
    """STAND-IN for the city's EDMS (СЕД): imports the drop folder, registers, lets officials answer."""

    name = "server_stub.standins.edms"
    label = "edms"
    verbose_name = _("EDMS (stand-in)")
    url_prefix = "edms/"
    staff_nav = [("/edms/", _("Appeals (EDMS stand-in)"), "core.answer_appeals")]
