"""Newsletters through the real SMTP server process (aiosmtpd): double opt-in, one-click unsubscribe, by topic."""

from __future__ import annotations

import re

import requests

from tests.server_instruments.helpers import J, Server, Smtp, anon_session, body, staff_session


def _link(msg_body: str, kind: str) -> str:
    m = re.search(rf"https?://\S+/newsletters/{kind}/(\S+?)/(\?topic=[\w-]+)?(\s|$)", msg_body)
    assert m, msg_body
    return f"/newsletters/{kind}/{m.group(1)}/" + (m.group(2) or "")


def test_double_opt_in_topics_and_unsubscribe(srv: Server, smtp: Smtp) -> None:
    anon, staff = J(srv, anon_session(srv)), J(srv, staff_session(srv, "publisher"))
    topics = {t["slug"] for t in anon.get("/api/newsletters/topics").json()}
    assert {"land", "education", "social"} <= topics
    # subscribe: only a confirmation letter, nothing else until the link is opened
    assert anon.post("/api/newsletters/subscriptions", {"email": "olena@example.org", "topics": ["land", "social"]}
                     ).status_code == 202
    assert anon.post("/api/newsletters/subscriptions", {"email": "petro@example.org", "topics": ["education"]}
                     ).status_code == 202
    assert anon.post("/api/newsletters/subscriptions", {"email": "nobody@example.org", "topics": ["land"]}
                     ).status_code == 202  # never confirms
    assert anon.post("/api/newsletters/subscriptions", {"email": "x@example.org", "topics": ["nope"]}
                     ).status_code == 422
    codes = [anon.post("/api/newsletters/subscriptions", {"email": "victim@example.org", "topics": ["land"]}
                       ).status_code for _ in range(4)]
    assert codes == [202, 202, 202, 429]  # nobody can make the city mail-bomb an address
    (confirm_olena,) = smtp.wait_for("olena@example.org")
    assert "Підтвердіть" in str(confirm_olena["Subject"])
    (confirm_petro,) = smtp.wait_for("petro@example.org")
    # an issue sent before confirmation reaches nobody
    r = staff.post("/api/newsletters/issues", {"topic": "land", "subject": "Земля: до підтвердження", "body": "Раз"})
    assert staff.post(f"/api/newsletters/issues/{r.json()['id']}/send").json()["sent"] == 0
    # confirm: Olena by the page the link opens, Petro through the API
    page = requests.get(srv.url + _link(body(confirm_olena), "confirm"), timeout=20)
    assert page.status_code == 200 and "Земельні питання" in page.text
    token = _link(body(confirm_petro), "confirm").split("/")[3]
    assert anon.post("/api/newsletters/confirm", {"token": token}).json()["topics"] == ["education"]
    assert anon.post("/api/newsletters/confirm", {"token": "forged-token-123"}).status_code == 404
    # send by topic: land reaches Olena only; education reaches Petro only
    r = staff.post("/api/newsletters/issues", {"topic": "land", "subject": "Земельні торги 5 грудня",
                                               "body": "Аукціон з оренди землі відбудеться 5 грудня."})
    sent = staff.post(f"/api/newsletters/issues/{r.json()['id']}/send").json()
    assert (sent["sent"], sent["failed"]) == (1, 0)
    assert staff.post(f"/api/newsletters/issues/{r.json()['id']}/send").status_code == 409  # not twice
    assert J(srv, anon_session(srv)).post("/api/newsletters/issues", {"topic": "land", "subject": "xxx",
                                                                      "body": "yyy"}).status_code == 401
    r = staff.post("/api/newsletters/issues", {"topic": "education", "subject": "Нові садочки", "body": "Відкрито."})
    assert staff.post(f"/api/newsletters/issues/{r.json()['id']}/send").json()["sent"] == 1
    olena = smtp.wait_for("olena@example.org", 2)
    issue = next(m for m in olena if "Земельні торги" in str(m["Subject"]))
    assert "Аукціон з оренди землі" in body(issue)
    assert issue["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert not any("садочки" in str(m["Subject"]) for m in olena)
    petro = smtp.wait_for("petro@example.org", 2)
    assert any("садочки" in str(m["Subject"]) for m in petro) and not any("Земельні" in str(m["Subject"]) for m in petro)
    assert smtp.messages("nobody@example.org")[0]["Subject"] is not None and len(smtp.messages("nobody@example.org")) == 1
    # one-click unsubscribe (RFC 8058): a POST to the List-Unsubscribe URL, no cookies, no CSRF token
    url = issue["List-Unsubscribe"].strip("<>")
    path = url.split("://", 1)[1].split("/", 1)[1]
    r = requests.post(f"{srv.url}/{path}", data={"List-Unsubscribe": "One-Click"}, timeout=20)
    assert r.status_code == 200
    r = staff.post("/api/newsletters/issues", {"topic": "land", "subject": "Земля: після відписки", "body": "Три"})
    assert staff.post(f"/api/newsletters/issues/{r.json()['id']}/send").json()["sent"] == 0
    r = staff.post("/api/newsletters/issues", {"topic": "social", "subject": "Соцзахист: нові пільги", "body": "Так"})
    assert staff.post(f"/api/newsletters/issues/{r.json()['id']}/send").json()["sent"] == 1  # still on "social"
    smtp.wait_for("olena@example.org", 3)
    assert not any("після відписки" in str(m["Subject"]) for m in smtp.messages("olena@example.org"))
    assert requests.post(f"{srv.url}/newsletters/unsubscribe/forged:token/", timeout=20).status_code == 404
    archive = [i["subject"] for i in anon.get("/api/newsletters/issues").json()]
    assert "Земельні торги 5 грудня" in archive
