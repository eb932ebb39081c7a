"""One device authorization (RFC 8628 §3.2): asked for by a terminal, approved or denied on a phone."""

from __future__ import annotations

from django.db import models


class DeviceAuthorization(models.Model):
    """The device code and the user code are kept only as SHA-256 hashes. ``claims`` holds the
    verified identity from the resident's BankID sign-in until the terminal takes it (once), the
    resident denies, the terminal cancels or the code expires; then it is wiped."""

    PENDING, APPROVED, DENIED, EXCHANGED, CANCELLED = "pending", "approved", "denied", "exchanged", "cancelled"
    STATUSES = [PENDING, APPROVED, DENIED, EXCHANGED, CANCELLED]

    device_code_sha256 = models.CharField(max_length=64, unique=True)
    user_code_sha256 = models.CharField(max_length=64, unique=True)
    terminal = models.ForeignKey("terminals.Terminal", on_delete=models.CASCADE, related_name="device_authorizations")
    credential = models.ForeignKey("terminals.TerminalCredential", on_delete=models.CASCADE,
                                   related_name="device_authorizations")
    scope = models.CharField(max_length=100, default="identity")
    status = models.CharField(max_length=10, choices=[(s, s) for s in STATUSES], default=PENDING)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    interval = models.PositiveIntegerField()                    # seconds; grows by 5 with each slow_down
    last_poll_at = models.DateTimeField(null=True, blank=True)
    resident = models.ForeignKey("core.Resident", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="device_authorizations")
    claims = models.JSONField(null=True, blank=True)
    signed_in_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    exchanged_at = models.DateTimeField(null=True, blank=True)


class WrongUserCode(models.Model):
    """One user code typed on /device that matched nothing, by client address (the lockout)."""

    address = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
