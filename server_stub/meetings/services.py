"""Registration by signature, live quorum, signed ballots, results into the roll-call data, minutes."""

from __future__ import annotations

import io
import json
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from server_stub.core.refusal import Refused
from server_stub.council import services as council
from server_stub.council.models import Deputy, Motion

from .models import AgendaItem, Attendance, Ballot, Meeting
from .signers import canonical, verifier


class MeetingError(Refused):
    """A rule of this instrument refuses the action."""


def members(m: Meeting) -> list[Deputy]:
    return list(m.commission.members.order_by("pk"))


def quorum(m: Meeting) -> dict[str, Any]:
    """Quorum: more than MEETINGS_QUORUM_FRACTION (default one half) of the commission's members registered."""
    total = len(members(m))
    present = m.attendance.count()
    need = int(total * settings.MEETINGS_QUORUM_FRACTION) + 1
    return {"members": total, "present": present, "required": need, "quorum": present >= need}


def register_payload(m: Meeting, deputy_id: int) -> dict[str, Any]:
    return {"action": "register", "meeting": m.pk, "deputy": deputy_id, "nonce": m.nonce}


def ballot_payload(item: AgendaItem, deputy_id: int, option: str) -> dict[str, Any]:
    return {"action": "vote", "meeting": item.meeting_id, "item": item.pk, "deputy": deputy_id, "option": option,
            "nonce": item.meeting.nonce}


def _check(deputy: Deputy, payload: dict[str, Any], signature: str) -> str:
    key = getattr(deputy, "signer_key", None)
    if key is None:
        raise MeetingError(403, "no_key", "the deputy has no registered signing key")
    text = canonical(payload)
    if not verifier().verify(key.public_key, text, signature):
        raise MeetingError(422, "bad_signature", "the signature does not verify")
    return text.decode()


def register(m: Meeting, deputy: Deputy, signature: str) -> Attendance:
    if m.status == "closed":
        raise MeetingError(409, "closed", "the meeting is closed")
    if deputy not in members(m):
        raise MeetingError(403, "not_member", "not a member of this commission")
    text = _check(deputy, register_payload(m, deputy.pk), signature)
    try:
        with transaction.atomic():
            a = Attendance.objects.create(meeting=m, deputy=deputy, payload=text, signature=signature)
    except IntegrityError as err:
        raise MeetingError(409, "already_registered", "already registered") from err
    if m.status == "planned":
        Meeting.objects.filter(pk=m.pk).update(status="open")
    return a


def open_item(item: AgendaItem) -> None:
    if not quorum(item.meeting)["quorum"]:
        raise MeetingError(409, "no_quorum", "no quorum: voting cannot start")
    if item.status != "pending" or item.meeting.status == "closed":
        raise MeetingError(409, "wrong_status", f"the item is {item.status}")
    item.status = "voting"
    item.save(update_fields=["status"])


def cast(item: AgendaItem, deputy: Deputy, option: str, signature: str) -> Ballot:
    if item.status != "voting":
        raise MeetingError(409, "not_voting", "voting on this item is not open")
    if not Attendance.objects.filter(meeting=item.meeting, deputy=deputy).exists():
        raise MeetingError(403, "not_registered", "register with your signature first")
    text = _check(deputy, ballot_payload(item, deputy.pk, option), signature)
    try:
        with transaction.atomic():
            return Ballot.objects.create(item=item, deputy=deputy, option=option, payload=text, signature=signature)
    except IntegrityError as err:
        raise MeetingError(409, "already_voted", "already voted on this item") from err


def close_item(item: AgendaItem) -> None:
    """Adopted when "for" is more than half of the commission's members; the votes go to the roll-call data."""
    if item.status != "voting":
        raise MeetingError(409, "not_voting", "voting on this item is not open")
    m = item.meeting
    present = set(m.attendance.values_list("deputy_id", flat=True))
    cast_votes = dict(item.ballots.values_list("deputy_id", "option"))
    votes = {d.pk: cast_votes.get(d.pk, "not_voting" if d.pk in present else "absent") for d in members(m)}
    day = timezone.localtime(m.starts_at).date()
    motion, _ = Motion.objects.get_or_create(uid=f"c{m.commission_id}-{day.isoformat()}-{m.pk}-{item.position}",
                                             defaults={"date": day, "title": item.title, "body": m.commission.name})
    event = council.record(motion, timezone.now(), votes, source=f"meeting-{m.pk}", majority_of=len(votes))
    item.status, item.result, item.vote_event = "closed", event.result, event
    item.save()


def verify_all(m: Meeting) -> list[dict[str, Any]]:
    """Re-verify every stored signature (registration and ballots) against the stored payload."""
    out = []
    v = verifier()
    for a in m.attendance.select_related("deputy__signer_key"):
        ok = v.verify(a.deputy.signer_key.public_key, a.payload.encode(), a.signature) and \
            json.loads(a.payload) == register_payload(m, a.deputy_id)
        out.append({"kind": "registration", "deputy": a.deputy_id, "valid": ok})
    for b in Ballot.objects.filter(item__meeting=m).select_related("deputy__signer_key", "item"):
        ok = v.verify(b.deputy.signer_key.public_key, b.payload.encode(), b.signature) and \
            json.loads(b.payload) == ballot_payload(b.item, b.deputy_id, b.option)
        out.append({"kind": "ballot", "item": b.item.position, "deputy": b.deputy_id, "option": b.option,
                    "valid": ok})
    return out


def close(m: Meeting) -> bytes:
    if m.items.filter(status="voting").exists():
        raise MeetingError(409, "voting_open", "close the voting on every item first")
    m.status, m.closed_at = "closed", timezone.now()
    m.minutes_pdf = minutes_pdf(m)
    m.save()
    return bytes(m.minutes_pdf)


def minutes_text(m: Meeting) -> list[str]:
    q = quorum(m)
    lines = [f"Протокол засідання: {m.commission.name}", m.title,
             f"Дата: {timezone.localtime(m.starts_at).strftime('%d.%m.%Y %H:%M')}; відеоконференція: {m.video_url or '—'}",
             f"Членів комісії: {q['members']}; зареєструвалися (підписом): {q['present']}; "
             f"кворум: {'є' if q['quorum'] else 'немає'}.",
             "Присутні: " + ", ".join(str(a.deputy) for a in m.attendance.select_related("deputy")), ""]
    for item in m.items.all():
        lines.append(f"{item.position}. {item.title}")
        if item.vote_event_id:
            c = council.counts(item.vote_event)
            lines.append(f"   За: {c['yes']}, проти: {c['no']}, утрималися: {c['abstain']}, не голосували: "
                         f"{c['not_voting']}, відсутні: {c['absent']}. "
                         f"{'РІШЕННЯ ПРИЙНЯТО' if item.result == 'pass' else 'Рішення не прийнято'}.")
        else:
            lines.append("   Не голосувалося.")
    return lines


def minutes_pdf(m: Meeting) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    pdf.add_page()
    pdf.set_font("DejaVu", size=11)
    pdf.set_title(f"Протокол: {m.title}")
    for line in minutes_text(m):
        pdf.multi_cell(0, 6, line or " ", new_x="LMARGIN", new_y="NEXT")
    out = io.BytesIO()
    pdf.output(out)
    return out.getvalue()
