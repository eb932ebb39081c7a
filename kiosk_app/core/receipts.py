"""What the receipt says: the acceptance record the resident keeps (the stamp of art. 5's
"registration index and date" on the citizen's copy). Ukrainian first, English under it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from devices.escpos_document import Receipt

from . import access
from .applicant import KIND_UK
from .numbering import AppealNumber

KIND_EN = {"application": "application", "proposal": "proposal", "complaint": "complaint"}


@dataclass(frozen=True)
class ReceiptFacts:
    number: AppealNumber
    kind: str
    received_at: dt.datetime
    deadline: dt.date
    sheets: int
    pages: int
    terminal_name: str
    terminal_address: str
    status_url: str
    sms: bool
    parent: AppealNumber | None = None     # additions: the appeal they belong to
    copy: bool = False                # a reprint says so
    access_code: str | None = None    # the resident's key; None on a copy printed after it was forgotten


def appeal_receipt(f: ReceiptFacts) -> Receipt:
    r = Receipt()
    r.text(f.terminal_name, bold=True, align="center")
    r.text(f.terminal_address, align="center")
    r.rule()
    if f.parent is None:
        r.text("ЗВЕРНЕННЯ ПРИЙНЯТО", bold=True, size=2, align="center")
        r.text("Appeal accepted", align="center")
    else:
        r.text("ДОКУМЕНТИ ДОДАНО", bold=True, size=2, align="center")
        r.text(f"до звернення / to appeal {f.parent.display}", align="center")
    if f.copy:
        r.text("КОПІЯ / COPY", bold=True, align="center")
    r.feed(1)
    r.text("Номер / Number", align="center")
    r.text(f.number.display, bold=True, size=2, align="center")
    r.barcode128(f.number.compact, hri=False, height=80)
    r.feed(1)
    r.text(f"Вид / Kind: {KIND_UK[f.kind]} / {KIND_EN[f.kind]}")
    r.text(f"Прийнято / Received: {f.received_at:%d.%m.%Y %H:%M}")
    r.text(f"Аркушів / Sheets: {f.sheets}   Сторінок / Pages: {f.pages}")
    r.text(f"Відповідь до / Answer due: {f.deadline:%d.%m.%Y}", bold=True)
    r.text("Строк: до 30 днів; без додаткового вивчення — до 15 днів; "
           "з продовженням — не більше 45 днів (ст. 20 Закону «Про звернення громадян»).")
    r.rule()
    if f.sms:
        r.text("Про відповідь ви отримаєте SMS. / You will get an SMS when the answer is ready.")
    r.text("Відповідь можна надрукувати на будь-якому терміналі: піднесіть QR-код цього чека до "
           "сканера або введіть номер і код доступу. / Print the answer at any terminal: hold this "
           "receipt's QR code to the reader or type the number and the access code.")
    r.feed(1)
    if f.access_code:
        r.text("Код доступу / Access code", align="center")
        r.text(access.display(f.access_code), bold=True, size=2, align="center")
        r.text("Лише з цим кодом видно стан звернення і відповідь. Нікому його не повідомляйте. / "
               "Only this code shows the appeal's status and answer. Do not share it.")
        link = access.status_link(f.status_url, f.number.compact, f.access_code)
    else:
        r.text("Код доступу — на оригіналі чека. / The access code is on the original receipt.", align="center")
        link = f.status_url.format(number=f.number.compact, code="").rstrip("/")
    r.feed(1)
    r.text("Стан звернення / Status:", align="center")
    r.qr(link, size=6)
    r.text(link, align="center")
    r.feed(1)
    r.text("Зберігайте цей чек. / Keep this receipt.", align="center")
    return r


def status_receipt(number: AppealNumber, status_uk: str, status_en: str, deadline: dt.date | None,
                   terminal_name: str) -> Receipt:
    """Printed on request when the answer is not in yet."""
    r = Receipt()
    r.text(terminal_name, bold=True, align="center")
    r.rule()
    r.text(number.display, bold=True, size=2, align="center")
    r.barcode128(number.compact, hri=False, height=60)
    r.text(f"Стан: {status_uk}")
    r.text(f"Status: {status_en}")
    if deadline:
        r.text(f"Відповідь до / Answer due: {deadline:%d.%m.%Y}")
    return r
