from django.urls import path

from . import views

app_name = "terminals"
urlpatterns = [path("", views.fleet, name="fleet")]
