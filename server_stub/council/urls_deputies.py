from django.urls import path

from . import views

app_name = "deputies"
urlpatterns = [path("", views.deputies, name="index"), path("<int:pk>/", views.deputy, name="detail")]
