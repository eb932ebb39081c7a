from django.urls import path

from . import oauth, phone

urlpatterns = [
    path(".well-known/oauth-authorization-server", oauth.metadata, name="oauth-metadata"),
    path("oauth/device_authorization", oauth.device_authorization, name="oauth-device-authorization"),
    path("oauth/device_authorization/cancel", oauth.cancel, name="oauth-device-cancel"),
    path("oauth/token", oauth.token, name="oauth-token"),
    path("device", phone.enter, name="device"),
    path("device/confirm", phone.confirm, name="device-confirm"),
]
