"""Participatory budget, consultations and surveys through the HTTP API of the real server process."""

from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor

from PIL import Image

from tests.server_instruments.helpers import J, Server, anon_session, db_json, resident_session, staff_session


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 120, 60)).save(buf, "PNG")
    return buf.getvalue()


def test_participatory_budget_cycle(srv: Server) -> None:
    staff, anon = J(srv, staff_session(srv, "budget")), J(srv, anon_session(srv))
    olena, ivan = J(srv, resident_session(srv, "test-0001")), J(srv, resident_session(srv, "test-0002"))
    assert staff.post("/api/budget/cycles", {"year": 2031, "total_budget": "1000000"}).status_code == 201
    costs = ["600000", "500000", "300000", "100000", "100000", "100000"]
    ids = []
    for i, cost in enumerate(costs):
        r = olena.post("/api/budget/cycles/2031/projects", {"title": f"Проєкт номер {i}", "description": "Опис проєкту",
                                                            "category": "improvement", "location": "вул. Робоча",
                                                            "cost": cost})
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    r = olena.s.post(f"{srv.url}/api/budget/projects/{ids[0]}/photo", files={"file": ("p.png", _png(), "image/png")},
                     headers={"X-CSRFToken": olena.s.cookies["csrftoken"]}, timeout=20)
    assert r.status_code == 200 and r.json()["photo"].startswith("/media/public/budget/")
    photo = r.json()["photo"]
    assert olena.get(r.json()["photo"]).content[:8] == b"\x89PNG\r\n\x1a\n"
    assert anon.get(r.json()["photo"]).status_code == 404  # not public before the review
    assert ivan.post(f"/api/budget/projects/{ids[0]}/vote").status_code == 409  # not the voting phase
    assert staff.post("/api/budget/cycles/2031/phase", {"phase": "voting"}).status_code == 409  # review first
    assert staff.post("/api/budget/cycles/2031/phase", {"phase": "review"}).json()["phase"] == "review"
    assert olena.post("/api/budget/cycles/2031/projects", {"title": "Запізнілий проєкт", "description": "Опис проєкту",
                                                           "category": "sport", "location": "вул. Нова", "cost": "1"}
                      ).status_code == 409
    assert staff.post(f"/api/budget/projects/{ids[5]}/review", {"decision": "reject"}).status_code == 422
    r = staff.post(f"/api/budget/projects/{ids[5]}/review", {"decision": "reject", "reason": "не комунальна земля"})
    assert r.json()["status"] == "rejected" and r.json()["review_reason"] == "не комунальна земля"
    for pid in ids[:5]:
        assert staff.post(f"/api/budget/projects/{pid}/review", {"decision": "accept"}).json()["status"] == "accepted"
    assert anon.get(photo).headers["Content-Type"] == "image/png"  # public once admitted to the vote
    staff.post("/api/budget/cycles/2031/phase", {"phase": "voting"})
    # votes: Ivan for 0, 2; Olena for 0..4 (5 = the default limit of projects per person)
    for pid in (ids[0], ids[2]):
        assert ivan.post(f"/api/budget/projects/{pid}/vote").status_code == 201
    assert ivan.post(f"/api/budget/projects/{ids[0]}/vote").json()["error"]["code"] == "already_voted"
    assert ivan.post(f"/api/budget/projects/{ids[5]}/vote").status_code == 409  # rejected project
    for pid in ids[:5]:
        assert olena.post(f"/api/budget/projects/{pid}/vote").status_code == 201
    # paper ballots: Ivan again on paper = duplicate; 6 projects = over the limit; a new person counts
    assert staff.post("/api/budget/cycles/2031/paper", {"ballots": []}).status_code == 403  # the operator's
    dnipro = {"registration": "м. Дніпро, вул. Робоча, 1"}
    r = J(srv, staff_session(srv, "operator")).post("/api/budget/cycles/2031/paper", {"place": "ЦНАП № 2", "ballots": [
        {"full_name": "бондаренко іван миколайович", "birthdate": "1985-07-21", "projects": [ids[1]], **dnipro},
        {"full_name": "Гнатюк Ольга", "birthdate": "1990-01-01", "projects": [ids[1], ids[2]], **dnipro},
        {"full_name": "Гнатюк Павло", "birthdate": "1990-01-01", "projects": [ids[5]], **dnipro}]})
    got = r.json()
    assert {k: got[k] for k in ("accepted", "duplicates", "invalid")} == {"accepted": 1, "duplicates": [0],
                                                                          "invalid": [2]}
    assert got["refused"][0]["code"] == "duplicate" and "онлайн через BankID" in got["refused"][0]["message"]
    res = {p["id"]: p["votes"] for p in anon.get("/api/budget/cycles/2031").json()["results"]}
    assert res == {ids[0]: 2, ids[1]: 2, ids[2]: 3, ids[3]: 1, ids[4]: 1}
    # implementation: most votes first (ties: cheaper first) while the money lasts:
    # 2 (3 votes, 300k), 1 (2 votes, 500k), 0 (2 votes, 600k) does not fit, 3 and 4 (100k each) do
    c = staff.post("/api/budget/cycles/2031/phase", {"phase": "implementation"}).json()
    status = {p["id"]: p["status"] for p in c["results"]}
    assert [status[i] for i in ids[:5]] == ["not_selected", "winner", "winner", "winner", "winner"]
    assert staff.post(f"/api/budget/projects/{ids[0]}/milestones", {"date": "2031-06-01", "title": "Початок",
                                                                   "progress": 10}).status_code == 409
    staff.post(f"/api/budget/projects/{ids[2]}/milestones", {"date": "2031-05-01", "title": "Договір", "progress": 10})
    r = staff.post(f"/api/budget/projects/{ids[2]}/milestones", {"date": "2031-09-01", "title": "Здано",
                                                                "progress": 100})
    assert r.json()["status"] == "done" and [m["progress"] for m in r.json()["milestones"]] == [10, 100]
    r = staff.s.post(f"{srv.url}/api/budget/projects/{ids[2]}/milestones/2/photo",
                     files={"file": ("done.png", _png(), "image/png")},
                     headers={"X-CSRFToken": staff.s.cookies["csrftoken"]}, timeout=20)
    assert r.json()["milestones"][1]["photo"].endswith(".png")
    page = anon.get(f"/budget/projects/{ids[2]}/").text
    assert "Договір" in page and "Здано" in page and r.json()["milestones"][1]["photo"] in page


