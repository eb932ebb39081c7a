"""Double opt-in, one-click unsubscribe (RFC 8058 headers), sending an issue to a topic's subscribers."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from .mail import Mail, send_all, send_one
from .models import Issue, PendingRequest, Subscriber, Topic

CONFIRM_HOURS = 72
MAX_REQUESTS_PER_DAY = 3


class TooMany(Exception):
    """More confirmation e-mails to one address within 24 h than MAX_REQUESTS_PER_DAY."""
UNSUB_SALT = "city-server.newsletter-unsubscribe"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def base_url() -> str:
    return settings.CITY_SERVER_PUBLIC_URL.rstrip("/")


def request_subscription(email: str, slugs: list[str]) -> bool:
    """Store the request and mail the confirmation link; nothing is subscribed until it is opened."""
    topics = list(Topic.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    if not topics:
        raise ValueError("no known topic chosen")
    recent = PendingRequest.objects.filter(email=email.strip().lower(),
                                           created_at__gte=timezone.now() - timedelta(hours=24)).count()
    if recent >= MAX_REQUESTS_PER_DAY:  # nobody can make the city mail-bomb an address
        raise TooMany("too many subscription requests for this address today")
    token = secrets.token_urlsafe(24)
    PendingRequest.objects.create(email=email.strip().lower(), topics=topics, token_hash=_hash(token))
    titles = ", ".join(Topic.objects.filter(slug__in=topics).values_list("title", flat=True))
    body = (f"Ви (або хтось від вашого імені) підписалися на новини міської ради: {titles}.\n\n"
            f"Щоб підтвердити підписку, відкрийте посилання:\n{base_url()}/newsletters/confirm/{token}/\n\n"
            f"Якщо це були не ви, просто проігноруйте цей лист — без підтвердження листів не буде.")
    return send_one(email, "Підтвердіть підписку на новини міської ради", body, "newsletter-confirm")


def confirm(token: str) -> Subscriber | None:
    with transaction.atomic():
        req = PendingRequest.objects.select_for_update().filter(token_hash=_hash(token)).first()
        if req is None:
            return None
        age = timezone.now() - req.created_at
        if req.confirmed_at is None and age.total_seconds() > CONFIRM_HOURS * 3600:
            return None
        sub = Subscriber.objects.filter(email=req.email).first()
        if sub is None:
            sub = Subscriber.objects.create(email=req.email, confirmed_at=timezone.now())
        if req.confirmed_at is None:
            sub.topics.add(*Topic.objects.filter(slug__in=req.topics))
            req.confirmed_at = timezone.now()
            req.save(update_fields=["confirmed_at"])
    return sub


def unsub_token(sub: Subscriber) -> str:
    return signing.dumps(sub.pk, salt=UNSUB_SALT)


def unsubscribe(token: str, slug: str | None = None) -> bool:
    try:
        pk = signing.loads(token, salt=UNSUB_SALT)
    except signing.BadSignature:
        return False
    sub = Subscriber.objects.filter(pk=pk).first()
    if sub is None:
        return False
    if slug:
        sub.topics.remove(*Topic.objects.filter(slug=slug))
    else:
        sub.topics.clear()
    return True


def send_issue(issue: Issue) -> tuple[int, int]:
    """One message per subscriber of the topic, each with its own one-click unsubscribe link."""
    if issue.sent_at is not None:
        raise ValueError("this issue has already been sent")
    mails: list[Mail] = []
    for sub in Subscriber.objects.filter(topics=issue.topic):
        token = unsub_token(sub)
        link = f"{base_url()}/newsletters/unsubscribe/{token}/?topic={issue.topic.slug}"
        body = (f"{issue.body}\n\n—\nТема: {issue.topic.title}. Відписатися одним кліком: {link}")
        mails.append(Mail(sub.email, issue.subject, body, {
            "List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"{issue.topic.slug}.newsletters.city"}))
    sent, failed = send_all(mails, "newsletter-issue")
    issue.sent_at, issue.sent_count, issue.failed_count = timezone.now(), sent, failed
    issue.save()
    return sent, failed


def issue_dict(i: Issue) -> dict[str, Any]:
    return {"id": i.pk, "topic": i.topic.slug, "subject": i.subject, "body": i.body,
            "sent_at": i.sent_at.isoformat() if i.sent_at else None, "sent": i.sent_count, "failed": i.failed_count}
