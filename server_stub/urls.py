"""URLconf: the foundation, then every app that declares ``url_prefix``, then the API."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from server_stub.core import bankid_client
from server_stub.core import media as core_media
from server_stub.core import views as core_views
from server_stub.core.api import register_routers

urlpatterns = [
    *core_views.pages.urlpatterns,  # home and help: @pages.route on the views (core/pages.py), as in every app
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    *bankid_client.pages.urlpatterns,
    path("admin/", admin.site.urls),
]

for _config in apps.get_app_configs():
    _prefix = getattr(_config, "url_prefix", None)
    if _prefix:
        # the app's label is the namespace of its pages ("budget:detail")
        _pages = importlib.import_module(f"{_config.name}.urls").urlpatterns
        urlpatterns.append(path(_prefix, include((_pages, _config.label))))
    for _mount, _module in getattr(_config, "url_mounts", {}).items():  # extra mounts: {"open311/v2/": "mod"}
        urlpatterns.append(path(_mount, include(importlib.import_module(_module))))

urlpatterns += [
    path("api/", register_routers().urls),
    re_path(r"^api/(?P<rest>.*)$", core_views.api_not_found),
    # No CDN: static files come from WhiteNoise (collected by `city-server run`), uploads from here.
    # Only uploads a published item owns, as images (core/media.py); EDMS documents live outside media/public.
    re_path(r"^media/public/(?P<path>.*)$", core_media.public_media),
]
