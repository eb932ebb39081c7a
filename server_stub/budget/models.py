"""A yearly cycle with phases, projects, votes (online and paper ballots), implementation milestones."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

PHASES = [("submission", _("submission of projects")), ("review", _("review")), ("voting", _("voting")),
          ("implementation", _("implementation")), ("closed", _("closed"))]
PROJECT_STATUSES = [("submitted", _("submitted")), ("accepted", _("admitted to the vote")),
                    ("rejected", _("rejected")), ("winner", _("won: being implemented")),
                    ("not_selected", _("not selected")), ("done", _("implemented"))]
CATEGORIES = [("improvement", _("public spaces")), ("education", _("education")), ("sport", _("sport")),
              ("culture", _("culture")), ("safety", _("safety")), ("other", _("other"))]


class Cycle(models.Model):
    year = models.PositiveIntegerField(_("year"), unique=True)
    total_budget = models.DecimalField(_("budget, UAH"), max_digits=14, decimal_places=2)
    phase = models.CharField(_("phase"), max_length=16, choices=PHASES, default="submission")

    class Meta:
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class Project(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="projects")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    category = models.CharField(_("category"), max_length=20, choices=CATEGORIES)
    location = models.CharField(_("location"), max_length=300)
    cost = models.DecimalField(_("cost, UAH"), max_digits=14, decimal_places=2)
    photo = models.ImageField(_("photo"), upload_to="public/budget/", null=True, blank=True)
    author = models.ForeignKey("core.Resident", null=True, blank=True, on_delete=models.SET_NULL)
    status = models.CharField(_("status"), max_length=14, choices=PROJECT_STATUSES, default="submitted")
    review_reason = models.CharField(_("reason"), max_length=1000, blank=True)
    progress = models.PositiveIntegerField(_("progress, %"), default=0)
    public_media_fields = ("photo",)  # served by server_stub.core.media

    class Meta:
        ordering = ["pk"]

    def media_visible_to(self, user: Any) -> bool:
        """Like the project page: public once reviewed; before, only its author and budget staff see the photo."""
        if self.status != "submitted":
            return True
        if not user.is_authenticated:
            return False
        from server_stub.core.roles import can

        resident = getattr(user, "resident", None)
        return bool(can(user, "manage_budget") or (resident is not None and resident.pk == self.author_id))


class Vote(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="votes")
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="votes")
    person_key = models.CharField(max_length=64)
    name_key = models.CharField(max_length=64, db_index=True)
    resident = models.ForeignKey("core.Resident", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="budget_votes")
    paper = models.BooleanField(default=False)
    place = models.CharField(max_length=120, blank=True)  # paper: the terminal or office that took the ballot
    paper_date = models.DateField(null=True, blank=True)  # paper: the date on the ballot
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # person_key / name_key: the identity keys of server_stub/core/identity.py
        constraints = [models.UniqueConstraint(fields=["project", "person_key"], name="one_vote_per_project"),
                       models.UniqueConstraint(fields=["project", "name_key"], name="one_vote_per_project_name_key")]


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    date = models.DateField(_("date"))
    title = models.CharField(_("what was done"), max_length=300)
    progress = models.PositiveIntegerField(_("progress, %"))
    photo = models.ImageField(_("photo"), upload_to="public/budget/", null=True, blank=True)
    public_media_fields = ("photo",)  # served by server_stub.core.media

    class Meta:
        ordering = ["date", "pk"]

    def media_visible_to(self, user: Any) -> bool:
        return self.project.media_visible_to(user)
