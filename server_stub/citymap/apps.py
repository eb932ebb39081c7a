from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitymapConfig(AppConfig):
    """Open city map (concept 4.5): layers, GeoJSON API, residents' reports with moderation."""

    name = "server_stub.citymap"
    label = "citymap"
    verbose_name = _("City map")
    url_prefix = "map/"
    api_prefix = "map/"
    nav = [("/map/", _("City map"))]
