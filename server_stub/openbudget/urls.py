from django.urls import path

from . import views

urlpatterns = [path("", views.index, name="index"), path("repairs/", views.repairs, name="repairs"),
               path("procurements/", views.procurements, name="procurements")]
