"""/api/terminal/v1/: the wire contract of docs/terminal-api.md."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Header, Query, Router, Schema
from ninja.security import HttpBearer
from pydantic import StringConstraints, field_validator

from server_stub.core import numbers
from server_stub.core.api import ApiError, ensure_storable, error_response, errors, found

from . import access, services
from .models import Answer, AppealStatus, Terminal


class TerminalAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Terminal | None:
        terminal = services.authenticate(token)
        if terminal is not None:
            request.terminal = terminal  # type: ignore[attr-defined]
        return terminal


router = Router(auth=TerminalAuth(), tags=["terminal"])

DeviceStateName = Literal["ready", "busy", "warning", "fault", "offline", "unknown"]


class DeviceIn(Schema):
    device: str = Field(..., min_length=1, max_length=64)
    state: DeviceStateName = "unknown"
    detail: str = Field("", max_length=200)
    consumables: dict[str, float | str | None] = {}
    last_error: dict[str, Any] | None = None


class OldestIn(Schema):
    number: str = Field(..., max_length=16)
    since: datetime | None = None


class ErrorItemIn(Schema):
    at: datetime | None = None
    device: str = Field("", max_length=64)
    code: str = Field("", max_length=64)
    message: str = Field("", max_length=500)


def _utc(value: datetime | None) -> datetime | None:
    """Timestamps must carry an offset and lie in 2000..2099; stored in UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("a time zone offset is required (e.g. 2026-11-28T21:50:00Z)")
    value = value.astimezone(UTC)
    if not 2000 <= value.year <= 2099:
        raise ValueError("out of range (years 2000-2099)")
    return value


class LastUpdateIn(Schema):
    result: Literal["installed", "nothing", "failed", "running", "unknown"] = "unknown"
    at: datetime | None = None
    detail: str = Field("", max_length=400)
    packages: list[Annotated[str, StringConstraints(max_length=100)]] = Field([], max_length=20)


class PackageIn(Schema):
    """The terminal's own software (sync_agent/updates.py): installed, offered, the last upgrade run."""

    name: str = Field(..., min_length=1, max_length=64)
    installed: str = Field("", max_length=64)
    candidate: str = Field("", max_length=64)
    pending: bool = False
    last_update: LastUpdateIn | None = None


class HeartbeatIn(Schema):
    sent_at: datetime

    @field_validator("sent_at")
    @classmethod
    def _sent_at_utc(cls, value: datetime) -> datetime | None:
        return _utc(value)
    app_version: str = Field(..., min_length=1, max_length=64)
    devices: list[DeviceIn] = Field([], max_length=50)
    consumables: dict[str, float | str | None] = {}
    queue_depth: int = Field(0, ge=0, le=10_000_000)
    oldest_undelivered: OldestIn | None = None
    last_errors: list[ErrorItemIn] = Field([], max_length=50)
    package: PackageIn | None = None


class HeartbeatOut(Schema):
    accepted: bool
    duplicate: bool
    server_time: datetime
    heartbeat_interval_s: int


class AnswerOut(Schema):
    id: str
    url: str
    sha256: str
    size: int
    published_at: str
    summary: str


class AppealState(Schema):
    """What the feed and the appeal's own endpoint both say of an appeal."""

    number: str
    display_number: str
    terminal: str
    status: str
    registration_index: str
    registered_at: str | None
    deadline: str | None
    reason: str | None = None
    answer: AnswerOut | None


class FeedItem(AppealState):
    seq: int
    type: Literal["status", "answer"]
    at: str


class FeedOut(Schema):
    items: list[FeedItem]
    next_cursor: str
    has_more: bool


class AppealOut(AppealState):
    overdue: bool
    updated_at: str


EventType = Literal["delivered", "acknowledged", "answer_printed", "sms_sent", "void", "alert"]


class EventIn(Schema):
    type: EventType
    number: str | None = Field(None, max_length=16)
    at: datetime | None = None
    detail: dict[str, Any] = {}
    access_hash: str | None = Field(None, max_length=128,
                                    description="delivered only: the receipt code's salted hash (docs/receipt.md)")

    @field_validator("at")
    @classmethod
    def _at_utc(cls, value: datetime | None) -> datetime | None:
        return _utc(value)


class EventOut(Schema):
    id: int
    duplicate: bool
    received_at: datetime


def _terminal(request: HttpRequest) -> Terminal:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _number(text: str) -> str:
    try:
        return numbers.validate(text)
    except numbers.InvalidNumber as err:
        raise ApiError(422, "invalid_number", str(err)) from err


@router.post("/heartbeat", response={200: HeartbeatOut, **errors(400, 401, 409, 422)}, summary="Send a heartbeat")
def heartbeat(request: HttpRequest, body: HeartbeatIn) -> dict[str, Any]:
    payload = body.model_dump(mode="json")
    ensure_storable(payload)
    try:
        duplicate = services.record_heartbeat(_terminal(request), body.sent_at, payload)
    except services.Conflict as err:
        raise ApiError(409, "idempotency_conflict", str(err)) from err
    return {"accepted": True, "duplicate": duplicate, "server_time": timezone.now(),
            "heartbeat_interval_s": settings.TERMINAL_HEARTBEAT_INTERVAL_S}


_CURSOR = re.compile(r"^\d{0,18}$")


