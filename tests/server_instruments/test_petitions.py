"""E-petitions through the HTTP API of the real server process: life cycle, rules at the boundaries, concurrency."""

from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.server_instruments.helpers import (
    J,
    Server,
    Smtp,
    anon_session,
    body,
    db_json,
    manage,
    resident_session,
    seed_residents,
    session_from_key,
    staff_session,
)

KYIV = ZoneInfo("Europe/Kyiv")


def _new_published(srv: Server, author: J, staff: J, title: str) -> dict:
    r = author.post("/api/petitions/", {"title": title, "text": "Прошу міську раду облаштувати пандуси біля шкіл."})
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    r = staff.post(f"/api/petitions/{pid}/moderate", {"action": "publish"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "collecting"
    return r.json()


DNIPRO = {"registration": "м. Дніпро, вул. Робоча, 1"}


def _paper(staff: J, pid: int, n: int, when: datetime, tag: str) -> dict:
    rows = [{"full_name": f"Паперовий {tag} Підписант{i:04d}", "birthdate": "1970-01-01", "signed_at": when.isoformat(),
             **DNIPRO} for i in range(n)]
    r = staff.post(f"/api/petitions/{pid}/paper", {"place": "ЦНАП № 1", "signatures": rows})
    assert r.status_code == 200, r.text
    return r.json()


def test_life_cycle(srv: Server, smtp: Smtp) -> None:
    author = J(srv, resident_session(srv, "test-0001"))
    ivan = J(srv, resident_session(srv, "test-0002"))
    maria = J(srv, resident_session(srv, "test-0003"))
    staff = J(srv, staff_session(srv, "moderator"))  # each staff step by its role (server_stub/core/roles.py)
    operator, official = J(srv, staff_session(srv, "operator")), J(srv, staff_session(srv, "official"))
    anon = J(srv, anon_session(srv))
    # submit; not public until moderated
    r = author.post("/api/petitions/", {"title": "Пандуси біля шкіл", "text": "Прошу облаштувати пандуси біля шкіл."})
    assert r.status_code == 201 and r.json()["status"] == "moderation"
    pid = r.json()["id"]
    assert anon.get(f"/api/petitions/{pid}").status_code == 404
    assert anon.post("/api/petitions/", {"title": "x" * 10, "text": "y" * 30}).status_code == 401
    assert staff.post("/api/petitions/", {"title": "x" * 10, "text": "y" * 30}).status_code == 403  # staff: no BankID
    assert ivan.post(f"/api/petitions/{pid}/moderate", {"action": "publish"}).status_code == 403
    assert pid in [p["id"] for p in staff.get("/api/petitions/moderation").json()]
    seen = author.get("/api/cabinet/me").json()["data_access"]  # "who requested my data"
    assert seen[0]["accessor"] == "moderator" and "модерація петицій" in seen[0]["purpose"]
    # a second one is rejected with a reason
    r2 = author.post("/api/petitions/", {"title": "Звільнити сусіда", "text": "Прошу звільнити сусіда з роботи негайно."})
    r = staff.post(f"/api/petitions/{r2.json()['id']}/moderate", {"action": "reject"})
    assert r.status_code == 422  # a rejection needs a reason
    r = staff.post(f"/api/petitions/{r2.json()['id']}/moderate",
                   {"action": "reject", "reason": "outside_powers", "note": "кадрові питання підприємства"})
    assert r.json()["status"] == "rejected" and r.json()["reject_reason"] == "outside_powers"
    assert ivan.post(f"/api/petitions/{r2.json()['id']}/signature", {}).status_code == 404
    # publish: 90 days, 1,000 signatures by default
    r = staff.post(f"/api/petitions/{pid}/moderate", {"action": "publish"})
    p = r.json()
    assert p["threshold"] == 1000
    start, end = datetime.fromisoformat(p["published_at"]), datetime.fromisoformat(p["ends_at"])
    assert end - start == timedelta(days=90)
    # signing by verified residents, one each; withdrawal
    r = ivan.post(f"/api/petitions/{pid}/signature", {"email": "ivan@example.org", "notify": ["review", "answered"]})
    assert r.status_code == 201 and r.json()["signatures"] == 1
    assert ivan.post(f"/api/petitions/{pid}/signature", {}).json()["error"]["code"] == "already_signed"
    assert maria.post(f"/api/petitions/{pid}/signature", {"email": "maria@example.org", "notify": ["appeal"]}
                      ).status_code == 201
    assert anon.post(f"/api/petitions/{pid}/signature", {}).status_code == 401
    assert staff.post(f"/api/petitions/{pid}/signature", {}).status_code == 403
    assert ivan.delete(f"/api/petitions/{pid}/signature").json()["signatures"] == 1
    assert ivan.delete(f"/api/petitions/{pid}/signature").status_code == 404
    assert ivan.post(f"/api/petitions/{pid}/signature", {"email": "ivan@example.org",
                                                         "notify": ["review", "answered"]}).status_code == 201
    names = [s["name"] for s in anon.get(f"/api/petitions/{pid}/signatures").json()]
    assert names == ["Коваль Марія Олексіївна", "Бондаренко Іван Миколайович"]
    # paper support: a duplicate of an online signer (spelled differently) and a duplicate inside the batch
    now = datetime.now().astimezone()
    assert staff.post(f"/api/petitions/{pid}/paper", {"signatures": []}).status_code == 403  # not a moderator's
    r = operator.post(f"/api/petitions/{pid}/paper", {"place": "ЦНАП № 1", "signatures": [
        {"full_name": "  КОВАЛЬ  Марія Олексіївна", "birthdate": "1999-12-01", "signed_at": now.isoformat(), **DNIPRO},
        {"full_name": "Петренко Петро Петрович", "birthdate": "1970-02-03", "signed_at": now.isoformat(), **DNIPRO},
        {"full_name": "Петренко  Петро Петрович", "birthdate": "1970-02-03", "signed_at": now.isoformat(), **DNIPRO},
        {"full_name": "Сидоренко Анна Іванівна", "birthdate": "1970-02-03",
         "signed_at": (start - timedelta(seconds=1)).isoformat(), **DNIPRO}]})
    got = r.json()
    assert {k: got[k] for k in ("accepted", "duplicates", "outside_period", "signatures")} == {
        "accepted": 1, "duplicates": [0, 2], "outside_period": [3], "signatures": 3}
    assert "онлайн через BankID" in got["refused"][0]["message"]  # where the first voice came from
    assert "на папері, ЦНАП № 1" in got["refused"][1]["message"]
    assert J(srv, resident_session(srv, "test-0001")).post(f"/api/petitions/{pid}/paper", {"place": "ЦНАП", "signatures": [
        {"full_name": "Хтось Інший", "birthdate": "1970-02-03", "signed_at": now.isoformat()}]}).status_code == 403
    # exports
    exp = anon.get(f"/api/petitions/{pid}/export.json").json()
    assert exp["signatures"] == 3 and [s["paper"] for s in exp["signers"]] == [False, False, True]
    rows = list(csv.DictReader(io.StringIO(anon.get(f"/api/petitions/{pid}/export.csv").text.lstrip("\ufeff"))))
    assert [r["name"] for r in rows] == ["Коваль Марія Олексіївна", "Бондаренко Іван Миколайович",
                                         "Петренко Петро Петрович"]
    allrows = list(csv.DictReader(io.StringIO(anon.get("/api/petitions/export.csv").text.lstrip("\ufeff"))))
    assert {r["id"]: r["signatures"] for r in allrows}[str(pid)] == "3"
    assert str(r2.json()["id"]) not in {r["id"] for r in allrows}  # rejected ones are not published
    # 997 paper signatures -> 1,000; the job sends it for review the same day and records it
    assert _paper(operator, pid, 997, now, "lc")["signatures"] == 1000
    out = manage(srv, "petitions_jobs", "--petition", str(pid)).stdout
    assert f"petition {pid}: review" in out
    p = anon.get(f"/api/petitions/{pid}").json()
    assert p["status"] == "review" and p["review_sent_at"]
    reached = datetime.fromisoformat(p["threshold_reached_at"])
    assert p["review_due"] == (reached.astimezone(KYIV).date() + timedelta(days=1)).isoformat()
    jobs = anon.get(f"/api/petitions/{pid}/jobs").json()
    assert jobs[0]["action"] == "review" and "on time" in jobs[0]["detail"]
    mails = smtp.wait_for("ivan@example.org")
    assert f"№ {pid}" in str(mails[0]["Subject"]) or str(pid) in body(mails[0])
    assert "1000" in body(mails[0])
    # the council's response; Maria chose only "appeal", so she gets nothing
    r = official.post(f"/api/petitions/{pid}/response", {"text": "Пандуси буде облаштовано у 2027 році."})
    assert r.json()["status"] == "answered"
    mails = smtp.wait_for("ivan@example.org", 2)
    assert any("Пандуси буде облаштовано" in body(m) for m in mails)
    assert smtp.messages("maria@example.org") == []


def test_threshold_999_and_1000(srv: Server) -> None:
    author, staff = J(srv, resident_session(srv, "test-0002")), J(srv, staff_session(srv, "moderator"))
    operator = J(srv, staff_session(srv, "operator"))
    p = _new_published(srv, author, staff, "Поріг: 999 і 1000")
    pid, now = p["id"], datetime.now().astimezone()
    assert _paper(operator, pid, 999, now, "t999")["signatures"] == 999
    assert manage(srv, "petitions_jobs", "--petition", str(pid)).stdout == ""
    assert J(srv).get(f"/api/petitions/{pid}").json()["status"] == "collecting"
    assert _paper(operator, pid, 1, now, "t1000")["signatures"] == 1000
    assert "review" in manage(srv, "petitions_jobs", "--petition", str(pid)).stdout
    assert J(srv).get(f"/api/petitions/{pid}").json()["status"] == "review"


def test_period_boundaries(srv: Server) -> None:
    author, staff = J(srv, resident_session(srv, "test-0003")), J(srv, staff_session(srv, "moderator"))
    operator = J(srv, staff_session(srv, "operator"))
    # a) the 1,000th signature in the last second of the period counts; one in the first second after does not
    p = _new_published(srv, author, staff, "Межа строку: останній підпис")
    pid, end = p["id"], datetime.fromisoformat(p["ends_at"])
    assert _paper(operator, pid, 999, datetime.now().astimezone(), "b1")["signatures"] == 999
    late = _paper(operator, pid, 1, end, "late")
    assert late["accepted"] == 0 and late["outside_period"] == [0]
    assert _paper(operator, pid, 1, end - timedelta(seconds=1), "last")["signatures"] == 1000
    out = manage(srv, "petitions_jobs", "--petition", str(pid), "--now", (end + timedelta(hours=3)).isoformat()).stdout
    assert "review" in out
    got = J(srv).get(f"/api/petitions/{pid}").json()
    assert datetime.fromisoformat(got["threshold_reached_at"]) == end - timedelta(seconds=1)
    # b) below the threshold: still collecting at the last second, an appeal from the first second after
    p = _new_published(srv, author, staff, "Межа строку: звернення")
    pid, end = p["id"], datetime.fromisoformat(p["ends_at"])
    _paper(operator, pid, 5, datetime.now().astimezone(), "b2")
    assert manage(srv, "petitions_jobs", "--petition", str(pid), "--now",
                  (end - timedelta(seconds=1)).isoformat()).stdout == ""
    assert J(srv).get(f"/api/petitions/{pid}").json()["status"] == "collecting"
    assert "appeal" in manage(srv, "petitions_jobs", "--petition", str(pid), "--now", end.isoformat()).stdout
    got = J(srv).get(f"/api/petitions/{pid}").json()
    assert got["status"] == "appeal" and got["appeal_index"].startswith("К-")
    reg = db_json(srv, f"list(M('edms.Registration').objects.filter(number='{got['appeal_number']}')"
                       ".values('registration_index', 'kind', 'deadline', 'summary', 'channel_code'))")
    assert reg[0]["registration_index"] == got["appeal_index"] and reg[0]["kind"] == "3.1"
    assert reg[0]["deadline"] == (end.astimezone(KYIV).date() + timedelta(days=30)).isoformat()
    assert "не набрала 1000 підписів (5)" in reg[0]["summary"]
    # the EDMS stand-in shows the card to officials
    page = staff_session(srv).get(srv.url + "/edms/", timeout=20).text
    assert got["appeal_index"] in page


def test_one_signature_per_person_under_concurrency(srv: Server) -> None:
    author, staff = J(srv, resident_session(srv, "test-0001")), J(srv, staff_session(srv, "moderator"))
    pid = _new_published(srv, author, staff, "Одночасні підписи")["id"]
    keys = seed_residents(srv, "conc", 40)
    same = keys[0]

    def sign(key: str) -> int:
        return J(srv, session_from_key(srv, key)).post(f"/api/petitions/{pid}/signature", {}).status_code

    with ThreadPoolExecutor(40) as pool:
        codes_same = list(pool.map(sign, [same] * 40))
        codes_many = list(pool.map(sign, keys[1:]))
    assert sorted(codes_same) == [201] + [409] * 39
    assert codes_many == [201] * 39
    count = db_json(srv, f"M('petitions.Signature').objects.filter(petition_id={pid}).count()")
    assert count == 40
    assert J(srv).get(f"/api/petitions/{pid}").json()["signatures"] == 40
