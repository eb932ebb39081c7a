"""Registration, deadlines under the Law "On citizens' appeals" (art. 20), answers.

15 days when no extra study is needed, 30 days (one month) otherwise, extension to 45 days in all.
"""

from __future__ import annotations

import io
import logging
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from server_stub.core import numbers
from server_stub.terminals import services as terminal_feed
from server_stub.terminals.models import Answer

from .models import IndexCounter, Registration

logger = logging.getLogger(__name__)
DAYS_QUICK, DAYS_NORMAL, DAYS_MAX = 15, 30, 45
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def deadline_for(registered: date, needs_study: bool) -> date:
    return registered + timedelta(days=DAYS_NORMAL if needs_study else DAYS_QUICK)


def max_deadline(registered: date) -> date:
    return registered + timedelta(days=DAYS_MAX)


def is_overdue(reg: Registration, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return reg.status != "answered" and reg.deadline < today


def next_index(surname: str, collective: bool = False) -> str:
    """"Б-20": first letter of the surname + a sequence per letter and year; "КО-3" for collective."""
    letter = "КО" if collective else ((surname.strip()[:1] or "№").upper())
    year = timezone.localdate().year
    with transaction.atomic():
        IndexCounter.objects.get_or_create(year=year, letter=letter)
        counter = IndexCounter.objects.select_for_update().get(year=year, letter=letter)
        counter.value += 1
        counter.save(update_fields=["value"])
    return f"{letter}-{counter.value}"


def documents_dir() -> Path:
    path = Path(settings.DATA_DIR) / "private" / "edms"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _feed(reg: Registration) -> None:
    terminal_feed.publish_status(reg.number, "extended" if reg.extended and reg.status != "answered" else reg.status,
                                 registration_index=reg.registration_index, registered_at=reg.registered_at,
                                 deadline=reg.deadline)


def set_study(reg: Registration, needs_study: bool) -> None:
    reg.needs_study = needs_study
    if not reg.extended:
        reg.deadline = deadline_for(timezone.localtime(reg.registered_at).date(), needs_study)
    reg.save()
    _feed(reg)


def extend(reg: Registration, new_deadline: date, reason: str) -> None:
    """Extend the deadline; never beyond 45 days in all (art. 20)."""
    limit = max_deadline(timezone.localtime(reg.registered_at).date())
    if new_deadline > limit:
        raise ValueError(_("Extension beyond 45 days in all (after %(limit)s) is not allowed.") % {
            "limit": limit.isoformat()})
    if new_deadline <= reg.deadline:
        raise ValueError(_("The new deadline must be later than the current one."))
    reg.deadline, reg.extended, reg.extension_reason = new_deadline, True, reason
    reg.save()
    _feed(reg)


def set_in_progress(reg: Registration) -> None:
    reg.status = "in_progress"
    reg.save(update_fields=["status"])
    _feed(reg)


def render_answer_pdf(reg: Registration, text: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(f"Відповідь {reg.registration_index}")
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.add_page()
    pdf.set_font("DejaVu", size=14)
    pdf.multi_cell(0, 8, "Міська рада\nВідповідь на звернення", align="C")
    pdf.ln(4)
    pdf.set_font("DejaVu", size=11)
    when = timezone.localtime(reg.answered_at or timezone.now()).strftime("%d.%m.%Y")
    pdf.multi_cell(0, 6, f"Звернення № {numbers.display(reg.number)}, реєстраційний індекс {reg.registration_index} "
                         f"від {timezone.localtime(reg.registered_at).strftime('%d.%m.%Y')}\nДата відповіді: {when}")
    pdf.ln(4)
    pdf.multi_cell(0, 6, text)
    out = io.BytesIO()
    pdf.output(out)
    return out.getvalue()


def _publish(reg: Registration, pdf: bytes, summary: str, official: Any) -> Answer:
    reg.status, reg.answered_at, reg.official = "answered", timezone.now(), official
    reg.save()
    return terminal_feed.publish_answer(reg.number, pdf, summary, registration_index=reg.registration_index,
                                        deadline=reg.deadline)


def answer_with_text(reg: Registration, text: str, official: Any) -> Answer:
    reg.answer_text = text
    reg.answered_at = timezone.now()
    pdf = render_answer_pdf(reg, text)
    return _publish(reg, pdf, f"Відповідь на звернення {numbers.display(reg.number)} надано.", official)


def answer_with_pdf(reg: Registration, pdf: bytes, official: Any) -> Answer:
    if not pdf.startswith(b"%PDF-"):
        raise ValueError(_("This is not a PDF file."))
    reg.answer_text = ""
    return _publish(reg, pdf, f"Відповідь на звернення {numbers.display(reg.number)} надано.", official)
