"""A petition to the end (docs/server.md "Petition lifecycle"): it reaches its threshold, is registered in the
EDMS stand-in as a document addressed to the mayor with the deadline of art. 23-1 (10 working days), is
answered, and the answer is on its page (headless Chromium) and in the mailbox of the signer who asked
for it (aiosmtpd, through Django's SMTP path), not in the mailbox of one who did not."""

from __future__ import annotations

from datetime import date, datetime

from playwright.sync_api import sync_playwright

from tests.server_instruments.helpers import (
    J,
    Server,
    Smtp,
    body,
    db_json,
    manage,
    resident_session,
    staff_session,
)
from tests.support.chromium import launch

ANSWER = "Велодоріжку по вулиці Робочій буде облаштовано до вересня 2027 року."


def test_petition_reaches_threshold_is_registered_answered_and_mailed(srv: Server, smtp: Smtp) -> None:
    author, moderator = J(srv, resident_session(srv, "test-0001")), J(srv, staff_session(srv, "moderator"))
    operator, official = J(srv, staff_session(srv, "operator")), J(srv, staff_session(srv, "official"))
    pid = author.post("/api/petitions/", {"title": "Велодоріжка по Робочій",
                                          "text": "Прошу облаштувати велодоріжку по вулиці Робочій."}).json()["id"]
    assert moderator.post(f"/api/petitions/{pid}/moderate", {"action": "publish"}).json()["threshold"] == 1000
    # two online signers: Ivan asks to be told of the answer, Maria asks for nothing
    assert J(srv, resident_session(srv, "test-0002")).post(f"/api/petitions/{pid}/signature", {
        "email": "ivan.end@example.org", "notify": ["answered"]}).status_code == 201
    assert J(srv, resident_session(srv, "test-0003")).post(f"/api/petitions/{pid}/signature", {
        "email": "maria.end@example.org", "notify": []}).status_code == 201
    now = datetime.now().astimezone().isoformat()
    r = operator.post(f"/api/petitions/{pid}/paper", {"place": "ЦНАП № 1", "signatures": [
        {"full_name": f"Прихильник Велодоріжки {i:04d}", "birthdate": "1975-03-03", "signed_at": now,
         "registration": "м. Дніпро"} for i in range(998)]})
    assert r.json()["signatures"] == 1000, r.text
    # the hourly job, as if run on Thursday 31 December 2026: ten working days after it is 14 January 2027
    # (weekends skipped; under martial law Ukraine's public holidays are not days off, see core/workdays.py)
    out = manage(srv, "petitions_jobs", "--petition", str(pid), "--now", "2026-12-31T10:00:00+02:00").stdout
    assert f"petition {pid}: review" in out
    p = J(srv).get(f"/api/petitions/{pid}").json()
    assert p["status"] == "review" and p["appeal_deadline"] == "2027-01-14"
    card = db_json(srv, f"M('edms.Registration').objects.filter(number='{p['appeal_number']}').values("
                        "'registration_index', 'kind', 'deadline', 'summary', 'metadata', 'registered_at', "
                        "'status').first()")
    assert card["registration_index"] == p["appeal_index"] and card["kind"] == "3.1"
    assert card["deadline"] == "2027-01-14" and card["registered_at"].startswith("2026-12-31")
    assert card["summary"].startswith("Адресат: Міський голова. Електронна петиція")
    assert card["metadata"]["addressee"] == "Міський голова" and card["metadata"]["signatures"] == 1000
    assert date.fromisoformat(card["deadline"]).weekday() < 5
    assert p["appeal_index"] in staff_session(srv).get(srv.url + "/edms/", timeout=20).text  # officials see the card
    # the official publishes the answer on the moderation page
    s = official.s
    r = s.post(srv.url + "/petitions/moderation/", data={
        "csrfmiddlewaretoken": s.cookies["csrftoken"], "action": "respond", "petition": str(pid), "text": ANSWER},
        headers={"Referer": srv.url + "/petitions/moderation/"}, timeout=20, allow_redirects=False)
    assert r.status_code == 302, r.text[:300]
    assert J(srv).get(f"/api/petitions/{pid}").json()["status"] == "answered"
    assert db_json(srv, f"M('edms.Registration').objects.get(number='{p['appeal_number']}').status") == "answered"
    # the page, as a visitor's browser shows it
    with sync_playwright() as pw:
        browser = launch(pw)
        page = browser.new_page()
        page.goto(f"{srv.url}/petitions/{pid}/")
        assert ANSWER in page.inner_text("#response")
        edms = page.inner_text("#edms-card")
        assert p["appeal_index"] in edms and "14.01.2027" in edms
        browser.close()
    # the mailbox: Ivan has the answer; Maria, who did not ask, has nothing
    mails = smtp.wait_for("ivan.end@example.org")
    assert str(mails[0]["Subject"]).strip().startswith(f"Відповідь на петицію № {pid} / The response")
    assert ANSWER in body(mails[0]) and f"/petitions/{pid}/" in body(mails[0])
    assert smtp.messages("maria.end@example.org") == []
