from django.urls import path

from . import layers, views

urlpatterns = [
    path("", views.map_page, name="map"),
    path("tiles/<int:z>/<int:x>/<int:y>.png", views.tile, name="tile"),
    path("objects/<int:pk>/", views.feature_card, name="feature"),
    path("reports/new/", views.report_new, name="report-new"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("moderation/", views.moderation, name="moderation"),
    path("layers/", layers.layers, name="layers"),
    path("layers/<slug:slug>/", layers.layer, name="layer"),
    path("proposals/new/", layers.propose, name="propose"),
]
