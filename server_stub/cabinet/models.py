"""Appeals a resident follows by number, officials' reception slots and bookings, services, data access log."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AppealLink(models.Model):
    resident = models.ForeignKey("core.Resident", on_delete=models.CASCADE, related_name="appeal_links")
    number = models.CharField(max_length=10)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["resident", "number"], name="follow_appeal_once")]


class Official(models.Model):
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position"), max_length=300)
    place = models.CharField(_("place"), max_length=300)

    def __str__(self) -> str:
        return f"{self.name}, {self.position}"


class Slot(models.Model):
    official = models.ForeignKey(Official, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("starts at"))
    capacity = models.PositiveIntegerField(_("places"), default=1)

    class Meta:
        ordering = ["starts_at"]


class Booking(models.Model):
    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="bookings")
    resident = models.ForeignKey("core.Resident", on_delete=models.CASCADE, related_name="bookings")
    purpose = models.CharField(_("question"), max_length=500)
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["slot__starts_at"]
        constraints = [models.UniqueConstraint(fields=["slot", "resident"], condition=Q(cancelled_at=None),
                                               name="one_active_booking_per_slot")]


class Service(models.Model):
    title = models.CharField(_("title"), max_length=300)
    category = models.CharField(_("category"), max_length=100)
    description = models.TextField(_("description"))
    where = models.CharField(_("where"), max_length=300)

    class Meta:
        ordering = ["category", "title"]


class DataAccess(models.Model):
    """Who (staff account or system) looked at a resident's personal data, and why."""

    resident = models.ForeignKey("core.Resident", on_delete=models.CASCADE, related_name="data_accesses")
    accessor = models.CharField(max_length=200)
    purpose = models.CharField(max_length=300)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
