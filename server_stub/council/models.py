"""Deputies, factions, standing commissions, districts, decisions with roll-call votes, annual reports."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from server_stub.core.listing import ByName

OPTIONS = [("yes", _("for")), ("no", _("against")), ("abstain", _("abstained")), ("not_voting", _("did not vote")),
           ("absent", _("absent"))]
# The Ukrainian local open data standard (dataset "votings") spells the options so:
UA_OPTION = {"yes": "За", "no": "Проти", "abstain": "Утримався", "not_voting": "Не голосував", "absent": "Відсутній"}


class Faction(ByName):
    name = models.CharField(_("name"), max_length=200, unique=True)


class Commission(ByName):
    name = models.CharField(_("name"), max_length=300, unique=True)


class District(models.Model):
    number = models.PositiveIntegerField(_("number"), unique=True)
    streets = models.TextField(_("streets"), help_text=_("one street per line"))

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"№ {self.number}"


class Deputy(models.Model):
    family_name = models.CharField(_("surname"), max_length=100)
    given_name = models.CharField(_("name"), max_length=100)
    middle_name = models.CharField(_("patronymic"), max_length=100, blank=True)
    voting_id = models.CharField(_("number in the voting system"), max_length=20, blank=True)
    faction = models.ForeignKey(Faction, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.SET_NULL, related_name="deputies")
    commissions = models.ManyToManyField(Commission, blank=True, related_name="members")
    reception_address = models.CharField(_("reception address"), max_length=300, blank=True)
    reception_hours = models.CharField(_("reception hours"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)

    class Meta:
        ordering = ["family_name", "given_name"]

    def __str__(self) -> str:
        return " ".join(p for p in (self.family_name, self.given_name, self.middle_name) if p)


class Motion(models.Model):
    """An agenda question put to the vote; ``uid`` as in the standard: session date + item number."""

    uid = models.CharField(max_length=60, unique=True)
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=1000)
    body = models.CharField(_("body"), max_length=200, default="council")  # council or a commission name

    class Meta:
        ordering = ["-date", "uid"]

    def __str__(self) -> str:
        return self.title


class VoteEvent(models.Model):
    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="vote_events")
    start_date = models.DateTimeField()
    result = models.CharField(max_length=10, choices=[("pass", _("adopted")), ("fail", _("not adopted"))])
    source = models.CharField(max_length=100, default="session")

    class Meta:
        ordering = ["-start_date"]


class DeputyVote(models.Model):
    event = models.ForeignKey(VoteEvent, on_delete=models.CASCADE, related_name="votes")
    deputy = models.ForeignKey(Deputy, on_delete=models.CASCADE, related_name="votes")
    option = models.CharField(max_length=12, choices=OPTIONS)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "deputy"], name="one_vote_per_deputy_per_event")]


class AnnualReport(models.Model):
    deputy = models.ForeignKey(Deputy, on_delete=models.CASCADE, related_name="reports")
    year = models.PositiveIntegerField(_("year"))
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["deputy", "year"], name="one_report_per_year")]