def test_consultation_cycle(srv: Server) -> None:
    staff, ivan = J(srv, staff_session(srv, "publisher")), J(srv, resident_session(srv, "test-0002"))
    r = staff.post("/api/consult/consultations", {"title": "Правила паркування", "document":
                   "1. Загальні положення.\n\n2. Паркування на тротуарах заборонено.\n\n3. Штрафи."})
    cid = r.json()["id"]
    assert len(r.json()["paragraphs"]) == 3
    assert ivan.post(f"/api/consult/consultations/{cid}/comments", {"paragraph": 2, "text": "Додати винятки"}
                     ).status_code == 201
    assert ivan.post(f"/api/consult/consultations/{cid}/comments", {"text": "Загалом підтримую"}).status_code == 201
    assert ivan.post(f"/api/consult/consultations/{cid}/comments", {"paragraph": 9, "text": "?"}).status_code == 422
    assert J(srv, anon_session(srv)).post(f"/api/consult/consultations/{cid}/comments", {"text": "анонім"}
                                          ).status_code == 401
    c = staff.post(f"/api/consult/consultations/{cid}/summary", {"summary": "Враховано: винятки для швидкої."}).json()
    assert c["status"] == "closed" and [(m["paragraph"], m["text"]) for m in c["comments"]] == [
        (2, "Додати винятки"), (None, "Загалом підтримую")]
    assert ivan.post(f"/api/consult/consultations/{cid}/comments", {"text": "пізно"}).status_code == 409
    assert "Враховано: винятки для швидкої." in J(srv).get(f"/consultations/{cid}/").text


