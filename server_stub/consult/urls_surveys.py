from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [path("", views.surveys, name="index"), path("<int:pk>/", views.survey, name="detail")]
