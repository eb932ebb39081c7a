"""The app's pages, declared on their views with ``@pages.route`` (server_stub/core/pages.py)."""

from .views import pages

urlpatterns = pages.urlpatterns
