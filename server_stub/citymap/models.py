"""Map layers with their own attributes, features, and residents' reports."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Layer(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    attributes = models.JSONField(_("attributes"), default=list, blank=True,
                                  help_text='[{"name": "hours", "label": "Години роботи", "type": "string"}]')
    color = models.CharField(max_length=7, default="#004a99")

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Feature(models.Model):
    layer = models.ForeignKey(Layer, on_delete=models.CASCADE, related_name="features")
    name = models.CharField(_("name"), max_length=200)
    lat = models.FloatField()
    lon = models.FloatField()
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["layer", "name"]

    def __str__(self) -> str:
        return self.name


class Report(models.Model):
    KINDS = [("illegal_construction", _("illegal construction")), ("unlicensed_trade", _("unlicensed trade"))]
    STATUSES = [("pending", _("awaiting moderation")), ("approved", _("published")), ("rejected", _("rejected")),
                ("duplicate", _("duplicate"))]
    kind = models.CharField(_("what"), max_length=30, choices=KINDS)
    description = models.TextField(_("description"))
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    photo = models.FileField(_("photo"), upload_to="public/map/", blank=True)
    status = models.CharField(_("status"), max_length=20, choices=STATUSES, default="pending")
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL)
    moderation_note = models.CharField(_("moderator's note"), max_length=300, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    # the contact centre's request this report became (citymap/routing.py); its statuses are the report's
    service_request = models.OneToOneField("contact.ServiceRequest", null=True, blank=True,
                                           on_delete=models.SET_NULL, related_name="map_report")

    public_media_fields = ("photo",)  # served by server_stub.core.media

    class Meta:
        ordering = ["-created_at"]

    def media_visible_to(self, user: Any) -> bool:
        """A photo is public once the report is published; before, only its author and moderators see it
        (the same rule as the report's page)."""
        if self.status == "approved":
            return True
        from server_stub.core.roles import can

        return bool(user.is_authenticated and (user.pk == self.author_id or can(user, "moderate_reports")))


class LayerProposal(models.Model):
    """A resident's proposal of a new layer; a data publisher accepts it (creating the layer) or declines it."""

    STATUSES = [("pending", _("awaiting review")), ("accepted", _("accepted")), ("rejected", _("declined"))]
    title = models.CharField(_("layer title"), max_length=200)
    description = models.TextField(_("what the layer should show"), max_length=2000)
    source = models.CharField(_("where the data can be found (optional)"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=STATUSES, default="pending")
    note = models.CharField(_("publisher's note"), max_length=300, blank=True)
    layer = models.ForeignKey(Layer, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title
