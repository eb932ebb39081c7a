"""/surveys/ (``@survey_pages.route`` on the views, server_stub/core/pages.py)."""

from .views import survey_pages

app_name = "surveys"
urlpatterns = survey_pages.urlpatterns
