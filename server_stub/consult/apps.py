from django.utils.translation import gettext_lazy as _

from server_stub.core import instrument


class ConsultConfig(instrument.Instrument):
    """E-consultations on draft decisions and e-surveys, open or anonymous (concept 4.10)."""

    label = "consult"
    verbose_name = _("Consultations and surveys")
    sections = {"consultations/": _("Consultations"), "surveys/": _("Surveys")}
