"""The EDMS stand-in's registration-control cards (РКК) and imported documents."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

KINDS = [("3.1", _("proposal (remark)")), ("3.2", _("application (request)")), ("3.3", _("complaint"))]
STATUSES = [("registered", _("registered")), ("in_progress", _("in progress")), ("extended", _("extended")),
            ("answered", _("answered"))]


class IndexCounter(models.Model):
    """Sequence of registration indexes per letter and year (e.g. "Б-20")."""

    year = models.PositiveIntegerField()
    letter = models.CharField(max_length=4)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "letter"], name="index_counter_once")]


class ExecutiveBody(models.Model):
    """An executive body of the council (a department); its officials answer the appeals routed to it.
    Appeals not yet routed anywhere are seen by the officials of the body that ``receives_unrouted``
    (the general department, which forwards them)."""

    name = models.CharField(_("name"), max_length=300, unique=True)
    receives_unrouted = models.BooleanField(_("receives appeals not yet routed"), default=False)
    officials = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="executive_bodies",
                                       verbose_name=_("officials"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("executive body")
        verbose_name_plural = _("executive bodies")

    def __str__(self) -> str:
        return self.name


class Registration(models.Model):
    """A registration-control card (РКК) for one appeal."""

    number = models.CharField(_("appeal number"), max_length=10, unique=True)
    registration_index = models.CharField(_("registration index"), max_length=32, unique=True)
    registered_at = models.DateTimeField(_("registered at"))
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    applicant = models.CharField(_("applicant"), max_length=300, blank=True)
    address = models.CharField(_("place of residence"), max_length=500, blank=True)
    contact = models.CharField(_("phone, e-mail"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=3, choices=KINDS, default="3.2")
    channel_code = models.CharField(_("channel of receipt"), max_length=8)
    receipt_mark = models.CharField(_("receipt mark"), max_length=8, default="2.1")
    subject_code = models.CharField(_("individual / collective / anonymous"), max_length=8, default="5.1")
    category = models.CharField(_("applicant's category"), max_length=200, blank=True)
    summary = models.TextField(_("substance"), blank=True)
    pages = models.PositiveIntegerField(_("pages"), default=0)
    pdf_path = models.CharField(max_length=500)
    pdf_sha256 = models.CharField(max_length=64)
    metadata = models.JSONField(default=dict)
    needs_study = models.BooleanField(_("needs extra study"), default=True)
    deadline = models.DateField(_("deadline"))
    extended = models.BooleanField(_("extended"), default=False)
    extension_reason = models.CharField(_("reason for extension"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=STATUSES, default="registered")
    answer_text = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    official = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    executive_body = models.ForeignKey(ExecutiveBody, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="registrations", verbose_name=_("executive body"))

    class Meta:
        ordering = ["deadline", "registered_at"]
        verbose_name = _("registration card")
        verbose_name_plural = _("registration cards")

    def __str__(self) -> str:
        return f"{self.registration_index} ({self.number})"


class AdditionalDocument(models.Model):
    """A later paper of an appeal already registered (an addition, with its own document id),
    kept beside the registration card it belongs to."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="additions")
    document_id = models.CharField(max_length=16, unique=True)
    pdf_path = models.CharField(max_length=500)
    pdf_sha256 = models.CharField(max_length=64)
    metadata = models.JSONField(default=dict)
    imported_at = models.DateTimeField(auto_now_add=True)


class ImportRecord(models.Model):
    """One outcome per document id (registered or rejected): what makes importing idempotent."""

    document_id = models.CharField(max_length=16, unique=True)
    status = models.CharField(max_length=10)
    registration_index = models.CharField(max_length=32, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)
