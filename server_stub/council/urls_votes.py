from django.urls import path

from . import views

app_name = "votes"
urlpatterns = [path("", views.votes, name="index"), path("<int:pk>/", views.vote, name="detail")]
