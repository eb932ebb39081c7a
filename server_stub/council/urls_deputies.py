"""/deputies/ (``@deputy_pages.route`` on the views, server_stub/core/pages.py)."""

from .views import deputy_pages

app_name = "deputies"
urlpatterns = deputy_pages.urlpatterns
