from django.contrib import admin

from .models import OAuthClient, TestResident

admin.site.register(TestResident)
admin.site.register(OAuthClient)
