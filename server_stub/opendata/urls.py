"""The portal's pages (``@pages.route`` on the views, server_stub/core/pages.py; the usage pages join them there)."""

from .views import pages

urlpatterns = pages.urlpatterns
