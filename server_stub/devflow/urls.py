"""Mounted at the root: the OAuth endpoints, then the phone's pages (``@pages.route``, server_stub/core/pages.py)."""

from . import oauth, phone

urlpatterns = oauth.pages.urlpatterns + phone.pages.urlpatterns
