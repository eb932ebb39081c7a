"""The map's pages (``@pages.route`` on the views, server_stub/core/pages.py): the map, then its layers."""

from . import layers, views

urlpatterns = views.pages.urlpatterns + layers.pages.urlpatterns
