"""/a/<number>: the receipt's status link (``@pages.route`` on the view, server_stub/core/pages.py)."""

from .status_page import pages

app_name = "appeal_status"
urlpatterns = pages.urlpatterns
