"""A commission's meeting, its agenda, the participants registered by signature and their signed ballots."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from server_stub.core.safeinput import validate_http_url
from server_stub.council.models import OPTIONS


class SignerKey(models.Model):
    """A deputy's registered public key for the configured signer."""

    deputy = models.OneToOneField("council.Deputy", on_delete=models.CASCADE, related_name="signer_key")
    algorithm = models.CharField(max_length=40, default="ed25519-test")
    public_key = models.CharField(max_length=200)


class Meeting(models.Model):
    STATUSES = [("planned", _("planned")), ("open", _("in progress")), ("closed", _("closed"))]
    commission = models.ForeignKey("council.Commission", on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(_("title"), max_length=300)
    starts_at = models.DateTimeField(_("starts at"))
    video_url = models.URLField(_("video conference"), blank=True, validators=[validate_http_url])
    status = models.CharField(max_length=10, choices=STATUSES, default="planned")
    nonce = models.CharField(max_length=32)
    closed_at = models.DateTimeField(null=True, blank=True)
    minutes_pdf = models.BinaryField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at"]


class AgendaItem(models.Model):
    STATUSES = [("pending", _("not yet voted")), ("voting", _("voting")), ("closed", _("voted"))]
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    title = models.CharField(_("title"), max_length=1000)
    status = models.CharField(max_length=10, choices=STATUSES, default="pending")
    result = models.CharField(max_length=10, blank=True)
    vote_event = models.ForeignKey("council.VoteEvent", null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["meeting", "position"], name="agenda_position_once")]


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    deputy = models.ForeignKey("council.Deputy", on_delete=models.CASCADE)
    payload = models.TextField()
    signature = models.CharField(max_length=400)
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "deputy"], name="register_once")]


class Ballot(models.Model):
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="ballots")
    deputy = models.ForeignKey("council.Deputy", on_delete=models.CASCADE)
    option = models.CharField(max_length=12, choices=OPTIONS)
    payload = models.TextField()
    signature = models.CharField(max_length=400)
    cast_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "deputy"], name="one_ballot_per_item")]
