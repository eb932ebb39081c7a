"""E-petitions: the petition, its signatures (online and paper) and the job log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

STATUSES = [("moderation", _("awaiting moderation")), ("rejected", _("rejected")),
            ("collecting", _("collecting signatures")), ("review", _("sent for the mayor's review")),
            ("answered", _("answered")), ("appeal", _("below the threshold: an ordinary appeal"))]
REJECT_REASONS = [
    ("duplicate", _("duplicates a petition already published")),
    ("outside_powers", _("outside the powers of the council")),
    ("offensive", _("offensive or obscene language")),
    ("personal_data", _("discloses personal data")),
    ("no_request", _("no clear request to the council")),
    ("other", _("other (see the note)")),
]
EVENTS = [("review", _("sent for the mayor's review")), ("answered", _("the council's response")),
          ("appeal", _("became an ordinary appeal"))]


class Petition(models.Model):
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    author = models.ForeignKey("core.Resident", on_delete=models.PROTECT, related_name="petitions")
    status = models.CharField(_("status"), max_length=12, choices=STATUSES, default="moderation")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    reject_reason = models.CharField(_("reason"), max_length=20, choices=REJECT_REASONS, blank=True)
    moderation_note = models.CharField(_("moderator's note"), max_length=1000, blank=True)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    moderated_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("collection ends at"), null=True, blank=True)
    threshold = models.PositiveIntegerField(_("signatures required"), default=1000)
    threshold_reached_at = models.DateTimeField(null=True, blank=True)
    review_due = models.DateField(_("to the mayor no later than"), null=True, blank=True)
    review_sent_at = models.DateTimeField(_("sent for review at"), null=True, blank=True)
    appeal_number = models.CharField(_("appeal number"), max_length=10, blank=True)
    appeal_index = models.CharField(_("registration index"), max_length=32, blank=True)
    appeal_deadline = models.DateField(_("answer due"), null=True, blank=True)
    response_text = models.TextField(_("the council's response"), blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")

    def __str__(self) -> str:
        return self.title


class Signature(models.Model):
    """One per person per petition, online or on paper: ``person_key`` is the identity key and ``name_key``
    the name-and-birth-date key of server_stub/core/identity.py, each unique per petition."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="signatures")
    resident = models.ForeignKey("core.Resident", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="petition_signatures")
    person_key = models.CharField(max_length=64)
    name_key = models.CharField(max_length=64, db_index=True)
    public_name = models.CharField(max_length=300)
    paper = models.BooleanField(default=False)
    place = models.CharField(max_length=120, blank=True)  # paper: the terminal or office that took the form
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    signed_at = models.DateTimeField()
    email = models.EmailField(blank=True)
    notify = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["petition", "person_key"], name="one_signature_per_person"),
                       models.UniqueConstraint(fields=["petition", "name_key"], name="one_signature_per_name_key")]


class JobRun(models.Model):
    """What the scheduled job did and when (the record that the petition went to the mayor in time)."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="job_runs")
    action = models.CharField(max_length=20)
    at = models.DateTimeField()
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]
