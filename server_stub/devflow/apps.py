from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevflowConfig(AppConfig):
    """Sign in at a terminal with BankID on one's own phone: the OAuth 2.0 Device Authorization
    Grant (RFC 8628) for terminals, its RFC 8414 metadata, and the phone's pages (docs/terminal-api.md)."""

    name = "server_stub.devflow"
    label = "devflow"
    verbose_name = _("Sign-in at a terminal by phone")
    url_mounts = {"": "server_stub.devflow.urls"}      # /.well-known/..., /oauth/..., /device

    def ready(self) -> None:
        from server_stub.core import bankid_client

        from . import phone

        bankid_client.KEEP_ACROSS_SIGN_IN.add(phone.SESSION_KEY)
        bankid_client.signed_in.connect(phone.on_signed_in, dispatch_uid="devflow.phone.on_signed_in")
