from django.utils.translation import gettext_lazy as _

from server_stub.core import instrument


class CitymapConfig(instrument.Instrument):
    """Open city map (concept 4.5): layers, GeoJSON API, residents' reports with moderation."""

    label = "citymap"
    verbose_name = _("City map")
    home = ("map/", _("City map"))
    staff_nav = [("/map/moderation/", _("Moderation of reports"), "core.moderate_reports")]
