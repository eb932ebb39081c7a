"""Data publishers' API tokens for the CKAN Action API writes (docs/server.md, "Open data: writes").

``city-server issue-api-token USERNAME`` makes a token, prints it once and keeps only its SHA-256;
``city-server revoke-api-token USERNAME`` revokes every active token of the user. A request carries
the token as CKAN clients send it (``Authorization: <token>`` or ``X-CKAN-API-Key``); the writes
then check the user's named permission ``core.publish_data`` on every call, so a token of a user
who has lost the role stops working at once.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils import timezone

from server_stub.terminals.services import sha256_hex

from .models import ApiToken

logger = logging.getLogger(__name__)
PREFIX = "od_"


class NoSuchUser(LookupError):
    pass


def issue(username: str) -> tuple[str, bool]:
    """A new token for an active user (only its hash is stored) and whether the user holds
    core.publish_data now; NoSuchUser otherwise."""
    from server_stub.core.roles import can

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise NoSuchUser(username)
    token = PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, token_sha256=sha256_hex(token.encode()), hint=token[:8])
    logger.info("open data API token issued (user id %s)", user.pk)
    return token, can(user, "publish_data")


def revoke(username: str) -> int:
    count = ApiToken.objects.filter(user__username=username, revoked_at__isnull=True).update(
        revoked_at=timezone.now())
    logger.info("%d open data API token(s) revoked", count)
    return count


def presented(request: HttpRequest) -> str:
    """The token a CKAN client sent, or ""."""
    raw = request.headers.get("Authorization") or request.headers.get("X-CKAN-API-Key") or ""
    raw = raw.strip()
    return raw[7:].strip() if raw.lower().startswith("bearer ") else raw


def user_for(token: str) -> Any | None:
    """The active user owning the unrevoked ``token``, or None."""
    if not token.startswith(PREFIX):
        return None
    row = (ApiToken.objects.select_related("user")
           .filter(token_sha256=sha256_hex(token.encode()), revoked_at__isnull=True, user__is_active=True).first())
    if row is None:
        return None
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row.user
