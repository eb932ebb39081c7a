"""/api/petitions/: the whole life cycle as JSON (residents by BankID session, staff by staff session)."""

from __future__ import annotations

import io
import json
from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from pydantic import Field

from server_stub.core.api import ApiError, errors
from server_stub.core.roles import can, staff_auth
from server_stub.core.safeinput import csv_writer

from . import services
from .access import PaperBatch, PaperPerson, resident_auth
from .models import REJECT_REASONS, Petition, Signature

router = Router(tags=["petitions"])
PUBLIC = ("collecting", "review", "answered", "appeal")


class PetitionIn(Schema):
    title: str = Field(min_length=5, max_length=200)
    text: str = Field(min_length=20, max_length=10000)


class ModerateIn(Schema):
    action: Literal["publish", "reject"]
    reason: Literal[tuple(k for k, _ in REJECT_REASONS)] | None = None  # type: ignore[valid-type]
    note: str = Field("", max_length=1000)


class SignIn(Schema):
    email: str = Field("", max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")
    notify: list[Literal["review", "answered", "appeal"]] = []


class PaperRow(PaperPerson):
    signed_at: datetime


class PaperIn(PaperBatch):
    signatures: list[PaperRow] = Field(min_length=1, max_length=5000)


class Refusal(Schema):
    row: int
    code: str
    message: str


class PaperOut(Schema):
    accepted: int
    duplicates: list[int]
    outside_period: list[int]
    refused: list[Refusal]
    signatures: int


class ResponseIn(Schema):
    text: str = Field(min_length=5, max_length=20000)


class SignerOut(Schema):
    name: str
    signed_at: str
    paper: bool


def _get(pk: int, public: bool = True) -> Petition:
    p = Petition.objects.select_related("author").filter(pk=pk).first()
    if p is None or (public and p.status not in PUBLIC):
        raise ApiError(404, "not_found", f"Petition {pk} is not published")
    return p


@router.get("", auth=None, summary="Published petitions")
def list_petitions(request: HttpRequest, status: str | None = None) -> list[dict[str, Any]]:
    qs = Petition.objects.select_related("author").filter(status__in=PUBLIC)
    if status:
        qs = qs.filter(status=status)
    return [services.as_dict(p) for p in qs]


@router.post("", auth=resident_auth, response={201: dict, **errors(401, 403, 422)}, summary="Submit a petition")
def create(request: HttpRequest, body: PetitionIn) -> tuple[int, dict[str, Any]]:
    p = Petition.objects.create(title=body.title.strip(), text=body.text.strip(), author=request.user.resident)
    return 201, services.as_dict(p)


@router.get("/moderation", auth=staff_auth("moderate_petitions"), summary="Petitions awaiting moderation (staff)")
def moderation_queue(request: HttpRequest) -> list[dict[str, Any]]:
    from server_stub.cabinet.services import log_access

    pending = list(Petition.objects.select_related("author").filter(status="moderation"))
    log_access({p.author for p in pending}, request.user.get_username(), "модерація петицій (автор петиції)")
    return [services.as_dict(p) for p in pending]


@router.get("/export.json", auth=None, summary="All published petitions (JSON)")
def export_all_json(request: HttpRequest) -> HttpResponse:
    data = [services.as_dict(p) for p in Petition.objects.select_related("author").filter(status__in=PUBLIC)]
    return HttpResponse(json.dumps(data, ensure_ascii=False, indent=1), content_type="application/json")


@router.get("/export.csv", auth=None, summary="All published petitions (CSV)")
def export_all_csv(request: HttpRequest) -> HttpResponse:
    rows = [services.as_dict(p) for p in Petition.objects.select_related("author").filter(status__in=PUBLIC)]
    return _csv(rows, ["id", "title", "status", "author", "published_at", "ends_at", "threshold", "signatures",
                       "review_sent_at", "appeal_index", "responded_at"], "petitions.csv")


def _csv(rows: list[dict[str, Any]], cols: list[str], name: str) -> HttpResponse:
    buf = io.StringIO()
    w = csv_writer(buf)
    w.writerow(cols)
    for r in rows:
        w.writerow(["" if r.get(c) is None else r.get(c) for c in cols])
    resp = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


@router.get("/{pk}", auth=None, response={200: dict, **errors(404)}, summary="One petition with progress")
def detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    p = Petition.objects.select_related("author").filter(pk=pk).first()
    user = request.user
    if p is None or (p.status not in PUBLIC and not (user.is_authenticated and (
            can(user, "moderate_petitions") or getattr(getattr(user, "resident", None), "pk", None) == p.author_id))):
        raise ApiError(404, "not_found", f"Petition {pk} is not published")
    return services.as_dict(p)


@router.post("/{pk}/moderate", auth=staff_auth("moderate_petitions"), response={200: dict, **errors(401, 403, 404, 409, 422)},
             summary="Publish or reject with a reason (staff)")
def moderate(request: HttpRequest, pk: int, body: ModerateIn) -> dict[str, Any]:
    p = get_object_or_404(Petition, pk=pk)
    if body.action == "publish":
        services.publish(p, request.user)
    else:
        if not body.reason:
            raise ApiError(422, "validation_error", "a rejection needs a reason")
        services.reject(p, request.user, body.reason, body.note)
    return services.as_dict(p)


@router.post("/{pk}/signature", auth=resident_auth, response={201: dict, **errors(401, 403, 404, 409)},
             summary="Sign (one signature per person)")
def sign(request: HttpRequest, pk: int, body: SignIn) -> tuple[int, dict[str, Any]]:
    p = _get(pk)
    s = services.sign(p, request.user.resident, body.email.strip(), list(body.notify))
    return 201, {"petition": p.pk, "signed_at": s.signed_at.isoformat(), "signatures": services.counted(p)}


@router.delete("/{pk}/signature", auth=resident_auth, response={200: dict, **errors(401, 403, 404, 409)},
               summary="Withdraw my signature")
def withdraw(request: HttpRequest, pk: int) -> dict[str, Any]:
    p = _get(pk)
    services.withdraw(p, request.user.resident)
    return {"petition": p.pk, "withdrawn": True, "signatures": services.counted(p)}


@router.get("/{pk}/signatures", auth=None, response={200: list[SignerOut], **errors(404)},
            summary="Public list of signers")
def signers(request: HttpRequest, pk: int) -> list[dict[str, Any]]:
    p = _get(pk)
    return [{"name": s.public_name, "signed_at": s.signed_at.isoformat(), "paper": s.paper}
            for s in Signature.objects.filter(petition=p)]


@router.post("/{pk}/paper", auth=staff_auth("enter_paper"), response={200: PaperOut, **errors(401, 403, 404, 409, 422)},
             summary="Enter paper signatures (operator); de-duplicated against online ones")
def paper(request: HttpRequest, pk: int, body: PaperIn) -> dict[str, Any]:
    p = _get(pk)
    res = services.add_paper(p, [r.dict() for r in body.signatures], request.user, body.place.strip())
    return {"accepted": res.accepted, "duplicates": res.duplicates, "outside_period": res.outside_period,
            "refused": res.refused, "signatures": services.counted(p)}


@router.post("/{pk}/response", auth=staff_auth("respond_petitions"), response={200: dict, **errors(401, 403, 404, 409, 422)},
             summary="Publish the council's response (staff)")
def response(request: HttpRequest, pk: int, body: ResponseIn) -> dict[str, Any]:
    p = _get(pk)
    services.respond(p, body.text)
    return services.as_dict(p)


@router.get("/{pk}/jobs", auth=None, response={200: list[dict], **errors(404)}, summary="What the jobs did")
def jobs(request: HttpRequest, pk: int) -> list[dict[str, Any]]:
    p = _get(pk)
    return [{"action": j.action, "at": j.at.isoformat(), "detail": j.detail} for j in p.job_runs.all()]


@router.get("/{pk}/export.json", auth=None, response={200: None, **errors(404)},
            summary="One petition with its signers (JSON); 404 unless published")
def export_json(request: HttpRequest, pk: int) -> HttpResponse:
    p = _get(pk)
    data = {**services.as_dict(p), "signers": signers(request, pk)}
    return HttpResponse(json.dumps(data, ensure_ascii=False, indent=1), content_type="application/json")


@router.get("/{pk}/export.csv", auth=None, response={200: None, **errors(404)},
            summary="Signers of one petition (CSV); 404 unless published")
def export_csv(request: HttpRequest, pk: int) -> HttpResponse:
    rows = signers(request, pk)
    return _csv(rows, ["name", "signed_at", "paper"], f"petition-{pk}-signers.csv")

