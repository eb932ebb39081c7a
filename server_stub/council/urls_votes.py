"""/votes/ (``@vote_pages.route`` on the views, server_stub/core/pages.py)."""

from .views import vote_pages

app_name = "votes"
urlpatterns = vote_pages.urlpatterns
