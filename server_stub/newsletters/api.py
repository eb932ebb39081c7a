"""/api/newsletters/: topics, subscribe (double opt-in), confirm, unsubscribe, issues (staff sends)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from server_stub.core.api import ApiError, errors, found
from server_stub.core.roles import staff_auth

from . import services
from .models import Issue, Topic

router = Router(tags=["newsletters"])


class SubscribeIn(Schema):
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)
    topics: list[str] = Field(min_length=1)


class TokenIn(Schema):
    token: str = Field(min_length=10, max_length=200)
    topic: str | None = None


class IssueIn(Schema):
    topic: str
    subject: str = Field(min_length=3, max_length=200)
    body: str = Field(min_length=3)


@router.get("/topics", auth=None, summary="Topics one can subscribe to")
def topics(request: HttpRequest) -> list[dict[str, Any]]:
    return [{"slug": t.slug, "title": t.title, "description": t.description} for t in Topic.objects.all()]


@router.post("/subscriptions", auth=None, response={202: dict, **errors(422, 429, 503)},
             summary="Ask to subscribe: a confirmation link is mailed (double opt-in)")
def subscribe(request: HttpRequest, body: SubscribeIn) -> tuple[int, dict[str, Any]]:
    try:
        mailed = services.request_subscription(body.email, body.topics)
    except services.TooMany as err:
        raise ApiError(429, "too_many_requests", str(err)) from err
    except ValueError as err:
        raise ApiError(422, "validation_error", str(err)) from err
    if not mailed:
        raise ApiError(503, "mail_unavailable", "The confirmation e-mail could not be sent; try again later")
    return 202, {"status": "confirmation_sent"}


@router.post("/confirm", auth=None, response={200: dict, **errors(404)}, summary="Confirm by the mailed token")
def confirm(request: HttpRequest, body: TokenIn) -> dict[str, Any]:
    sub = services.confirm(body.token)
    if sub is None:
        raise ApiError(404, "not_found", "Unknown or expired confirmation link")
    return {"status": "confirmed", "topics": sorted(sub.topics.values_list("slug", flat=True))}


@router.post("/unsubscribe", auth=None, response={200: dict, **errors(404)}, summary="Unsubscribe (topic or all)")
def unsubscribe(request: HttpRequest, body: TokenIn) -> dict[str, Any]:
    if not services.unsubscribe(body.token, body.topic):
        raise ApiError(404, "not_found", "Unknown unsubscribe link")
    return {"status": "unsubscribed"}


@router.get("/issues", auth=None, summary="Archive of sent issues")
def issues(request: HttpRequest) -> list[dict[str, Any]]:
    return [services.issue_dict(i) for i in Issue.objects.select_related("topic").exclude(sent_at=None)]


@router.post("/issues", auth=staff_auth("send_newsletters"), response={201: dict, **errors(401, 403, 404, 422)},
             summary="Draft an issue (staff)")
def create_issue(request: HttpRequest, body: IssueIn) -> tuple[int, dict[str, Any]]:
    topic = found(Topic.objects.filter(slug=body.topic).first(), f"Topic {body.topic} is not known")
    issue = Issue.objects.create(topic=topic, subject=body.subject, body=body.body, created_by=request.user)
    return 201, services.issue_dict(issue)


@router.post("/issues/{pk}/send", auth=staff_auth("send_newsletters"), response={200: dict, **errors(401, 403, 404, 409)},
             summary="Send an issue to the topic's confirmed subscribers through SMTP (staff)")
def send(request: HttpRequest, pk: int) -> dict[str, Any]:
    issue = found(Issue.objects.select_related("topic").filter(pk=pk).first(), f"Issue {pk} is not known")
    try:
        services.send_issue(issue)
    except ValueError as err:
        raise ApiError(409, "conflict", str(err)) from err
    return services.issue_dict(issue)
