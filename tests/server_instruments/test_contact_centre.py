"""The contact centre tells the resident of every status change of their request (e-mail through a real
SMTP server, aiosmtpd; SMS through the gateway's stand-in outbox), asks for a rating when it is closed,
and shows staff the overdue and rating figures by department and category. A map report is such a
request from the start."""

from __future__ import annotations

import json
import re
from pathlib import Path

import requests

from tests.server.test_map_layers import post_form
from tests.server_instruments.helpers import (
    Server,
    Smtp,
    body,
    db_json,
    resident_session,
    shell,
    staff_session,
)

EMAIL, PHONE = "koval.report@example.org", "+380671112233"


def sms(srv: Server, phone: str) -> list[str]:
    """Texts the SMS stand-in took for ``phone``, oldest first."""
    box = Path(srv.data_dir) / "sms-outbox"
    msgs = [json.loads(p.read_text(encoding="utf-8")) for p in box.glob("*.json")] if box.exists() else []
    return [m["text"] for m in sorted(msgs, key=lambda m: m["at"]) if m["to"] == phone]


def file_report(srv: Server, description: str, **contact: str) -> tuple[requests.Session, int, int]:
    """A resident's map report through the form; returns the session, the report's and the request's ids."""
    s = resident_session(srv, "test-0003")
    r = post_form(s, srv.url + "/map/reports/new/", {"kind": "illegal_construction", "description": description,
                                                      "lat": "48.4601", "lon": "35.0502", **contact})
    report = int(re.search(r"/map/reports/(\d+)/", r.url).group(1))
    rid = int(re.search(r'href="/contact/requests/(\d+)/"', r.text).group(1))
    return s, report, rid


def set_status(srv: Server, rid: int, status: str, note: str) -> None:
    op = staff_session(srv, "operator")
    r = post_form(op, f"{srv.url}/contact/requests/{rid}/", {"status": status, "note": note})
    assert r.status_code == 200 and "Стан змінено" in r.text, r.text[:300]


def test_resident_is_told_of_every_status_change_and_rates_the_answer(srv: Server, smtp: Smtp) -> None:
    s, report, rid = file_report(srv, "Прибудова до будинку без дозволу", email=EMAIL, phone=PHONE)
    (got,) = requests.get(f"{srv.url}/open311/v2/requests/{rid}.json", timeout=10).json()
    assert (got["service_code"], got["status"], got["lat"], got["long"]) == ("construction", "open", 48.4601, 35.0502)
    assert EMAIL not in json.dumps(got) and PHONE not in json.dumps(got)
    (first,) = smtp.wait_for(EMAIL)
    # (the stdlib folds a long encoded subject onto the next line: "Subject: \n =?utf-8?b?...", read with a space)
    assert first["Subject"].strip() == f"Заявка № {rid}: зареєстровано / Request No {rid}: registered"
    text = body(first)
    assert text.index(f"Ваша заявка № {rid}") < text.index(f"Your request No {rid}"), "Ukrainian first"
    assert f"/contact/requests/{rid}/" in text and "/contact/rate/" not in text
    assert sms(srv, PHONE) == [f"Заявка № {rid}: зареєстровано. Request No {rid}: registered."]

    set_status(srv, rid, "in_progress", "Інспектор виїхав на місце")
    second = next(m for m in smtp.wait_for(EMAIL, 2) if "в роботі" in m["Subject"])  # a Maildir has no order
    assert "в роботі" in second["Subject"] and "Примітка: Інспектор виїхав на місце" in body(second)
    set_status(srv, rid, "closed", "Припис видано, прибудову демонтують")
    mails = smtp.wait_for(EMAIL, 3)
    closing = next(m for m in mails if "закрито" in m["Subject"])
    rate = re.search(r"Оцініть, будь ласка, відповідь: (https?://\S+/contact/rate/([0-9a-f-]{36})/)", body(closing))
    assert rate, body(closing)
    assert f"Please rate the answer: {rate.group(1)}" in body(closing)
    texts = sms(srv, PHONE)
    assert len(texts) == 3 and "в роботі" in texts[1] and texts[2].endswith(rate.group(1))
    assert len(smtp.messages(EMAIL)) == 3, "one message per change, no more"

    # the report follows its request; the Open311 API shows it closed
    page = s.get(f"{srv.url}/map/reports/{report}/", timeout=10).text
    assert page.count("<li>") >= 3 and "Припис видано" in page
    (got,) = requests.get(f"{srv.url}/open311/v2/requests/{rid}.json", timeout=10).json()
    assert got["status"] == "closed" and got["status_notes"] == "Припис видано, прибудову демонтують"

    # the rating page behind the link (no sign-in: the token is the key)
    anon = requests.Session()
    url = srv.url + f"/contact/rate/{rate.group(2)}/"
    assert "Наскільки добре відповіли" in anon.get(url, timeout=10).text
    done = post_form(anon, url, {"score": "4", "comment": "Швидко"})
    assert "Дякуємо за оцінку" in done.text and "<strong>4</strong>" in done.text
    assert db_json(srv, f"list(M('contact.Rating').objects.filter(request_id={rid}).values_list('score', "
                        "'comment'))") == [[4, "Швидко"]]
    notes = db_json(srv, "list(M('contact.Notification').objects.filter(change__request_id="
                         f"{rid}).values_list('channel', 'sent'))")
    assert sorted(map(tuple, notes)) == [("email", True)] * 3 + [("sms", True)] * 3
    log = (Path(srv.data_dir).parent / "server.log").read_text(encoding="utf-8")
    assert EMAIL not in log and PHONE not in log and "067" not in log, "no personal data in the log"


