"""Datasets (passport of Cabinet resolution No 835), their resources, groups and tags."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from server_stub.core.listing import ByName, ShownByTitle


class Group(ShownByTitle):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]


class Tag(ByName):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100, unique=True)


class Dataset(ShownByTitle):
    """Passport fields of resolution No 835: identifier, title, description, keywords, publisher,
    responsible person and e-mail, update frequency, first published, last modified, formats,
    structure, legal basis; plus language and licence."""

    FREQ = [("daily", _("daily")), ("weekly", _("weekly")), ("monthly", _("monthly")),
            ("quarterly", _("quarterly")), ("yearly", _("yearly")), ("on_change", _("as it changes"))]
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.SlugField(_("identifier"), unique=True, max_length=100)
    title = models.CharField(_("title"), max_length=300)
    notes = models.TextField(_("description"))
    tags = models.ManyToManyField(Tag, blank=True, verbose_name=_("keywords"))
    groups = models.ManyToManyField(Group, blank=True)
    publisher = models.CharField(_("data manager (розпорядник)"), max_length=300)
    maintainer = models.CharField(_("responsible person"), max_length=200)
    maintainer_email = models.EmailField(_("responsible person's e-mail"))
    update_frequency = models.CharField(_("update frequency"), max_length=20, choices=FREQ, default="monthly")
    structure = models.TextField(_("structure (fields)"), blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    language = models.CharField(_("language"), max_length=10, default="uk")
    license_id = models.CharField(_("licence"), max_length=50, default="cc-by")
    generator = models.CharField(_("generator"), max_length=100, blank=True,
                                 help_text=_("which server data regenerates the resources"))
    created_at = models.DateTimeField(_("first published"), auto_now_add=True)
    modified_at = models.DateTimeField(_("last modified"), auto_now_add=True)

    class Meta:
        ordering = ["name"]


class Resource(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="resources")
    name = models.CharField(max_length=200)
    format = models.CharField(max_length=10)
    mimetype = models.CharField(max_length=100)
    filename = models.CharField(max_length=200)
    content = models.BinaryField(default=b"")
    size = models.PositiveIntegerField(default=0)
    position = models.PositiveIntegerField(default=0)
    uploaded = models.BooleanField(default=False, help_text=_("uploaded by a data publisher (not generated)"))
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["dataset", "position"]
        constraints = [models.UniqueConstraint(fields=["dataset", "format"], condition=models.Q(uploaded=False),
                                               name="one_generated_resource_per_format")]


class ApiToken(models.Model):
    """A data publisher's CKAN API token (``city-server issue-api-token``): only its SHA-256 is kept."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    token_sha256 = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.hint}… ({self.user})"


class DownloadDay(models.Model):
    """Downloads of a dataset's resources per day (no address, no visitor: only the count)."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="download_days")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dataset", "day"], name="one_download_row_per_day")]


class DatasetRequest(models.Model):
    """A resident asks for a dataset; other residents vote for the request; a publisher answers."""

    STATUS = [("open", _("open")), ("published", _("published")), ("declined", _("declined"))]
    title = models.CharField(_("what data"), max_length=200)
    reason = models.TextField(_("why it is needed"), max_length=2000, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="dataset_requests")
    status = models.CharField(_("status"), max_length=10, choices=STATUS, default="open")
    answer = models.TextField(_("publisher's answer"), blank=True)
    dataset = models.ForeignKey(Dataset, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.title


class RequestVote(models.Model):
    request = models.ForeignKey(DatasetRequest, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "voter"], name="one_vote_per_request")]