@router.get("/feed", response={200: FeedOut, **errors(401, 422)}, summary="Status changes and answers of this terminal")
def feed(request: HttpRequest, cursor: str = "", limit: int = Query(100, ge=1, le=500)) -> dict[str, Any]:
    if not _CURSOR.match(cursor):
        raise ApiError(422, "validation_error", "cursor must be a value returned as next_cursor",
                       [{"loc": ["query", "cursor"], "msg": "invalid cursor"}])
    start = int(cursor or 0)
    items, last, more = services.feed_page(_terminal(request), start, limit)
    return {"items": items, "next_cursor": str(last), "has_more": more}


def _check_code(request: HttpRequest, number: str, code: str | None) -> None:
    try:
        access.check(number, code, door="terminal", terminal=_terminal(request))
    except access.AccessRefused as err:
        raise ApiError(err.status, err.code, err.message) from err


@router.get("/appeals/{number}", response={200: AppealOut, **errors(401, 403, 404, 422, 429)},
            summary="An appeal's status: this terminal's own, or any with the receipt's access code")
def appeal(request: HttpRequest, number: str,
           access_code: str | None = Header(None, alias="X-Access-Code")) -> dict[str, Any]:
    value = _number(number)
    _check_code(request, value, access_code)
    st = found(AppealStatus.objects.select_related("answer").filter(number=value).first(), f"Appeal {value} is not known")
    return services.appeal_dict(st)


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_PDF_RESPONSE = {"200": {"description": "The answer PDF", "content": {"application/pdf": {"schema": {
    "type": "string", "format": "binary"}}}, "headers": {"X-Content-SHA256": {"schema": {"type": "string"}}}},
    "206": {"description": "A byte range of the answer PDF",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
    "416": {"description": "Range not satisfiable",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}}}


@router.get("/answers/{answer_id}.pdf", response={**errors(401, 403, 404, 429)},
            openapi_extra={"responses": _PDF_RESPONSE},
            summary="Download an answer PDF (Range supported; another terminal's needs the access code)")
def answer_pdf(request: HttpRequest, answer_id: str,
               range_header: str | None = Header(None, alias="Range"),
               if_range: str | None = Header(None, alias="If-Range"),
               access_code: str | None = Header(None, alias="X-Access-Code")) -> HttpResponse:
    answer = Answer.objects.filter(id=answer_id).first() if re.fullmatch(r"[0-9a-f]{32}", answer_id) else None
    if answer is None:
        raise ApiError(404, "not_found", f"Answer {answer_id} is not known")
    _check_code(request, answer.number, access_code)
    data = Path(answer.path).read_bytes()
    size = len(data)
    etag = f'"{answer.sha256}"'
    headers = {"Accept-Ranges": "bytes", "ETag": etag, "X-Content-SHA256": answer.sha256,
               "Content-Disposition": f'attachment; filename="answer-{answer.number}.pdf"'}
    status, body = 200, data
    match = _RANGE.match(range_header.strip()) if range_header else None
    if match and (not if_range or if_range.strip() == etag) and (match.group(1) or match.group(2)):
        first, last = match.group(1), match.group(2)
        if first:
            start, end = int(first), (int(last) if last else size - 1)
        else:
            start, end = max(size - int(last), 0), size - 1
        end = min(end, size - 1)
        if start >= size or start > end:
            return error_response(416, "range_not_satisfiable", f"File has {size} bytes",
                                  headers={"Content-Range": f"bytes */{size}"})
        status, body = 206, data[start:end + 1]
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    response = HttpResponse(body, status=status, content_type="application/pdf")
    for key, value in headers.items():
        response[key] = value
    return response


_KEY = re.compile(r"^[\x21-\x7e]{1,128}$")


@router.post("/events", response={200: EventOut, 201: EventOut, **errors(400, 401, 403, 409, 422)},
             summary="Report delivery, acknowledgement, alerts (Idempotency-Key required)")
def events(request: HttpRequest, body: EventIn,
           idempotency_key: str | None = Header(None, alias="Idempotency-Key")) -> tuple[int, dict[str, Any]]:
    if not idempotency_key or not _KEY.match(idempotency_key):
        raise ApiError(400, "bad_request", "Idempotency-Key header (1-128 printable ASCII characters) is required")
    payload = body.model_dump(mode="json")
    if payload.get("access_hash") is None:
        payload.pop("access_hash", None)        # bodies without it hash as they did before
    ensure_storable(payload)
    if body.number:
        payload["number"] = _number(body.number)
        if numbers.terminal_code(payload["number"]) != _terminal(request).code:
            raise ApiError(403, "forbidden", f"Appeal {numbers.display(payload['number'])} was not filed at this "
                           "terminal: a terminal reports events of its own appeals only")
    elif body.type != "alert":
        raise ApiError(422, "validation_error", f"number is required for {body.type}",
                       [{"loc": ["body", "number"], "msg": "required"}])
    if body.access_hash is not None:
        if body.type != "delivered" or not access.valid_hash(body.access_hash):
            raise ApiError(422, "validation_error", "access_hash: a delivered event's pbkdf2_sha256 hash",
                           [{"loc": ["body", "access_hash"], "msg": "invalid"}])
        if not access.owns(_terminal(request), payload["number"]):
            raise ApiError(403, "forbidden", "access_hash only for this terminal's own appeals")
    try:
        event, duplicate = services.record_event(_terminal(request), idempotency_key, payload)
    except services.Conflict as err:
        raise ApiError(409, "idempotency_conflict", str(err)) from err
    if body.access_hash is not None:           # also on a replay: a crash may have come between the two
        access.store_hash(_terminal(request), payload["number"], body.access_hash)
    return (200 if duplicate else 201), {"id": event.pk, "duplicate": duplicate, "received_at": event.received_at}
