from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultConfig(AppConfig):
    """E-consultations on draft decisions and e-surveys, open or anonymous (concept 4.10)."""

    name = "server_stub.consult"
    label = "consult"
    verbose_name = _("Consultations and surveys")
    url_mounts = {"consultations/": "server_stub.consult.urls_consultations", "surveys/": "server_stub.consult.urls_surveys"}
    api_prefix = "consult/"
    nav = [("/consultations/", _("Consultations")), ("/surveys/", _("Surveys"))]
