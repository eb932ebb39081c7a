"""The petition's life cycle and rules (concept 4.2; settings ``PETITIONS_*``, defaults of the city's regulation).

moderation -> rejected (with a reason) | collecting -> review (>= threshold within the period, sent to the
mayor no later than the next day) -> answered | appeal (period over below the threshold: registered in
the EDMS as an ordinary appeal under the Law "On citizens' appeals").
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from server_stub.core import identity, workdays
from server_stub.core.identity import Identity
from server_stub.core.refusal import Refused
from server_stub.newsletters.mail import Mail, send_all

from .access import resident_name
from .models import JobRun, Petition, Signature

logger = logging.getLogger(__name__)


class RuleError(Refused):
    """A city rule forbids the action; ``code`` is the API error code."""

    def __init__(self, code: str, message: str, status: int = 409):
        super().__init__(status, code, message)


def publish(p: Petition, by: Any, now: datetime | None = None) -> None:
    if p.status != "moderation":
        raise RuleError("wrong_status", f"the petition is {p.status}, not awaiting moderation")
    now = now or timezone.now()
    p.status, p.moderated_by, p.moderated_at = "collecting", by, now
    p.published_at, p.ends_at = now, now + timedelta(days=settings.PETITIONS_PERIOD_DAYS)
    p.threshold = settings.PETITIONS_SIGNATURES_REQUIRED
    p.save()


def reject(p: Petition, by: Any, reason: str, note: str) -> None:
    if p.status != "moderation":
        raise RuleError("wrong_status", f"the petition is {p.status}, not awaiting moderation")
    p.status, p.reject_reason, p.moderation_note = "rejected", reason, note
    p.moderated_by, p.moderated_at = by, timezone.now()
    p.save()


def is_open(p: Petition, at: datetime) -> bool:
    """Signatures count when published_at <= at < ends_at (the last second of the period is inside)."""
    return p.status in ("collecting", "review") and p.published_at is not None and p.ends_at is not None \
        and p.published_at <= at < p.ends_at


def _identity_of(resident: Any, instrument: str) -> Identity:
    try:
        return identity.of_resident(resident, instrument)
    except identity.Refused as err:
        raise RuleError(err.code, err.message, 403) from err


def _first_voice(p: Petition, who: Identity) -> str:
    keys = {who.identity_key, who.name_key}
    first = Signature.objects.filter(Q(person_key__in=keys) | Q(name_key__in=keys), petition=p).first()
    if first is None:  # withdrawn between the refusal and this look-up
        return identity.first_voice(False, "", None)
    return identity.first_voice(first.paper, first.place, timezone.localtime(first.signed_at).date())


def sign(p: Petition, resident: Any, email: str = "", notify: list[str] | None = None) -> Signature:
    now = timezone.now()
    if not is_open(p, now):
        raise RuleError("not_collecting", "the petition does not collect signatures now")
    who = _identity_of(resident, "petitions")
    name = resident_name(resident)
    try:
        with transaction.atomic():
            return Signature.objects.create(
                petition=p, resident=resident, person_key=who.identity_key, name_key=who.name_key,
                public_name=name, signed_at=now, email=email,
                notify=[e for e in (notify or []) if e in ("review", "answered", "appeal")])
    except IntegrityError as err:  # the database's unique constraints are the one judge under concurrency
        raise RuleError("already_signed", _first_voice(p, who)) from err


def withdraw(p: Petition, resident: Any) -> None:
    if not is_open(p, timezone.now()):
        raise RuleError("not_collecting", "signatures can be withdrawn only while signatures are collected")
    deleted, _ = Signature.objects.filter(petition=p, resident=resident).delete()
    if not deleted:
        raise RuleError("not_signed", "you have not signed this petition", 404)


@dataclass
class PaperResult:
    accepted: int
    duplicates: list[int]
    outside_period: list[int]
    refused: list[dict[str, Any]]


def add_paper(p: Petition, rows: list[dict[str, Any]], by: Any, place: str) -> PaperResult:
    """Paper support filed at a terminal or an office (``place``), entered by an operator.

    A row counts unless the same person (server_stub/core/identity.py) already signed this petition, online
    or on paper, or appears earlier in the batch; each row is its own savepoint, and the database's unique
    constraints decide. A row dated outside the period, without a date of birth or RNOKPP, or (when the
    rules require it) without a registration in the community is not counted.
    """
    if p.status not in ("collecting", "review"):
        raise RuleError("not_collecting", "the petition does not collect signatures")
    result = PaperResult(0, [], [], [])
    with transaction.atomic():
        for i, row in enumerate(rows):
            name = " ".join(str(row["full_name"]).split())
            signed_at = row["signed_at"]
            if not is_open(p, signed_at):
                result.outside_period.append(i)
                continue
            try:
                who = identity.of_paper(row, "petitions")
            except identity.Refused as err:
                result.refused.append({"row": i, "code": err.code, "message": err.message})
                continue
            try:
                with transaction.atomic():
                    Signature.objects.create(petition=p, person_key=who.identity_key, name_key=who.name_key,
                                             public_name=name, paper=True, place=place, entered_by=by,
                                             signed_at=signed_at)
            except IntegrityError:
                result.duplicates.append(i)
                result.refused.append({"row": i, "code": "duplicate", "message": _first_voice(p, who)})
                continue
            result.accepted += 1
    return result


def counted(p: Petition) -> int:
    if p.ends_at is None:
        return 0
    return Signature.objects.filter(petition=p, signed_at__lt=p.ends_at).count()


def respond(p: Petition, text: str) -> None:
    if p.status not in ("review", "appeal"):
        raise RuleError("wrong_status", "a response is published for a petition under review")
    p.status, p.response_text, p.responded_at = "answered", text, timezone.now()
    p.save()
    if p.appeal_number:  # the EDMS card of the petition is answered too
        from server_stub.standins.edms.models import Registration

        Registration.objects.filter(number=p.appeal_number).update(status="answered", answer_text=text,
                                                                   answered_at=p.responded_at)
    notify(p, "answered")


def run_jobs(now: datetime | None = None, only: int | None = None) -> list[tuple[int, str]]:
    """The scheduled job (run hourly, e.g. ``city-server manage petitions_jobs``): threshold and deadline."""
    now = now or timezone.now()
    done: list[tuple[int, str]] = []
    qs = Petition.objects.filter(status="collecting")
    for p in qs.filter(pk=only) if only else qs:
        reached = _reached_at(p)
        if reached is not None and reached <= now:
            _send_for_review(p, reached, now)
            done.append((p.pk, "review"))
        elif p.ends_at is not None and now >= p.ends_at:
            _to_appeal(p, now)
            done.append((p.pk, "appeal"))
    return done


def _reached_at(p: Petition) -> datetime | None:
    """When the threshold-th signature inside the period was made (None: not reached)."""
    row = Signature.objects.filter(petition=p, signed_at__lt=p.ends_at).order_by("signed_at", "pk")\
        .values_list("signed_at", flat=True)[p.threshold - 1: p.threshold]
    return row[0] if row else None


def _send_for_review(p: Petition, reached: datetime, now: datetime) -> None:
    """At the threshold: a card in the EDMS addressed to the mayor, considered within N working days (art. 23-1)."""
    due: date = timezone.localtime(reached).date() + timedelta(days=settings.PETITIONS_REVIEW_WITHIN_DAYS)
    count = counted(p)
    today = timezone.localtime(now).date()
    reg = _register(p, now, count, kind="3.1", received_at=reached,
                    deadline=workdays.add_working_days(today, settings.PETITIONS_CONSIDERATION_WORKING_DAYS,
                                                      settings.HOLIDAYS_COUNTRY),
                    summary=f"Адресат: {settings.PETITIONS_ADDRESSEE}. Електронна петиція № {p.pk} «{p.title}» "
                            f"набрала {count} підписів із {p.threshold}; розглянути не пізніше "
                            f"{settings.PETITIONS_CONSIDERATION_WORKING_DAYS} робочих днів (ст. 23-1 Закону "
                            f"України «Про звернення громадян»).")
    p.status, p.threshold_reached_at, p.review_due, p.review_sent_at = "review", reached, due, now
    p.appeal_number, p.appeal_index, p.appeal_deadline = reg.number, reg.registration_index, reg.deadline
    p.save()
    on_time = today <= due
    JobRun.objects.create(petition=p, action="review", at=now,
                          detail=f"{count} signatures; due {due.isoformat()}; {'on time' if on_time else 'LATE'}; "
                                 f"EDMS {reg.registration_index}, consider by {reg.deadline.isoformat()}")
    logger.info("petition %s sent for the mayor's review (%s)", p.pk, "on time" if on_time else "late")
    notify(p, "review")


def _register(p: Petition, now: datetime, count: int, *, kind: str, received_at: datetime | None, deadline: date,
              summary: str) -> Any:
    """The petition's registration card in the EDMS stand-in, with its PDF (once: a re-run finds it)."""
    from server_stub.core import numbers
    from server_stub.standins.edms import services as edms
    from server_stub.standins.edms.models import Registration

    number = numbers.make(settings.PETITIONS_EDMS_NUMBER_PREFIX, p.pk)
    existing = Registration.objects.filter(number=number).first()
    if existing is not None:
        return existing
    pdf = petition_pdf(p, count)
    path = edms.documents_dir() / f"{number}.pdf"
    path.write_bytes(pdf)
    author = p.author
    return Registration.objects.create(
        number=number, registration_index=edms.next_index(author.family_name), registered_at=now,
        received_at=received_at, signed_on=timezone.localtime(p.created_at).date(), applicant=resident_name(author),
        kind=kind, channel_code=settings.PETITIONS_EDMS_CHANNEL_CODE, subject_code="5.1", summary=summary,
        pages=1, pdf_path=str(path), pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        metadata={"source": "e-petition", "petition_id": p.pk, "signatures": count,
                  "addressee": settings.PETITIONS_ADDRESSEE}, needs_study=True, deadline=deadline)


