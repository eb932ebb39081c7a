"""/api/meetings/: deputies act by signature (the signature is the authorisation); staff run the meeting."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import Field, field_validator

from server_stub.core.api import ApiError, errors, found
from server_stub.core.roles import staff_auth
from server_stub.core.safeinput import http_url
from server_stub.council.models import Commission, Deputy

from . import services
from .models import AgendaItem, Meeting
from .signers import canonical

router = Router(tags=["meetings"])


class MeetingIn(Schema):
    commission: int
    title: str = Field(min_length=3, max_length=300)
    starts_at: datetime
    video_url: str = Field("", max_length=200)
    agenda: list[str] = Field(min_length=1)

    @field_validator("video_url")
    @classmethod
    def _http_only(cls, value: str) -> str:
        return http_url(value)


class SignedIn(Schema):
    deputy: int
    signature: str = Field(max_length=400)


class BallotIn(SignedIn):
    option: Literal["yes", "no", "abstain"]


def _meeting(pk: int) -> Meeting:
    return found(Meeting.objects.select_related("commission").filter(pk=pk).first(), f"Meeting {pk} is not known")


def _item(m: Meeting, pos: int) -> AgendaItem:
    return found(m.items.filter(position=pos).first(), f"Agenda item {pos} is not known")


def _deputy(pk: int) -> Deputy:
    return found(Deputy.objects.select_related("signer_key").filter(pk=pk).first(), f"Deputy {pk} is not known")


def _item_step(pk: int, pos: int, step: Callable[[AgendaItem], object]) -> dict[str, Any]:
    """Open or close voting on item ``pos`` of meeting ``pk``; the meeting as it is then."""
    m = _meeting(pk)
    step(_item(m, pos))
    return meeting_dict(m)


def meeting_dict(m: Meeting) -> dict[str, Any]:
    return {"id": m.pk, "commission": m.commission.name, "title": m.title, "starts_at": m.starts_at.isoformat(),
            "video_url": m.video_url, "status": m.status, "quorum": services.quorum(m),
            "present": [a.deputy_id for a in m.attendance.all()],
            "agenda": [{"position": i.position, "title": i.title, "status": i.status, "result": i.result or None,
                        "vote_event": i.vote_event_id} for i in m.items.all()]}


@router.get("/", auth=None, summary="Meetings")
def meetings(request: HttpRequest) -> list[dict[str, Any]]:
    return [meeting_dict(m) for m in Meeting.objects.select_related("commission")]


@router.post("/", auth=staff_auth("run_meetings"), response={201: dict, **errors(401, 403, 404, 422)},
             summary="Schedule a meeting with its agenda (staff)")
def create(request: HttpRequest, body: MeetingIn) -> tuple[int, dict[str, Any]]:
    c = found(Commission.objects.filter(pk=body.commission).first(), "Commission not known")
    m = Meeting.objects.create(commission=c, title=body.title, starts_at=body.starts_at, video_url=body.video_url,
                               nonce=secrets.token_hex(16))
    AgendaItem.objects.bulk_create([AgendaItem(meeting=m, position=i + 1, title=t) for i, t in enumerate(body.agenda)])
    return 201, meeting_dict(m)


@router.get("/{pk}", auth=None, response={200: dict, **errors(404)}, summary="Meeting with the live quorum")
def detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    return meeting_dict(_meeting(pk))


@router.get("/{pk}/to-sign", auth=None, response={200: dict, **errors(404)},
            summary="The exact bytes a deputy signs (registration or a ballot)")
def to_sign(request: HttpRequest, pk: int, deputy: int, item: int | None = None,
            option: str | None = None) -> dict[str, Any]:
    m = _meeting(pk)
    payload = services.register_payload(m, deputy) if item is None else \
        services.ballot_payload(_item(m, item), deputy, option or "")
    return {"payload": canonical(payload).decode()}


@router.post("/{pk}/register", auth=None, response={201: dict, **errors(403, 404, 409, 422)},
             summary="Register as a participant by signature")
def register(request: HttpRequest, pk: int, body: SignedIn) -> tuple[int, dict[str, Any]]:
    m = _meeting(pk)
    services.register(m, _deputy(body.deputy), body.signature)
    return 201, {"quorum": services.quorum(m)}


@router.post("/{pk}/items/{pos}/open", auth=staff_auth("run_meetings"), response={200: dict, **errors(401, 403, 404, 409)},
             summary="Start voting on an item (needs quorum)")
def open_item(request: HttpRequest, pk: int, pos: int) -> dict[str, Any]:
    return _item_step(pk, pos, services.open_item)


@router.post("/{pk}/items/{pos}/ballots", auth=None, response={201: dict, **errors(403, 404, 409, 422)},
             summary="Cast a signed vote")
def ballot(request: HttpRequest, pk: int, pos: int, body: BallotIn) -> tuple[int, dict[str, Any]]:
    m = _meeting(pk)
    b = services.cast(_item(m, pos), _deputy(body.deputy), body.option, body.signature)
    return 201, {"ballot": b.pk, "option": b.option}


@router.post("/{pk}/items/{pos}/close", auth=staff_auth("run_meetings"), response={200: dict, **errors(401, 403, 404, 409)},
             summary="Close voting; the result goes to the roll-call votes")
def close_item(request: HttpRequest, pk: int, pos: int) -> dict[str, Any]:
    return _item_step(pk, pos, services.close_item)


@router.get("/{pk}/ballots", auth=None, response={200: list[dict], **errors(404)},
            summary="Every signed ballot with payload, signature and public key (verify it yourself)")
def ballots(request: HttpRequest, pk: int) -> list[dict[str, Any]]:
    m = _meeting(pk)
    from .models import Ballot

    return [{"item": b.item.position, "deputy": b.deputy_id, "option": b.option, "payload": b.payload,
             "signature": b.signature, "public_key": b.deputy.signer_key.public_key}
            for b in Ballot.objects.filter(item__meeting=m).select_related("item", "deputy__signer_key")]


@router.get("/{pk}/verify", auth=None, response={200: dict, **errors(404)}, summary="Re-verify every signature")
def verify(request: HttpRequest, pk: int) -> dict[str, Any]:
    checks = services.verify_all(_meeting(pk))
    return {"all_valid": all(c["valid"] for c in checks), "checks": checks}


@router.post("/{pk}/close", auth=staff_auth("run_meetings"), response={200: dict, **errors(401, 403, 404, 409)},
             summary="Close the meeting and generate the minutes")
def close(request: HttpRequest, pk: int) -> dict[str, Any]:
    m = _meeting(pk)
    services.close(m)
    return meeting_dict(m)


@router.get("/{pk}/minutes.pdf", auth=None, response={200: None, **errors(404)}, summary="Minutes (PDF)")
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    m = _meeting(pk)
    if not m.minutes_pdf:
        raise ApiError(404, "not_found", "The minutes appear when the meeting is closed")
    return HttpResponse(bytes(m.minutes_pdf), content_type="application/pdf")
