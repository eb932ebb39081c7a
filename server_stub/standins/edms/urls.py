from django.urls import path

from . import views

urlpatterns = [
    path("", views.register, name="register"),
    path("<str:number>/", views.card, name="card"),
    path("<str:number>/scan.pdf", views.scan, name="scan"),
]