def _to_appeal(p: Petition, now: datetime) -> None:
    from server_stub.standins.edms import services as edms

    count = counted(p)
    reg = _register(p, now, count, kind="3.1", received_at=p.ends_at,
                    deadline=edms.deadline_for(timezone.localtime(now).date(), True),
                    summary=f"Електронна петиція № {p.pk} «{p.title}» не набрала {p.threshold} підписів "
                            f"({count}); розглядається як звернення.")
    p.status, p.appeal_number, p.appeal_index, p.appeal_deadline = "appeal", reg.number, reg.registration_index, \
        reg.deadline
    p.save()
    JobRun.objects.create(petition=p, action="appeal", at=now,
                          detail=f"{count} of {p.threshold} signatures; EDMS {reg.registration_index}")
    notify(p, "appeal")


def petition_pdf(p: Petition, count: int) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    pdf.add_page()
    pdf.set_font("DejaVu", size=13)
    pdf.multi_cell(0, 7, f"Електронна петиція № {p.pk}\n{p.title}", align="C")
    pdf.set_font("DejaVu", size=11)
    pdf.ln(3)
    pdf.multi_cell(0, 6, f"Автор: {resident_name(p.author)}\nОприлюднено: "
                         f"{timezone.localtime(p.published_at).strftime('%d.%m.%Y') if p.published_at else '—'}\n"
                         f"Підписів: {count} із {p.threshold}\n\n{p.text}")
    out = io.BytesIO()
    pdf.output(out)
    return out.getvalue()


