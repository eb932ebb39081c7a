from django.urls import path

from . import views

app_name = "consultations"
urlpatterns = [path("", views.consultations, name="index"), path("<int:pk>/", views.consultation, name="detail")]
