"""Sending e-mail through the city's SMTP relay (settings CITY_SERVER_SMTP_*), used by every instrument.

Addresses are personal data: logs carry only counts and the message kind.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

logger = logging.getLogger(__name__)


@dataclass
class Mail:
    to: str
    subject: str
    body: str
    headers: dict[str, str] = field(default_factory=dict)


def send_all(mails: Iterable[Mail], kind: str) -> tuple[int, int]:
    """Send over one SMTP connection; returns (sent, failed). A failed address does not stop the rest."""
    sent = failed = 0
    batch = list(mails)
    if not batch:
        return 0, 0
    try:
        conn = get_connection(fail_silently=False)
        conn.open()
    except (OSError, smtplib.SMTPException) as err:
        logger.warning("mail %s: SMTP relay unavailable (%s); %d message(s) not sent", kind, type(err).__name__,
                       len(batch))
        return 0, len(batch)
    try:
        for m in batch:
            msg = EmailMessage(m.subject, m.body, settings.DEFAULT_FROM_EMAIL, [m.to], headers=m.headers,
                               connection=conn)
            try:
                msg.send()
                sent += 1
            except (OSError, smtplib.SMTPException) as err:
                failed += 1
                logger.warning("mail %s: one message refused (%s)", kind, type(err).__name__)
    finally:
        conn.close()
    logger.info("mail %s: %d sent, %d failed", kind, sent, failed)
    return sent, failed


def send_one(to: str, subject: str, body: str, kind: str, headers: dict[str, str] | None = None) -> bool:
    return send_all([Mail(to, subject, body, headers or {})], kind)[0] == 1
