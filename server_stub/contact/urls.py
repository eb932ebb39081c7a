from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("requests/<int:rid>/", views.detail, name="detail"),
    path("operator/", views.operator, name="operator"),
    path("reports/", views.report, name="reports"),
    path("rate/<uuid:token>/", views.rate, name="rate"),
]
