"""Residents signed in through BankID (the shared identity every instrument relies on)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Resident(models.Model):
    """A person verified by the identity provider. ``user.resident`` exists only for such users."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resident")
    subject = models.CharField(_("identity provider subject"), max_length=128, unique=True)
    family_name = models.CharField(_("surname"), max_length=100)
    given_name = models.CharField(_("name"), max_length=100)
    middle_name = models.CharField(_("patronymic"), max_length=100, blank=True)
    verified_at = models.DateTimeField(_("verified at"))
    # server_stub/core/identity.py: keyed hashes from the BankID claims (never the RNOKPP or birth date in
    # clear) and the normalised locality of the address claim; refreshed at every sign-in
    identity_key = models.CharField(max_length=64, blank=True)
    name_key = models.CharField(max_length=64, blank=True)
    locality = models.CharField(_("locality"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")

    def __str__(self) -> str:
        return f"{self.family_name} {self.given_name} {self.middle_name}".strip()


class StaffWork(models.Model):
    """No table: the holder of the staff permissions of core/roles.py (``core.<codename>``)."""

    class Meta:
        managed = False
        default_permissions = ()
        verbose_name = _("staff work")
