"""Telling the resident of every status change of their request: e-mail through the city's SMTP relay
(server_stub/newsletters/mail.py, Django's SMTP backend) and SMS through the gateway (sms.py); when the
request is closed, both carry the link to rate the answer. Ukrainian first, English second.

Each message is recorded as a :class:`Notification` (sent or not, with the error's kind); addresses and
phone numbers are never logged.
"""

from __future__ import annotations

import logging

from django.conf import settings

from server_stub.newsletters.mail import send_one

from .models import Notification, ServiceRequest, StatusChange
from .sms import SmsError, gateway

logger = logging.getLogger(__name__)
WORDS = {"open": ("зареєстровано", "registered"), "in_progress": ("в роботі", "in progress"),
         "closed": ("виконано, закрито", "done, closed")}


def links(r: ServiceRequest) -> tuple[str, str]:
    base = settings.CITY_SERVER_PUBLIC_URL.rstrip("/")
    return f"{base}/contact/requests/{r.pk}/", f"{base}/contact/rate/{r.token}/"


def email_text(r: ServiceRequest, change: StatusChange) -> tuple[str, str]:
    uk, en = WORDS[change.status]
    follow, rate = links(r)
    subject = f"Заявка № {r.pk}: {uk} / Request No {r.pk}: {en}"
    note = f"Примітка: {change.note}\n" if change.note else ""
    note_en = f"Note: {change.note}\n" if change.note else ""
    ask = f"Оцініть, будь ласка, відповідь: {rate}\n" if change.status == "closed" else ""
    ask_en = f"Please rate the answer: {rate}\n" if change.status == "closed" else ""
    body = (f"Ваша заявка № {r.pk} до контакт-центру міської ради ({r.category.name}): {uk}.\n{note}"
            f"Стежити за заявкою: {follow}\n{ask}\n"
            f"Your request No {r.pk} to the city council's contact centre: {en}.\n{note_en}"
            f"Follow the request: {follow}\n{ask_en}")
    return subject, body


def sms_text(r: ServiceRequest, change: StatusChange) -> str:
    uk, en = WORDS[change.status]
    _follow, rate = links(r)
    ask = f" Оцініть відповідь / rate the answer: {rate}" if change.status == "closed" else ""
    return f"Заявка № {r.pk}: {uk}. Request No {r.pk}: {en}.{ask}"


def status_changed(change_id: int) -> None:
    """Send the messages for one status change (after its transaction committed)."""
    change = StatusChange.objects.select_related("request__category").get(pk=change_id)
    r = change.request
    if r.email:
        subject, body = email_text(r, change)
        ok = send_one(r.email, subject, body, "contact-status")
        Notification.objects.create(change=change, channel="email", sent=ok, error="" if ok else "smtp")
    if r.phone:
        try:
            gateway().send(r.phone, sms_text(r, change))
            Notification.objects.create(change=change, channel="sms", sent=True)
        except SmsError as err:
            logger.warning("contact request %s: SMS not sent (%s)", r.pk, err)
            Notification.objects.create(change=change, channel="sms", sent=False, error=str(err)[:100])
