"""/consultations/ (``@consultation_pages.route`` on the views, server_stub/core/pages.py)."""

from .views import consultation_pages

app_name = "consultations"
urlpatterns = consultation_pages.urlpatterns
