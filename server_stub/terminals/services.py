"""The terminal side of the server as plain functions: credentials, heartbeats, events, the feed.

``publish_status`` / ``publish_answer`` are the seam through which an EDMS (the stand-in here, a
real one through an adapter later) tells terminals what happened to their appeals.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from server_stub.core import numbers

from .models import Answer, AppealStatus, FeedEntry, Heartbeat, Terminal, TerminalCredential, TerminalEvent

logger = logging.getLogger(__name__)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def body_hash(payload: dict[str, Any]) -> str:
    return sha256_hex(json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False).encode())


# --- credentials ----------------------------------------------------------------------------
def issue_credential(code: str, name: str = "", address: str = "") -> str:
    """Create the terminal if needed (a name or address given replaces the old one) and return a
    new bearer token (only its hash is stored)."""
    terminal, _ = Terminal.objects.get_or_create(code=code, defaults={"name": name, "address": address})
    place = {key: value for key, value in (("name", name), ("address", address)) if value}
    if place:
        Terminal.objects.filter(pk=terminal.pk).update(**place)
    token = f"tc_{terminal.code}_{secrets.token_urlsafe(32)}"
    TerminalCredential.objects.create(terminal=terminal, token_sha256=sha256_hex(token.encode()), hint=token[:10])
    logger.info("credential issued for terminal %s", code)
    return token


def revoke_credentials(code: str) -> int:
    count = TerminalCredential.objects.filter(terminal__code=code, revoked_at__isnull=True).update(
        revoked_at=timezone.now())
    logger.info("revoked %d credential(s) of terminal %s", count, code)
    return count


def authenticate(token: str) -> Terminal | None:
    cred = active_credential(token)
    return cred.terminal if cred is not None else None


def active_credential(token: str) -> TerminalCredential | None:
    """The credential a bearer token names, unless unknown or revoked (its terminal selected)."""
    if not token or not token.startswith("tc_"):
        return None
    cred = (TerminalCredential.objects.select_related("terminal")
            .filter(token_sha256=sha256_hex(token.encode()), revoked_at__isnull=True).first())
    if cred is None:
        return None
    now = timezone.now()
    if cred.last_used_at is None or (now - cred.last_used_at).total_seconds() > 60:
        TerminalCredential.objects.filter(pk=cred.pk).update(last_used_at=now)
    return cred


# --- heartbeats and events ------------------------------------------------------------------
class Conflict(Exception):
    """An idempotency key (or heartbeat sent_at) reused with a different body."""


def record_heartbeat(terminal: Terminal, sent_at: datetime, payload: dict[str, Any]) -> bool:
    """Store a heartbeat; return True when it was a duplicate. Raises :class:`Conflict`."""
    digest = body_hash(payload)
    existing = Heartbeat.objects.filter(terminal=terminal, sent_at=sent_at).first()
    if existing is not None:
        if existing.body_sha256 != digest:
            raise Conflict("heartbeat with this sent_at already received with another body")
        return True
    try:
        with transaction.atomic():
            latest = Heartbeat.objects.filter(terminal=terminal).order_by("-sent_at").values_list(
                "sent_at", flat=True).first()
            if latest is None or sent_at >= latest:
                # last_heartbeat_at is the server's clock (staleness must not trust the terminal's)
                Terminal.objects.filter(pk=terminal.pk).update(last_heartbeat_at=timezone.now(),
                                                               last_heartbeat=payload)
            Heartbeat.objects.create(terminal=terminal, sent_at=sent_at, body_sha256=digest,
                                     queue_depth=int(payload.get("queue_depth") or 0), payload=payload)
    except IntegrityError:
        return record_heartbeat(terminal, sent_at, payload)
    return False


def record_event(terminal: Terminal, key: str, payload: dict[str, Any]) -> tuple[TerminalEvent, bool]:
    """Store an event once per (terminal, key); return (event, duplicate). Raises :class:`Conflict`."""
    digest = body_hash(payload)
    existing = TerminalEvent.objects.filter(terminal=terminal, idempotency_key=key).first()
    if existing is not None:
        if existing.body_sha256 != digest:
            raise Conflict("Idempotency-Key already used with another body")
        return existing, True
    try:
        with transaction.atomic():
            event = TerminalEvent.objects.create(
                terminal=terminal, idempotency_key=key, type=payload["type"], number=payload.get("number") or "",
                at=payload.get("at"), detail=payload.get("detail") or {}, body_sha256=digest)
    except IntegrityError:
        return record_event(terminal, key, payload)
    return event, False


# --- the feed -------------------------------------------------------------------------------
def _answer_dict(answer: Answer | None) -> dict[str, Any] | None:
    if answer is None:
        return None
    return {"id": answer.id, "url": f"/api/terminal/v1/answers/{answer.id}.pdf", "sha256": answer.sha256,
            "size": answer.size, "published_at": answer.published_at.isoformat(), "summary": answer.summary}


def appeal_dict(st: AppealStatus) -> dict[str, Any]:
    today = timezone.localdate()
    overdue = bool(st.deadline and st.status not in ("answered", "rejected") and st.deadline < today)
    return {
        "number": st.number, "display_number": numbers.display(st.number), "terminal": st.terminal_code,
        "status": st.status, "registration_index": st.registration_index,
        "registered_at": st.registered_at.isoformat() if st.registered_at else None,
        "deadline": st.deadline.isoformat() if st.deadline else None, "overdue": overdue,
        "updated_at": st.updated_at.isoformat(), "reason": st.reason or None, "answer": _answer_dict(st.answer),
    }


@transaction.atomic
def publish_status(number: str, status: str, *, registration_index: str | None = None,
                   registered_at: datetime | None = None, deadline: date | None = None, reason: str = "",
                   answer: Answer | None = None) -> FeedEntry:
    """Record a status change and append it to the owning terminal's feed (seq in commit order)."""
    number = numbers.validate(number)
    code = number[:3]
    Terminal.objects.get_or_create(code=code)
    terminal = Terminal.objects.select_for_update().get(code=code)
    st = AppealStatus.objects.filter(number=number).first() or AppealStatus(number=number, terminal_code=code)
    st.status = status
    if registration_index is not None:
        st.registration_index = registration_index
    if registered_at is not None:
        st.registered_at = registered_at
    if deadline is not None:
        st.deadline = deadline
    st.reason = reason
    if answer is not None:
        st.answer = answer
    st.updated_at = timezone.now()
    st.save()
    terminal.feed_seq += 1
    Terminal.objects.filter(pk=terminal.pk).update(feed_seq=terminal.feed_seq)
    item = appeal_dict(st)
    item.pop("overdue")
    item.pop("updated_at")
    item = {"seq": terminal.feed_seq, "type": "answer" if answer is not None else "status", **item,
            "at": st.updated_at.isoformat()}
    return FeedEntry.objects.create(terminal=terminal, seq=terminal.feed_seq, type=item["type"], number=number,
                                    payload=item)


def answers_dir() -> Path:
    path = Path(settings.DATA_DIR) / "private" / "answers"
    path.mkdir(parents=True, exist_ok=True)
    return path


def publish_answer(number: str, pdf: bytes, summary: str = "", *, registration_index: str | None = None,
                   deadline: date | None = None) -> Answer:
    """Store an answer PDF and feed it to the terminal (status ``answered``)."""
    number = numbers.validate(number)
    answer_id = uuid.uuid4().hex
    path = answers_dir() / f"{answer_id}.pdf"
    tmp = path.with_name(f".{answer_id}.tmp")
    tmp.write_bytes(pdf)
    tmp.replace(path)
    answer = Answer.objects.create(id=answer_id, number=number, path=str(path), sha256=sha256_hex(pdf),
                                   size=len(pdf), summary=summary[:500], published_at=timezone.now())
    publish_status(number, "answered", registration_index=registration_index, deadline=deadline, answer=answer)
    return answer


def feed_page(terminal: Terminal, cursor: int, limit: int) -> tuple[list[dict[str, Any]], int, bool]:
    rows = list(FeedEntry.objects.filter(terminal=terminal, seq__gt=cursor).order_by("seq")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return [r.payload for r in rows], (rows[-1].seq if rows else cursor), more
