"""/api/council/: deputies, districts, decisions with roll-call votes; Popolo and the open data standard."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import Field

from server_stub.core import limits
from server_stub.core.api import ApiError, errors, found
from server_stub.core.roles import staff_auth

from . import services
from .models import AnnualReport, Commission, Deputy, Faction, VoteEvent

router = Router(tags=["council"])


class StandardIn(Schema):
    motions_csv: str
    votings_csv: str


class ReportIn(Schema):
    year: int = Field(ge=1990, le=2100)
    text: str = Field(min_length=3, max_length=50000)


def deputy_dict(d: Deputy) -> dict[str, Any]:
    return {"id": d.pk, "name": str(d), "faction": d.faction.name if d.faction else None,
            "district": d.district.number if d.district else None,
            "commissions": [c.name for c in d.commissions.all()], "reception_address": d.reception_address,
            "reception_hours": d.reception_hours, "phone": d.phone,
            "reports": [{"year": r.year, "text": r.text} for r in d.reports.all()]}


@router.get("/deputies", auth=None, summary="Deputies")
def deputies(request: HttpRequest) -> list[dict[str, Any]]:
    return [deputy_dict(d) for d in Deputy.objects.select_related("faction", "district").prefetch_related(
        "commissions", "reports")]


@router.get("/deputies/by-address", auth=None, response={200: dict, **errors(404)},
            summary="Find your district's deputy by address")
def by_address(request: HttpRequest, address: str) -> dict[str, Any]:
    district = services.find_district(address)
    if district is None:
        raise ApiError(404, "not_found", "No district lists this street")
    return {"district": district.number, "deputies": [deputy_dict(d) for d in district.deputies.all()]}


@router.get("/deputies/{pk}", auth=None, response={200: dict, **errors(404)}, summary="One deputy")
def deputy(request: HttpRequest, pk: int) -> dict[str, Any]:
    d = found(Deputy.objects.filter(pk=pk).first(), f"Deputy {pk} is not known")
    return {**deputy_dict(d), "votes": [{"vote_event": v.event_id, "motion": v.event.motion.title,
                                          "option": v.option} for v in d.votes.select_related("event__motion")]}


@router.post("/deputies/{pk}/reports", auth=staff_auth("publish_council"), response={201: dict, **errors(401, 403, 404, 409)},
             summary="Publish a deputy's annual report (staff)")
def add_report(request: HttpRequest, pk: int, body: ReportIn) -> tuple[int, dict[str, Any]]:
    d = found(Deputy.objects.filter(pk=pk).first(), f"Deputy {pk} is not known")
    if AnnualReport.objects.filter(deputy=d, year=body.year).exists():
        raise ApiError(409, "conflict", f"The report for {body.year} is already published")
    AnnualReport.objects.create(deputy=d, year=body.year, text=body.text)
    return 201, deputy_dict(d)


@router.get("/factions", auth=None, summary="Factions and commissions with members")
def factions(request: HttpRequest) -> dict[str, Any]:
    return {"factions": [{"name": f.name, "members": [str(m) for m in f.members.all()]} for f in Faction.objects.all()],
            "commissions": [{"id": c.pk, "name": c.name, "members": [str(m) for m in c.members.all()]}
                            for c in Commission.objects.all()]}


@router.get("/vote-events", auth=None, summary="Decisions with their roll-call votes (Popolo vote_event)")
def vote_events(request: HttpRequest) -> list[dict[str, Any]]:
    return [services.popolo_event(e) for e in VoteEvent.objects.select_related("motion")]


@router.get("/vote-events/{pk}", auth=None, response={200: dict, **errors(404)}, summary="One vote event (Popolo)")
def vote_event(request: HttpRequest, pk: int) -> dict[str, Any]:
    e = found(VoteEvent.objects.select_related("motion").filter(pk=pk).first(), f"Vote event {pk} is not known")
    return services.popolo_event(e)


@router.get("/popolo.json", auth=None, summary="Everything as Popolo JSON")
def popolo(request: HttpRequest) -> HttpResponse:
    return HttpResponse(json.dumps(services.popolo_all(), ensure_ascii=False), content_type="application/json")


@router.get("/standard/{resource}.csv", auth=None, response={200: None, **errors(404)},
            summary="Open data standard: motions, votings, deputies")
def standard(request: HttpRequest, resource: str) -> HttpResponse:
    fn = {"motions": services.standard_motions, "votings": services.standard_votings,
          "deputies": services.standard_deputies}.get(resource)
    if fn is None:
        raise ApiError(404, "not_found", "motions, votings or deputies")
    resp = HttpResponse(fn(), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="{resource}.csv"'
    return resp


@router.post("/import/popolo", auth=staff_auth("publish_council"), response={201: dict, **errors(401, 403, 422)},
             summary="Import vote events as Popolo JSON (staff)")
def import_popolo(request: HttpRequest) -> tuple[int, dict[str, Any]]:
    try:
        events = services.import_popolo(limits.loads(request.body))  # TooDeep is a ValueError
    except (ValueError, KeyError, TypeError) as err:
        raise ApiError(422, "validation_error", f"not importable: {err}") from err
    return 201, {"imported": [e.pk for e in events]}


@router.post("/import/standard", auth=staff_auth("publish_council"), response={201: dict, **errors(401, 403, 422)},
             summary="Import a session in the open data standard (motions + votings CSV, staff)")
def import_standard(request: HttpRequest, body: StandardIn) -> tuple[int, dict[str, Any]]:
    try:
        n = services.import_standard(body.motions_csv, body.votings_csv)
    except (ValueError, KeyError) as err:
        raise ApiError(422, "validation_error", f"not importable: {err}") from err
    return 201, {"motions": n}
