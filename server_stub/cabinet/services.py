"""Bookings with capacity and cancellation, reminders by e-mail, the data access log, "my" summary."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from server_stub.core import numbers
from server_stub.core.refusal import Refused
from server_stub.newsletters.mail import Mail, send_all

from .models import AppealLink, Booking, DataAccess, Slot

STATUS_LABELS = {"registered": _("registered"), "in_progress": _("in progress"), "extended": _("extended"),
                 "answered": _("answered"), "rejected": _("rejected"), "unknown": _("not registered yet")}


class CabinetError(Refused):
    """A rule of this instrument refuses the action."""


def log_access(residents: Any, accessor: Any, purpose: str) -> None:
    DataAccess.objects.bulk_create([DataAccess(resident=r, accessor=str(accessor), purpose=purpose)
                                    for r in residents])


def follow(resident: Any, number: str, code: str | None = None) -> AppealLink:
    """Follow an appeal in the cabinet: with the receipt's access code (docs/receipt.md), or
    without one for an appeal the server knows this resident filed (a petition of theirs)."""
    from server_stub.petitions.models import Petition
    from server_stub.terminals import access

    try:
        compact = numbers.validate(number)
    except numbers.InvalidNumber as err:
        raise CabinetError(422, "bad_number", "not an appeal number (e.g. 017-000123-4)") from err
    own = Petition.objects.filter(author=resident, appeal_number=compact).exists()
    if not own and not AppealLink.objects.filter(resident=resident, number=compact).exists():
        try:
            access.check(compact, code, door="cabinet")
        except access.AccessRefused as err:
            raise CabinetError(err.status, err.code, "wrong number or receipt code" if err.status == 403
                               else "too many wrong receipt codes; try again later") from err
    link, _ = AppealLink.objects.get_or_create(resident=resident, number=compact)
    return link


def appeals(resident: Any) -> list[dict[str, Any]]:
    from server_stub.petitions.models import Petition
    from server_stub.standins.edms.models import Registration
    from server_stub.terminals.models import AppealStatus

    wanted = list(resident.appeal_links.values_list("number", flat=True))
    wanted += [n for n in Petition.objects.filter(author=resident).exclude(appeal_number="")
               .values_list("appeal_number", flat=True) if n not in wanted]
    regs = {r.number: r for r in Registration.objects.filter(number__in=wanted)}
    feed = {s.number: s for s in AppealStatus.objects.filter(number__in=wanted)}
    out = []
    for n in wanted:
        reg, st = regs.get(n), feed.get(n)
        status = reg.status if reg else st.status if st else "unknown"
        out.append({"number": numbers.display(n), "status": status, "status_label": str(STATUS_LABELS.get(status, status)),
                    "registration_index": reg.registration_index if reg else (st.registration_index if st else ""),
                    "deadline": (reg.deadline if reg else st.deadline if st else None),
                    "answered": bool(reg and reg.status == "answered") or bool(st and st.answer_id)})
    return out


def book(slot: Slot, resident: Any, purpose: str, email: str) -> Booking:
    if slot.starts_at <= timezone.now():
        raise CabinetError(409, "past", "this time has passed")
    try:
        with transaction.atomic():
            locked = Slot.objects.select_for_update().get(pk=slot.pk)
            if locked.bookings.filter(cancelled_at=None).count() >= locked.capacity:
                raise CabinetError(409, "full", "no free places left at this time")
            return Booking.objects.create(slot=locked, resident=resident, purpose=purpose, email=email)
    except IntegrityError as err:
        raise CabinetError(409, "already_booked", "you already have a place at this time") from err


def cancel(booking: Booking) -> None:
    if booking.cancelled_at is not None:
        raise CabinetError(409, "cancelled", "already cancelled")
    booking.cancelled_at = timezone.now()
    booking.save(update_fields=["cancelled_at"])


def send_reminders(now: datetime | None = None) -> int:
    now = now or timezone.now()
    due = Booking.objects.select_related("slot__official").filter(
        cancelled_at=None, reminded_at=None, slot__starts_at__gt=now,
        slot__starts_at__lte=now + timedelta(hours=settings.CABINET_REMINDER_HOURS)).exclude(email="")
    items = list(due)
    mails = [Mail(b.email, "Нагадування про прийом",
                  f"Нагадуємо: {timezone.localtime(b.slot.starts_at).strftime('%d.%m.%Y о %H:%M')} — прийом у "
                  f"{b.slot.official} ({b.slot.official.place}).\nПитання: {b.purpose}\n\n"
                  f"Скасувати запис можна в кабінеті мешканця.") for b in items]
    sent, _ = send_all(mails, "appointment-reminder")
    if sent:
        Booking.objects.filter(pk__in=[b.pk for b in items]).update(reminded_at=now)
    return sent


def slot_dict(s: Slot) -> dict[str, Any]:
    taken = s.bookings.filter(cancelled_at=None).count()
    return {"id": s.pk, "official": str(s.official), "place": s.official.place, "starts_at": s.starts_at.isoformat(),
            "when": timezone.localtime(s.starts_at).strftime("%d.%m.%Y %H:%M"),
            "capacity": s.capacity, "free": max(0, s.capacity - taken)}


def booking_dict(b: Booking) -> dict[str, Any]:
    return {"id": b.pk, "slot": slot_dict(b.slot), "purpose": b.purpose,
            "cancelled": b.cancelled_at is not None, "reminded": b.reminded_at is not None}


def summary(resident: Any) -> dict[str, Any]:
    from server_stub.budget.models import Vote
    from server_stub.consult.models import Response
    from server_stub.petitions.models import Signature

    return {
        "appeals": appeals(resident),
        "petitions_signed": [{"id": s.petition_id, "title": s.petition.title, "status": s.petition.status,
                              "signed_at": s.signed_at.isoformat()}
                             for s in Signature.objects.filter(resident=resident).select_related("petition")],
        "budget_votes": [{"project": v.project_id, "title": v.project.title, "year": v.cycle.year}
                         for v in Vote.objects.filter(resident=resident).select_related("project", "cycle")],
        "open_surveys_answered": [{"survey": r.survey_id, "title": r.survey.title}
                                  for r in Response.objects.filter(resident=resident).select_related("survey")],
        "bookings": [booking_dict(b) for b in resident.bookings.select_related("slot__official")],
        "data_access": [{"accessor": a.accessor, "purpose": a.purpose, "at": a.at.isoformat(),
                         "when": timezone.localtime(a.at).strftime("%d.%m.%Y %H:%M")}
                        for a in resident.data_accesses.all()[:100]],
    }