def test_anonymous_survey_one_answer_per_person(srv: Server) -> None:
    staff = J(srv, staff_session(srv, "publisher"))
    r = staff.post("/api/consult/surveys", {"title": "Оцінка ремонту", "anonymous": True, "questions": [
        {"kind": "single", "text": "Задоволені?", "options": ["Так", "Ні"]},
        {"kind": "multiple", "text": "Що добре?", "options": ["Дорога", "Тротуар", "Освітлення"]},
        {"kind": "scale", "text": "Оцінка"}, {"kind": "text", "text": "Побажання"}]})
    sid = r.json()["id"]
    ivan, maria = J(srv, resident_session(srv, "test-0002")), J(srv, resident_session(srv, "test-0003"))
    answers = {"1": "Так", "2": ["Тротуар", "Дорога"], "3": 4, "4": "Більше лав"}
    assert ivan.post(f"/api/consult/surveys/{sid}/responses", {"consent": False, "answers": answers}
                     ).json()["error"]["code"] == "consent_required"
    assert ivan.post(f"/api/consult/surveys/{sid}/responses", {"consent": True, "answers": {**answers, "3": 9}}
                     ).status_code == 422

    def send(_: int) -> int:
        return ivan.post(f"/api/consult/surveys/{sid}/responses", {"consent": True, "answers": answers}).status_code

    with ThreadPoolExecutor(12) as pool:
        codes = list(pool.map(send, range(12)))
    assert sorted(codes) == [201] + [409] * 11
    assert maria.post(f"/api/consult/surveys/{sid}/responses", {"consent": True, "answers": {
        "1": "Ні", "2": ["Освітлення"], "3": 2, "4": "Світло"}}).status_code == 201
    res = J(srv).get(f"/api/consult/surveys/{sid}/results").json()
    assert res[0]["counts"] == [{"option": "Так", "count": 1}, {"option": "Ні", "count": 1}]
    assert res[1]["counts"] == [{"option": "Дорога", "count": 1}, {"option": "Тротуар", "count": 1},
                                {"option": "Освітлення", "count": 1}]
    assert res[3]["texts"] == ["Більше лав", "Світло"]
    rows = list(csv.reader(io.StringIO(J(srv).get(f"/api/consult/surveys/{sid}/results.csv").text.lstrip("\ufeff"))))
    assert ["1", "Задоволені?", "Так", "1"] in rows
    # what the database keeps: no person, no time on the answers; tokens are opaque and unlinked
    stored = db_json(srv, f"list(M('consult.Response').objects.filter(survey_id={sid}).values('resident_id', "
                          f"'submitted_on', 'consent'))")
    assert stored == [{"resident_id": None, "submitted_on": None, "consent": True}] * 2
    tokens = db_json(srv, f"list(M('consult.AnswerToken').objects.filter(survey_id={sid}).values_list('token', "
                          f"flat=True))")
    # Ivan has an RNOKPP (two keys, two tokens), Maria has none (one)
    assert len(tokens) == 3 and all(len(t) == 64 for t in tokens)
    assert "test-0002" not in "".join(tokens)
    fields = db_json(srv, "[f.name for f in M('consult.AnswerToken')._meta.get_fields()]")
    # who took part and where (online / the office of a paper form), never what was answered nor when
    assert sorted(fields) == ["day", "paper", "place", "survey", "token"]
    kept = db_json(srv, f"list(M('consult.AnswerToken').objects.filter(survey_id={sid}).values_list('paper', 'place', "
                        f"'day').distinct())")
    assert kept == [[False, "", None]]
    # an open survey keeps the person (and shows it in the cabinet)
    r = staff.post("/api/consult/surveys", {"title": "Відкрите опитування", "anonymous": False, "questions": [
        {"kind": "single", "text": "Так чи ні?", "options": ["Так", "Ні"]}]})
    oid = r.json()["id"]
    assert ivan.post(f"/api/consult/surveys/{oid}/responses", {"consent": True, "answers": {"1": "Так"}}
                     ).status_code == 201
    assert ivan.post(f"/api/consult/surveys/{oid}/responses", {"consent": True, "answers": {"1": "Ні"}}
                     ).status_code == 409
    mine = [s["survey"] for s in ivan.get("/api/cabinet/me").json()["open_surveys_answered"]]
    assert oid in mine and sid not in mine
