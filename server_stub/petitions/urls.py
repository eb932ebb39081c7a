from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("moderation/", views.moderation, name="moderation"),
    path("<int:pk>/", views.detail, name="detail"),
]
