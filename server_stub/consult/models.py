"""Consultations (document, comments on the whole or a paragraph, summary) and surveys.

Anonymous surveys: ``Response`` has no person and no time; ``AnswerToken`` holds only an HMAC of
(survey, BankID subject) as its primary key, with no timestamp and no link to a response, so one
answer per person is enforced while no stored row says who answered what. Nor does the order rows are
kept in: answers have random keys, and tokens and responses are stored out of order
(services._forget_arrival), so the order of answering is in neither table (docs/security.md).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

KINDS = [("single", _("one choice")), ("multiple", _("several choices")), ("scale", _("scale 1–5")),
         ("text", _("free text"))]


class Consultation(models.Model):
    title = models.CharField(_("title"), max_length=300)
    document = models.TextField(_("draft decision"), help_text=_("paragraphs separated by a blank line"))
    status = models.CharField(max_length=10, choices=[("open", _("open")), ("closed", _("closed"))], default="open")
    summary = models.TextField(_("summary"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.document.replace("\r\n", "\n").split("\n\n") if p.strip()]


class Comment(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="comments")
    paragraph = models.PositiveIntegerField(null=True, blank=True)  # 1-based; None = the whole document
    author = models.ForeignKey("core.Resident", on_delete=models.CASCADE)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]


class Survey(models.Model):
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=True)
    status = models.CharField(max_length=10, choices=[("open", _("open")), ("closed", _("closed"))], default="open")
    consent_text = models.TextField(_("consent to personal data processing"),
                                    default="Я погоджуюся на обробку моїх персональних даних для цього опитування "
                                            "відповідно до Закону України «Про захист персональних даних».")

    class Meta:
        ordering = ["-pk"]


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=KINDS)
    text = models.CharField(max_length=500)
    options = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["position"]


class Response(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)  # no order to read
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    resident = models.ForeignKey("core.Resident", null=True, blank=True, on_delete=models.SET_NULL)  # open mode only
    consent = models.BooleanField(default=False)
    submitted_on = models.DateField(null=True, blank=True)  # open mode only

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "resident"], name="one_open_answer_per_person")]


class AnswerToken(models.Model):
    """Who took part (never what they answered): HMAC(survey, identity key) and HMAC(survey, name key) of
    server_stub/core/identity.py, one row each, and where the voice came from ("online", or the terminal
    or office of a paper form); the date only for open surveys."""

    token = models.CharField(max_length=64, primary_key=True)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    paper = models.BooleanField(default=False)
    place = models.CharField(max_length=120, blank=True)
    day = models.DateField(null=True, blank=True)  # open surveys only: an anonymous one keeps no date


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.JSONField()
