from django.urls import path

from . import status_page

app_name = "appeal_status"
urlpatterns = [path("<str:number>", status_page.status, name="status"),
               path("<str:number>/", status_page.status)]
