"""Topics, subscribers (confirmed by a link: double opt-in), pending requests and sent issues."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from server_stub.core.listing import ShownByTitle


class Topic(ShownByTitle):
    slug = models.SlugField(unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.CharField(_("description"), max_length=500, blank=True)

    class Meta:
        ordering = ["title"]


class Subscriber(models.Model):
    """A confirmed address; unsubscribe links carry a signed token of its id (services.unsub_token)."""

    email = models.EmailField(unique=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="subscribers")
    confirmed_at = models.DateTimeField()


class PendingRequest(models.Model):
    """A subscription waiting for its confirmation link to be opened."""

    email = models.EmailField()
    topics = models.JSONField(default=list)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)


class Issue(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="issues")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
