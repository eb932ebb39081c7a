"""Service categories, service requests with status history, API keys, notices of works."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from server_stub.core.safeinput import validate_http_url

CHANNELS = [("resident", _("resident (web)")), ("operator", _("operator (phone)")),
            ("dispatcher", _("dispatcher")), ("api", _("Open311 client")),
            ("map", _("report on the city map"))]
STATUSES = [("open", _("open")), ("in_progress", _("in progress")), ("closed", _("closed"))]


class Category(models.Model):
    """An Open311 service."""

    code = models.CharField(_("service code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    group = models.CharField(_("group"), max_length=100, blank=True)
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    agency = models.CharField(_("responsible agency"), max_length=200, blank=True)
    deadline_hours = models.PositiveIntegerField(_("deadline, hours"), default=72)
    attributes = models.JSONField(_("Open311 attributes"), default=list, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ServiceRequest(models.Model):
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="requests")
    description = models.TextField(_("description"))
    lat = models.FloatField(null=True, blank=True)
    long = models.FloatField(null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    email = models.EmailField(blank=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    media_url = models.URLField(blank=True, validators=[validate_http_url])
    channel = models.CharField(max_length=20, choices=CHANNELS, default="resident")
    status = models.CharField(_("status"), max_length=20, choices=STATUSES, default="open")
    status_notes = models.CharField(_("status notes"), max_length=500, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    expected_at = models.DateTimeField(_("expected by"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-requested_at"]

    @property
    def request_id(self) -> str:
        return str(self.pk)

    WITHHELD = "Опис буде показано після модерації / the description is shown once moderated"

    @property
    def public_description(self) -> str:
        """The description as the public sees it: a map report's own text only once a moderator has
        published the report (citymap); every other request's as filed."""
        report = getattr(self, "map_report", None)  # the reverse one-to-one: None when there is none
        return self.description if report is None or report.status == "approved" else self.WITHHELD


class StatusChange(models.Model):
    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="history")
    status = models.CharField(max_length=20, choices=STATUSES)
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["at", "pk"]


class Notification(models.Model):
    """One message telling the resident of a status change (services.change_status -> notify.py)."""

    CHANNELS = [("email", _("e-mail")), ("sms", _("SMS"))]
    change = models.ForeignKey(StatusChange, on_delete=models.CASCADE, related_name="notifications")
    channel = models.CharField(max_length=10, choices=CHANNELS)
    sent = models.BooleanField(default=False)
    error = models.CharField(max_length=100, blank=True)  # the error's kind only, never the address
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]


class Rating(models.Model):
    """The resident's rating of the answer, given through the link in the closing message."""

    request = models.OneToOneField(ServiceRequest, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField(_("rating"), choices=[(i, str(i)) for i in range(1, 6)])
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    at = models.DateTimeField(auto_now=True)


class ApiKey(models.Model):
    name = models.CharField(max_length=100)
    key_sha256 = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class Notice(models.Model):
    KINDS = [("emergency", _("emergency works")), ("repair", _("planned repair works"))]
    kind = models.CharField(_("kind"), max_length=20, choices=KINDS)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("details"), blank=True)
    area = models.CharField(_("area, streets"), max_length=300)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)

    class Meta:
        ordering = ["-starts_at"]
