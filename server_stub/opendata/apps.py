from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    """Open data portal (concept 4.6): datasets with the passport of Cabinet resolution No 835,
    CKAN-compatible Action API at /api/3/action/, DCAT catalogue."""

    name = "server_stub.opendata"
    label = "opendata"
    verbose_name = _("Open data")
    url_prefix = "opendata/"
    url_mounts = {"api/3/action/": "server_stub.opendata.ckan", "api/action/": "server_stub.opendata.ckan"}
    nav = [("/opendata/", _("Open data"))]
