from django.urls import path

from . import views

urlpatterns = [
    path("", views.map_page, name="map"),
    path("reports/new/", views.report_new, name="report-new"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("moderation/", views.moderation, name="moderation"),
]