SUBJECTS = {"review": "Петицію № {id} надіслано на розгляд міському голові / Petition No. {id} is sent to the mayor",
            "answered": "Відповідь на петицію № {id} / The response to petition No. {id}",
            "appeal": "Петиція № {id} розглядатиметься як звернення / Petition No. {id} becomes an appeal"}
BODIES = {"review": ("Петиція «{t}» набрала {n} підписів, зареєстрована ({i}) і надіслана на розгляд міському голові; "
                     "строк розгляду — до {d}.",
                     "The petition \"{t}\" reached {n} signatures; it is registered ({i}) and sent to the mayor, "
                     "to be considered by {d}."),
          "answered": ("Міська рада відповіла на петицію «{t}»:\n\n{r}",
                       "The council responded to the petition \"{t}\" (the text is above, in Ukrainian)."),
          "appeal": ("Петиція «{t}» не набрала потрібних підписів ({n}) і зареєстрована як звернення {i}.",
                     "The petition \"{t}\" did not reach the threshold ({n}); it is registered as appeal {i}.")}


def notify(p: Petition, event: str) -> tuple[int, int]:
    """E-mail the signers who asked for this event when signing (Django's SMTP path, newsletters.mail)."""
    base = settings.CITY_SERVER_PUBLIC_URL.rstrip("/")
    facts = {"t": p.title, "n": counted(p), "r": p.response_text, "i": p.appeal_index,
             "d": p.appeal_deadline.strftime("%d.%m.%Y") if p.appeal_deadline else "—"}
    uk, en = (part.format(**facts) for part in BODIES[event])
    text = (f"{uk}\n\n{base}/petitions/{p.pk}/\n\nВи отримали цей лист, бо обрали сповіщення під час підписання."
            f"\n\n---\n{en}\nYou get this message because you asked for it when signing.")
    mails = [Mail(s.email, SUBJECTS[event].format(id=p.pk), text)
             for s in Signature.objects.filter(petition=p).exclude(email="") if event in (s.notify or [])]
    return send_all(mails, f"petition-{event}")


def as_dict(p: Petition) -> dict[str, Any]:
    def iso(v: Any) -> str | None:
        return v.isoformat() if v else None
    return {"id": p.pk, "title": p.title, "text": p.text, "status": p.status, "author": resident_name(p.author),
            "created_at": iso(p.created_at), "published_at": iso(p.published_at), "ends_at": iso(p.ends_at),
            "threshold": p.threshold, "signatures": counted(p) if p.published_at else 0,
            "reject_reason": p.reject_reason, "moderation_note": p.moderation_note,
            "threshold_reached_at": iso(p.threshold_reached_at), "review_due": iso(p.review_due),
            "review_sent_at": iso(p.review_sent_at), "appeal_number": p.appeal_number,
            "appeal_index": p.appeal_index, "appeal_deadline": iso(p.appeal_deadline),
            "response": p.response_text, "responded_at": iso(p.responded_at)}
