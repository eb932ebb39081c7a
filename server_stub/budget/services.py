"""Rules of the participatory budget: phases in order, review with reasons, votes within the city's limit
(``BUDGET_VOTE_RULE``: "projects" = at most BUDGET_VOTES_PER_PERSON projects; "budget" = the total cost of
one's chosen projects within the cycle's budget), paper ballots, winners within the budget.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from server_stub.core import identity
from server_stub.core.identity import Identity
from server_stub.core.refusal import Refused

from .models import PHASES, Cycle, Milestone, Project, Vote

ORDER = [p for p, _ in PHASES]


class BudgetError(Refused):
    """A rule of the participatory budget refuses the action (409 unless said)."""

    def __init__(self, code: str, message: str, status: int = 409):
        super().__init__(status, code, message)


def set_phase(cycle: Cycle, phase: str) -> None:
    if phase not in ORDER or ORDER.index(phase) != ORDER.index(cycle.phase) + 1:
        raise BudgetError("wrong_phase", f"after {cycle.phase} comes {ORDER[min(ORDER.index(cycle.phase) + 1, 4)]}")
    with transaction.atomic():
        if phase == "implementation":
            winners = {p.pk for p, _ in select_winners(cycle)}
            for p in cycle.projects.filter(status="accepted"):
                p.status = "winner" if p.pk in winners else "not_selected"
                p.save(update_fields=["status"])
        cycle.phase = phase
        cycle.save(update_fields=["phase"])


def review(p: Project, accept: bool, reason: str) -> None:
    if p.cycle.phase != "review" or p.status != "submitted":
        raise BudgetError("wrong_phase", "projects are reviewed in the review phase")
    if not accept and not reason.strip():
        raise BudgetError("reason_required", "a rejection needs a reason", 422)
    p.status, p.review_reason = ("accepted" if accept else "rejected"), reason
    p.save(update_fields=["status", "review_reason"])


def _within_limit(cycle: Cycle, who: Identity, adding: list[Project]) -> None:
    mine = Vote.objects.filter(_mine(who), cycle=cycle)
    if settings.BUDGET_VOTE_RULE == "budget":
        spent = mine.aggregate(s=Sum("project__cost"))["s"] or Decimal(0)
        if spent + sum((p.cost for p in adding), Decimal(0)) > cycle.total_budget:
            raise BudgetError("over_limit", "the chosen projects cost more than the budget of the cycle")
    elif mine.count() + len(adding) > settings.BUDGET_VOTES_PER_PERSON:
        raise BudgetError("over_limit", f"at most {settings.BUDGET_VOTES_PER_PERSON} projects per person")


def _mine(who: Identity) -> Q:
    keys = {who.identity_key, who.name_key}
    return Q(person_key__in=keys) | Q(name_key__in=keys)


def _first_voice(cycle: Cycle, who: Identity) -> str:
    first = Vote.objects.filter(_mine(who), cycle=cycle).order_by("created_at", "pk").first()
    if first is None:
        return identity.first_voice(False, "", None)
    return identity.first_voice(first.paper, first.place,
                                first.paper_date or timezone.localtime(first.created_at).date())


def vote(p: Project, resident: Any) -> Vote:
    """An online vote; refused when the person voted for this project, or cast a paper ballot this cycle."""
    cycle = p.cycle
    if cycle.phase != "voting" or p.status != "accepted":
        raise BudgetError("not_voting", "this project is not open for voting")
    try:
        who = identity.of_resident(resident, "budget")
    except identity.Refused as err:
        raise BudgetError(err.code, err.message, 403) from err
    try:
        with transaction.atomic():
            Cycle.objects.select_for_update().get(pk=cycle.pk)  # one voter's limit checked under the cycle's lock
            earlier = Vote.objects.filter(_mine(who), cycle=cycle)
            if earlier.filter(Q(paper=True) | Q(project=p)).exists():
                raise BudgetError("already_voted", _first_voice(cycle, who))
            _within_limit(cycle, who, [p])
            return Vote.objects.create(project=p, cycle=cycle, person_key=who.identity_key, name_key=who.name_key,
                                       resident=resident)
    except IntegrityError as err:
        raise BudgetError("already_voted", _first_voice(cycle, who)) from err


def add_paper(cycle: Cycle, ballots: list[dict[str, Any]], by: Any, place: str) -> dict[str, Any]:
    """Paper ballots taken at ``place``: one per person (server_stub/core/identity.py); a person who voted
    online, or on paper before, is a duplicate, refused with where that first voice came from."""
    if cycle.phase != "voting":
        raise BudgetError("not_voting", "paper ballots are entered during the voting phase")
    accepted, duplicates, invalid, refused = 0, [], [], []
    with transaction.atomic():
        Cycle.objects.select_for_update().get(pk=cycle.pk)
        for i, b in enumerate(ballots):
            try:
                who = identity.of_paper(b, "budget")
            except identity.Refused as err:
                refused.append({"row": i, "code": err.code, "message": err.message})
                continue
            if Vote.objects.filter(_mine(who), cycle=cycle).exists():
                duplicates.append(i)
                refused.append({"row": i, "code": "duplicate", "message": _first_voice(cycle, who)})
                continue
            projects = list(cycle.projects.filter(pk__in=b["projects"], status="accepted"))
            if len(projects) != len(set(b["projects"])) or not projects:
                invalid.append(i)
                continue
            try:
                _within_limit(cycle, who, projects)
                with transaction.atomic():
                    Vote.objects.bulk_create([Vote(project=p, cycle=cycle, person_key=who.identity_key,
                                                   name_key=who.name_key, paper=True, place=place,
                                                   paper_date=b.get("dated") or timezone.localdate(), entered_by=by)
                                              for p in projects])
            except BudgetError:
                invalid.append(i)
                continue
            except IntegrityError:
                duplicates.append(i)
                refused.append({"row": i, "code": "duplicate", "message": _first_voice(cycle, who)})
                continue
            accepted += 1
    return {"accepted": accepted, "duplicates": duplicates, "invalid": invalid, "refused": refused}


def results(cycle: Cycle) -> list[tuple[Project, int]]:
    qs = cycle.projects.filter(status__in=("accepted", "winner", "not_selected", "done"))\
        .annotate(n=Count("votes")).order_by("-n", "cost", "pk")
    return [(p, p.n) for p in qs]


def select_winners(cycle: Cycle) -> list[tuple[Project, int]]:
    """Most votes first while the money lasts (a project that does not fit is skipped)."""
    left, out = cycle.total_budget, []
    for p, n in results(cycle):
        if n > 0 and p.cost <= left:
            out.append((p, n))
            left -= p.cost
    return out


def add_milestone(p: Project, date: Any, title: str, progress: int) -> Milestone:
    if p.status not in ("winner", "done"):
        raise BudgetError("not_winner", "milestones are tracked for winning projects")
    m = Milestone.objects.create(project=p, date=date, title=title, progress=min(100, max(0, progress)))
    p.progress = m.progress
    p.status = "done" if m.progress >= 100 else "winner"
    p.save(update_fields=["progress", "status"])
    return m


def project_dict(p: Project, votes: int | None = None) -> dict[str, Any]:
    return {"id": p.pk, "cycle": p.cycle.year, "title": p.title, "description": p.description,
            "category": p.category, "location": p.location, "cost": str(p.cost), "status": p.status,
            "review_reason": p.review_reason, "progress": p.progress, "photo": p.photo.url if p.photo else None,
            "votes": votes if votes is not None else p.votes.count(),
            "milestones": [{"date": m.date.isoformat(), "title": m.title, "progress": m.progress,
                            "photo": m.photo.url if m.photo else None} for m in p.milestones.all()]}
