from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Shared foundation: base template, sign-in, the JSON API and its error envelope.

    Every instrument app may declare on its AppConfig:
      ``url_prefix``  - mounts ``<app>.urls`` there (e.g. ``"map/"``);
      ``api_prefix``  - mounts ``<app>.api.router`` under ``/api/<api_prefix>``;
      ``nav``         - [(path, lazy label)] shown in the site's main navigation.
    """

    name = "server_stub.core"
    label = "core"
    verbose_name = _("Core")
    url_prefix = ""
