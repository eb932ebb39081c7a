from django.urls import path, re_path

from . import usage, views

urlpatterns = [
    path("", views.index, name="index"),
    re_path(r"^catalog\.(?P<fmt>jsonld|ttl)$", views.catalog, name="catalog"),
    path("usage/", usage.usage_page, name="usage"),
    path("requests/", usage.requests_page, name="requests"),
    path("requests/<int:pk>/vote", usage.vote, name="vote"),
    path("resources/<uuid:rid>/download/<str:filename>", views.download, name="download"),
    path("<slug:name>/", views.dataset, name="dataset"),
]
