from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Shared foundation: base template, sign-in, the JSON API and its error envelope.

    Every instrument app may declare on its AppConfig:
      ``url_prefix``  - mounts ``<app>.urls`` there (e.g. ``"map/"``), its namespace the app's label;
      ``api_prefix``  - mounts ``<app>.api.router`` under ``/api/<api_prefix>``;
      ``nav``         - [(path, lazy label)] shown in the site's main navigation;
      ``staff_nav``   - [(path, lazy label, "core.<permission>")] staff tools, shown (header and home page)
                        only to a signed-in person holding that permission;
    ``core/instrument.py`` derives all of them from a three-line declaration.
    """

    name = "server_stub.core"
    label = "core"
    verbose_name = _("Core")
    url_prefix = ""

    def ready(self) -> None:
        from django.apps import apps
        from django.db.models.signals import post_migrate

        from .roles import ensure_groups

        def after_last_app(sender: AppConfig, **kwargs: object) -> None:
            last = [c for c in apps.get_app_configs() if c.models_module is not None][-1]
            if sender is last:  # every app's permissions exist by now
                ensure_groups()

        post_migrate.connect(after_last_app, dispatch_uid="core.roles.ensure_groups")
