from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AppealStatus, Terminal, TerminalCredential, TerminalEvent
from .services import issue_credential


@admin.register(Terminal)
class TerminalAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "address", "last_heartbeat_at"]
    actions = ["issue"]

    @admin.action(description=_("Issue a new credential (the token is shown once)"), permissions=["change"])
    def issue(self, request: HttpRequest, queryset: Any) -> None:
        for terminal in queryset:
            token = issue_credential(terminal.code)
            messages.warning(request, f"{terminal.code}: {token}")


@admin.register(TerminalCredential)
class CredentialAdmin(admin.ModelAdmin):
    list_display = ["terminal", "hint", "created_at", "revoked_at", "last_used_at"]
    readonly_fields = ["token_sha256", "hint"]
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected credentials"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        messages.success(request, f"{count}")


@admin.register(TerminalEvent)
class EventAdmin(admin.ModelAdmin):
    list_display = ["terminal", "type", "number", "received_at"]
    list_filter = ["type"]


@admin.register(AppealStatus)
class AppealStatusAdmin(admin.ModelAdmin):
    list_display = ["number", "status", "registration_index", "deadline", "updated_at"]