def test_a_rejected_report_closes_its_request_and_the_resident_is_told(srv: Server, smtp: Smtp) -> None:
    email = "rejected.report@example.org"
    _s, report, rid = file_report(srv, "Перевірка відхилення", email=email)
    mod = staff_session(srv, "moderator")
    post_form(mod, srv.url + "/map/moderation/", {"report": str(report), "action": "rejected", "note": "не підтвердилось"})
    (got,) = requests.get(f"{srv.url}/open311/v2/requests/{rid}.json", timeout=10).json()
    assert got["status"] == "closed" and "відхилено модератором" in got["status_notes"]
    assert "не підтвердилось" in got["status_notes"]
    closing = next(m for m in smtp.wait_for(email, 2) if "закрито" in m["Subject"])
    assert "закрито" in closing["Subject"] and "відхилено модератором" in body(closing)


def test_an_unrated_request_cannot_be_rated_before_it_is_closed(srv: Server) -> None:
    token = db_json(srv, "str(M('contact.ServiceRequest').objects.filter(status='open').first().token)")
    url = srv.url + f"/contact/rate/{token}/"
    s = requests.Session()
    page = s.get(url, timeout=10).text
    assert "коли заявку закрито" in page and 'name="score"' not in page
    post_form(s, url, {"score": "1"})
    assert db_json(srv, f"M('contact.Rating').objects.filter(request__token='{token}').count()") == 0
    assert requests.get(srv.url + "/contact/rate/00000000-0000-4000-8000-000000000000/", timeout=10).status_code == 404


SEED = """
from datetime import timedelta
from django.utils import timezone
from server_stub.contact.models import Category, Rating, ServiceRequest
now = timezone.now()
a = Category.objects.create(code="fig-a", name="Звітна категорія А", agency="Відділ звітності")
b = Category.objects.create(code="fig-b", name="Звітна категорія Б", agency="Відділ звітності")
def make(cat, status, expected_days, closed_days=None, score=None):
    r = ServiceRequest.objects.create(category=cat, description="x", status=status,
        expected_at=now + timedelta(days=expected_days),
        closed_at=now + timedelta(days=closed_days) if closed_days is not None else None)
    if score:
        Rating.objects.create(request=r, score=score)
make(a, "open", 2)                      # open, in time
make(a, "in_progress", -1)              # open, overdue
make(a, "closed", 3, closed_days=0, score=5)    # closed in time
make(a, "closed", -2, closed_days=-1, score=2)  # closed a day late
make(b, "closed", -5, closed_days=-4, score=4)  # closed late
make(b, "open", -3)                     # overdue
print("seeded")
"""


def figures(page: str, attr: str, key: str) -> dict[str, str]:
    row = re.search(rf'<tr {attr}="{re.escape(key)}">(.*?)</tr>', page, re.S)
    assert row, key
    return dict(re.findall(r'<td data-figure="(\w+)">([^<]*)</td>', row.group(1)))


def test_reports_by_department_and_category(srv: Server) -> None:
    assert "seeded" in shell(srv, SEED)
    op = staff_session(srv, "operator")
    page = op.get(srv.url + "/contact/reports/", timeout=10)
    assert page.status_code == 200
    assert figures(page.text, "data-category", "fig-a") == {
        "total": "4", "open": "2", "overdue": "1", "closed": "2", "closed_late": "1", "overdue_share": "50,0",
        "rated": "2", "rating": "3,50"}
    assert figures(page.text, "data-category", "fig-b") == {
        "total": "2", "open": "1", "overdue": "1", "closed": "1", "closed_late": "1", "overdue_share": "100,0",
        "rated": "1", "rating": "4,00"}
    assert figures(page.text, "data-agency", "Відділ звітності") == {
        "total": "6", "open": "3", "overdue": "2", "closed": "3", "closed_late": "2", "overdue_share": "66,7",
        "rated": "3", "rating": "3,67"}
    later = op.get(srv.url + "/contact/reports/?since=2099-01-01", timeout=10).text
    assert 'data-category="fig-a"' not in later and "За цей період заявок немає" in later
    assert op.get(srv.url + "/contact/reports/?since=2026-02-31", timeout=10).status_code == 200
    # the named permission: the moderator's role has not got it
    assert staff_session(srv, "moderator").get(srv.url + "/contact/reports/", timeout=10).status_code == 403
