"""Terminals, their credentials, heartbeats and events, and the per-terminal feed."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

code_validator = RegexValidator(r"^\d{3}$", _("Three digits, e.g. 017"))


class Terminal(models.Model):
    code = models.CharField(_("code"), max_length=3, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    feed_seq = models.PositiveBigIntegerField(default=0)
    last_heartbeat_at = models.DateTimeField(null=True, blank=True)
    last_heartbeat = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("terminal")
        verbose_name_plural = _("terminals")

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()


class TerminalCredential(models.Model):
    terminal = models.ForeignKey(Terminal, on_delete=models.CASCADE, related_name="credentials")
    token_sha256 = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text=_("first characters, to tell credentials apart"))
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("terminal credential")
        verbose_name_plural = _("terminal credentials")

    def __str__(self) -> str:
        return f"{self.terminal.code} {self.hint}…"


class Heartbeat(models.Model):
    """One status report of a terminal (queue depth, devices, versions), kept once per send time."""

    terminal = models.ForeignKey(Terminal, on_delete=models.CASCADE, related_name="heartbeats")
    sent_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)
    body_sha256 = models.CharField(max_length=64)
    queue_depth = models.PositiveIntegerField(default=0)
    payload = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["terminal", "sent_at"], name="heartbeat_once")]
        indexes = [models.Index(fields=["terminal", "-sent_at"])]


class TerminalEvent(models.Model):
    TYPES = ["delivered", "acknowledged", "answer_printed", "sms_sent", "void", "alert"]
    terminal = models.ForeignKey(Terminal, on_delete=models.CASCADE, related_name="events")
    idempotency_key = models.CharField(max_length=128)
    type = models.CharField(max_length=20, choices=[(t, t) for t in TYPES])
    number = models.CharField(max_length=10, blank=True, db_index=True)
    at = models.DateTimeField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    body_sha256 = models.CharField(max_length=64)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["terminal", "idempotency_key"], name="event_once")]


class Answer(models.Model):
    """An answer PDF published for an appeal (the bytes live in the private data dir)."""

    id = models.CharField(primary_key=True, max_length=32)
    number = models.CharField(max_length=10, db_index=True)
    path = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    summary = models.CharField(max_length=500, blank=True)
    published_at = models.DateTimeField()


class AppealStatus(models.Model):
    """What the server knows of an appeal (no personal data): fed by the EDMS (stand-in)."""

    STATUSES = ["registered", "in_progress", "extended", "answered", "rejected"]
    number = models.CharField(max_length=10, unique=True)
    terminal_code = models.CharField(max_length=3, db_index=True)
    status = models.CharField(max_length=20, choices=[(s, s) for s in STATUSES])
    registration_index = models.CharField(max_length=32, blank=True)
    registered_at = models.DateTimeField(null=True, blank=True)
    deadline = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    answer = models.ForeignKey(Answer, null=True, blank=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField()


class FeedEntry(models.Model):
    terminal = models.ForeignKey(Terminal, on_delete=models.CASCADE, related_name="feed")
    seq = models.PositiveBigIntegerField()
    type = models.CharField(max_length=10)
    number = models.CharField(max_length=10)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["terminal", "seq"], name="feed_seq_once")]
        ordering = ["terminal", "seq"]


class AccessKey(models.Model):
    """The salted hash of an appeal's receipt code (docs/receipt.md), sent by the terminal that
    took the appeal with its ``delivered`` event. The code itself never reaches the server."""

    number = models.CharField(max_length=10, unique=True)
    code_hash = models.CharField(max_length=128)
    terminal = models.ForeignKey(Terminal, on_delete=models.CASCADE, related_name="access_keys")
    created_at = models.DateTimeField(auto_now_add=True)


class AccessFailure(models.Model):
    """One wrong (or refused) receipt code: counted per number, per terminal and per web door."""

    DOORS = ["terminal", "status_page", "cabinet"]
    number = models.CharField(max_length=10, db_index=True)
    terminal = models.ForeignKey(Terminal, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="access_failures")      # None: a web door
    door = models.CharField(max_length=12, choices=[(d, d) for d in DOORS])
    locked = models.BooleanField(default=False)                      # this try reached a limit
    at = models.DateTimeField(auto_now_add=True, db_index=True)
