"""/api/budget/: cycles, projects, review, votes, paper ballots, results, implementation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from django.core.files.base import ContentFile
from django.http import HttpRequest
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from server_stub.core.api import ApiError, errors, found
from server_stub.core.refusal import refuse_unless
from server_stub.core.roles import staff_auth
from server_stub.core.uploads import ImageRejected, reencode_image
from server_stub.petitions.access import PaperBatch, PaperPerson, resident_auth

from . import services
from .models import CATEGORIES, Cycle, Project

router = Router(tags=["participatory budget"])


class CycleIn(Schema):
    year: int = Field(ge=2000, le=2100)
    total_budget: Decimal = Field(gt=0, max_digits=14, decimal_places=2)


class PhaseIn(Schema):
    phase: Literal["review", "voting", "implementation", "closed"]


class ProjectIn(Schema):
    title: str = Field(min_length=5, max_length=200)
    description: str = Field(min_length=10)
    category: Literal[tuple(k for k, _ in CATEGORIES)]  # type: ignore[valid-type]
    location: str = Field(min_length=3, max_length=300)
    cost: Decimal = Field(gt=0, max_digits=14, decimal_places=2)


class ReviewIn(Schema):
    decision: Literal["accept", "reject"]
    reason: str = ""


class PaperBallot(PaperPerson):
    projects: list[int] = Field(min_length=1)
    dated: date | None = None  # the date on the ballot (default: today)


class PaperIn(PaperBatch):
    ballots: list[PaperBallot] = Field(min_length=1, max_length=5000)


class MilestoneIn(Schema):
    date: date
    title: str = Field(min_length=3)
    progress: int = Field(ge=0, le=100)


def _cycle(year: int) -> Cycle:
    return found(Cycle.objects.filter(year=year).first(), f"No participatory budget for {year}")


def _project(pk: int) -> Project:
    return found(Project.objects.select_related("cycle").filter(pk=pk).first(), f"Project {pk} is not known")


def cycle_dict(c: Cycle) -> dict[str, Any]:
    winners = {p.pk for p, _ in services.select_winners(c)} if c.phase in ("voting", "implementation", "closed") \
        else set()
    return {"year": c.year, "total_budget": str(c.total_budget), "phase": c.phase,
            "rule": {"kind": services.settings.BUDGET_VOTE_RULE,
                     "votes_per_person": services.settings.BUDGET_VOTES_PER_PERSON},
            "results": [{**services.project_dict(p, n), "within_budget": p.pk in winners}
                        for p, n in services.results(c)]}


@router.get("/cycles", auth=None, summary="Cycles")
def cycles(request: HttpRequest) -> list[dict[str, Any]]:
    return [cycle_dict(c) for c in Cycle.objects.all()]


@router.post("/cycles", auth=staff_auth("manage_budget"), response={201: dict, **errors(401, 403, 409)}, summary="New cycle (staff)")
def create_cycle(request: HttpRequest, body: CycleIn) -> tuple[int, dict[str, Any]]:
    if Cycle.objects.filter(year=body.year).exists():
        raise ApiError(409, "conflict", f"{body.year} exists")
    return 201, cycle_dict(Cycle.objects.create(year=body.year, total_budget=body.total_budget))


@router.get("/cycles/{year}", auth=None, response={200: dict, **errors(404)}, summary="A cycle with results")
def cycle(request: HttpRequest, year: int) -> dict[str, Any]:
    return cycle_dict(_cycle(year))


@router.post("/cycles/{year}/phase", auth=staff_auth("manage_budget"), response={200: dict, **errors(401, 403, 404, 409)},
             summary="Move to the next phase (staff); implementation selects the winners")
def phase(request: HttpRequest, year: int, body: PhaseIn) -> dict[str, Any]:
    c = _cycle(year)
    services.set_phase(c, body.phase)
    return cycle_dict(c)


@router.get("/cycles/{year}/projects", auth=None, response={200: list[dict], **errors(404)}, summary="Projects")
def projects(request: HttpRequest, year: int) -> list[dict[str, Any]]:
    return [services.project_dict(p) for p in _cycle(year).projects.exclude(status="submitted")]


@router.post("/cycles/{year}/projects", auth=resident_auth, response={201: dict, **errors(401, 403, 404, 409, 422)},
             summary="Submit a project (verified residents, submission phase)")
def submit(request: HttpRequest, year: int, body: ProjectIn) -> tuple[int, dict[str, Any]]:
    c = _cycle(year)
    refuse_unless(c.phase == "submission", "wrong_phase", "projects are submitted in the submission phase")
    p = Project.objects.create(cycle=c, author=request.user.resident, **body.dict())
    return 201, services.project_dict(p)


@router.post("/projects/{pk}/photo", auth=resident_auth, response={200: dict, **errors(401, 403, 404, 422)},
             summary="Attach a photo to my project")
def photo(request: HttpRequest, pk: int, file: UploadedFile = File(...)) -> dict[str, Any]:  # noqa: B008
    p = _project(pk)
    if p.author_id != request.user.resident.pk:
        raise ApiError(403, "forbidden", "only the author adds photos")
    clean = _clean_image(file)
    p.photo.save(clean.name, clean)
    return services.project_dict(p)


def _clean_image(file: UploadedFile) -> ContentFile[bytes]:
    """The upload re-encoded under a server-made name (server_stub.core.uploads), or 422."""
    try:
        return reencode_image(file)
    except ImageRejected as err:
        raise ApiError(422, "validation_error", err.reason) from err


@router.post("/projects/{pk}/review", auth=staff_auth("manage_budget"), response={200: dict, **errors(401, 403, 404, 409, 422)},
             summary="Admit to the vote or reject with a reason (staff)")
def review(request: HttpRequest, pk: int, body: ReviewIn) -> dict[str, Any]:
    p = _project(pk)
    services.review(p, body.decision == "accept", body.reason)
    return services.project_dict(p)


@router.post("/projects/{pk}/vote", auth=resident_auth, response={201: dict, **errors(401, 403, 404, 409)},
             summary="Vote for a project (within the city's limit)")
def vote(request: HttpRequest, pk: int) -> tuple[int, dict[str, Any]]:
    p = _project(pk)
    services.vote(p, request.user.resident)
    return 201, services.project_dict(p)


@router.post("/cycles/{year}/paper", auth=staff_auth("enter_paper"), response={200: dict, **errors(401, 403, 404, 409)},
             summary="Enter paper ballots (operator)")
def paper(request: HttpRequest, year: int, body: PaperIn) -> dict[str, Any]:
    return services.add_paper(_cycle(year), [b.dict() for b in body.ballots], request.user, body.place.strip())


@router.post("/projects/{pk}/milestones/{index}/photo", auth=staff_auth("manage_budget"),
             response={200: dict, **errors(401, 403, 404, 422)}, summary="Attach a photo to a milestone (staff)")
def milestone_photo(request: HttpRequest, pk: int, index: int,
                    file: UploadedFile = File(...)) -> dict[str, Any]:  # noqa: B008
    p = _project(pk)
    ms = list(p.milestones.all())
    if not 1 <= index <= len(ms):
        raise ApiError(404, "not_found", f"Milestone {index} is not known")
    clean = _clean_image(file)
    m = ms[index - 1]
    m.photo.save(clean.name, clean)
    return services.project_dict(p)


@router.post("/projects/{pk}/milestones", auth=staff_auth("manage_budget"), response={201: dict, **errors(401, 403, 404, 409)},
             summary="Record implementation progress (staff)")
def milestone(request: HttpRequest, pk: int, body: MilestoneIn) -> tuple[int, dict[str, Any]]:
    p = _project(pk)
    services.add_milestone(p, body.date, body.title, body.progress)
    return 201, services.project_dict(p)
