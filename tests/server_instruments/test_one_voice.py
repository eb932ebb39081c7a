"""One person, one voice (docs/server.md "Identity key"): paper and online entries of the same person meet,
in both orders, for petitions, budget votes and surveys; the refusal says where the first voice came from;
residence in the community is checked where the rules ask for it. Against the real server process."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from zoneinfo import ZoneInfo

import requests

from tests.server_instruments.helpers import (
    J,
    Server,
    db_json,
    resident_session,
    seed_person,
    seed_residents,
    session_from_key,
    staff_session,
)

DNIPRO = "м. Дніпро, вул. Робоча, 1"
# The BankID stand-in's test residents as an operator copies them from a paper form
IVAN = {"full_name": "Бондаренко Іван Миколайович", "birthdate": "1985-07-21", "registration": DNIPRO}  # + RNOKPP
OLENA_RNOKPP_ONLY = {"full_name": "Шевченко Олена", "rnokpp": "2234812341", "registration": DNIPRO}  # name short
MARIA = {"full_name": "коваль марія олексіївна", "birthdate": "1999-12-01", "registration": DNIPRO}  # no RNOKPP


def _petition(srv: Server, title: str) -> int:
    author, moderator = J(srv, resident_session(srv, "test-0001")), J(srv, staff_session(srv, "moderator"))
    pid = author.post("/api/petitions/", {"title": title, "text": "Прошу міську раду облаштувати велодоріжки."}).json()["id"]
    assert moderator.post(f"/api/petitions/{pid}/moderate", {"action": "publish"}).json()["status"] == "collecting"
    return pid


def _sign_paper(operator: J, pid: int, place: str, *people: dict) -> dict:
    now = datetime.now().astimezone().isoformat()
    r = operator.post(f"/api/petitions/{pid}/paper", {"place": place, "signatures": [
        {**person, "signed_at": now} for person in people]})
    assert r.status_code == 200, r.text
    return r.json()


def staff_session_copy(staff: J) -> requests.Session:
    """A new connection with the same staff sign-in (one per thread)."""
    s = requests.Session()
    s.cookies.update(staff.s.cookies)
    return s


def test_petition_paper_then_online_and_online_then_paper(srv: Server) -> None:
    pid = _petition(srv, "Велодоріжки: один голос")
    operator = J(srv, staff_session(srv, "operator"))
    ivan, olena, maria = (J(srv, resident_session(srv, f"test-000{i}")) for i in (2, 1, 3))
    today = datetime.now(ZoneInfo("Europe/Kyiv")).strftime("%d.%m.%Y")   # the server's day (TIME_ZONE), not this machine's
    # paper first (name and date of birth, no RNOKPP on the form), then the same person online
    assert _sign_paper(operator, pid, "термінал 017", IVAN)["accepted"] == 1
    r = ivan.post(f"/api/petitions/{pid}/signature", {})
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_signed"
    assert f"на папері, термінал 017, {today}" in r.json()["error"]["message"]
    assert "on paper at термінал 017" in r.json()["error"]["message"]
    # online first, then on paper: by the RNOKPP though the name on the form is short, and by name + birth date
    assert olena.post(f"/api/petitions/{pid}/signature", {}).status_code == 201
    assert maria.post(f"/api/petitions/{pid}/signature", {}).status_code == 201
    got = _sign_paper(operator, pid, "ЦНАП № 3", OLENA_RNOKPP_ONLY, MARIA)
    assert got["accepted"] == 0 and got["duplicates"] == [0, 1]
    assert all(f"онлайн через BankID, {today}" in x["message"] for x in got["refused"])
    assert J(srv).get(f"/api/petitions/{pid}").json()["signatures"] == 3
    # residence: a resident of Kyiv may not sign online nor on paper; a form without birth date or RNOKPP counts no one
    kyivan = J(srv, resident_session(srv, "test-0004"))
    r = kyivan.post(f"/api/petitions/{pid}/signature", {})
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_resident"
    got = _sign_paper(operator, pid, "ЦНАП № 3", {**MARIA, "full_name": "Інша Особа", "registration": "м. Київ"},
                      {"full_name": "Без Дати", "registration": DNIPRO},
                      {"full_name": "Хибний Номер", "rnokpp": "1234567890", "registration": DNIPRO})
    assert [x["code"] for x in got["refused"]] == ["not_resident", "not_identified", "not_identified"]
    assert got["signatures"] == 3


def test_budget_vote_paper_then_online_and_online_then_paper(srv: Server) -> None:
    staff, operator = J(srv, staff_session(srv, "budget")), J(srv, staff_session(srv, "operator"))
    olena, ivan, maria = (J(srv, resident_session(srv, f"test-000{i}")) for i in (1, 2, 3))
    assert staff.post("/api/budget/cycles", {"year": 2021, "total_budget": "1000000"}).status_code == 201
    ids = [olena.post("/api/budget/cycles/2021/projects", {"title": f"Сквер номер {i}", "description": "Опис скверу",
                                                          "category": "improvement", "location": "вул. Робоча",
                                                          "cost": "1000"}).json()["id"] for i in range(2)]
    staff.post("/api/budget/cycles/2021/phase", {"phase": "review"})
    for pid in ids:
        staff.post(f"/api/budget/projects/{pid}/review", {"decision": "accept"})
    staff.post("/api/budget/cycles/2021/phase", {"phase": "voting"})
    # paper first: Maria's ballot at an office; online she may not vote again (not even for another project)
    r = operator.post("/api/budget/cycles/2021/paper", {"place": "ЦНАП № 2", "ballots": [
        {**MARIA, "projects": [ids[0]], "dated": "2021-05-04"}]})
    assert r.json()["accepted"] == 1, r.text
    for pid in ids:
        r = maria.post(f"/api/budget/projects/{pid}/vote")
        assert r.status_code == 409 and "на папері, ЦНАП № 2, 04.05.2021" in r.json()["error"]["message"]
    # online first: Ivan votes online; his paper ballot (name and birth date only) is a duplicate
    assert ivan.post(f"/api/budget/projects/{ids[1]}/vote").status_code == 201
    r = operator.post("/api/budget/cycles/2021/paper", {"place": "термінал 018", "ballots": [
        {**IVAN, "projects": [ids[0]]}, {**OLENA_RNOKPP_ONLY, "projects": [ids[0]]}]})
    got = r.json()
    assert got["accepted"] == 1 and got["duplicates"] == [0]
    assert "онлайн через BankID" in got["refused"][0]["message"]
    # Olena voted on paper (by her RNOKPP): online she is refused too
    r = olena.post(f"/api/budget/projects/{ids[1]}/vote")
    assert r.status_code == 409 and "на папері, термінал 018" in r.json()["error"]["message"]
    votes = {p["id"]: p["votes"] for p in J(srv).get("/api/budget/cycles/2021").json()["results"]}
    assert votes == {ids[0]: 2, ids[1]: 1}
    # residence: the Kyivan may not vote
    r = J(srv, resident_session(srv, "test-0004")).post(f"/api/budget/projects/{ids[0]}/vote")
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_resident"


def test_survey_paper_then_online_and_online_then_paper(srv: Server) -> None:
    staff, operator = J(srv, staff_session(srv, "publisher")), J(srv, staff_session(srv, "operator"))
    sid = staff.post("/api/consult/surveys", {"title": "Зупинки: один голос", "anonymous": True, "questions": [
        {"kind": "single", "text": "Потрібна нова зупинка?", "options": ["Так", "Ні"]}]}).json()["id"]
    ivan, maria = J(srv, resident_session(srv, "test-0002")), J(srv, resident_session(srv, "test-0003"))

    def paper(place: str, *people: dict) -> dict:
        r = operator.post(f"/api/consult/surveys/{sid}/paper", {"place": place, "forms": [
            {**p, "consent": True, "answers": {"1": "Ні"}} for p in people]})
        assert r.status_code == 200, r.text
        return r.json()

    # paper first: Ivan's form carries only his RNOKPP; online he is refused, told where he answered
    assert paper("термінал 017", {"full_name": "Бондаренко І. М.", "rnokpp": "3124845676"})["accepted"] == 1
    r = ivan.post(f"/api/consult/surveys/{sid}/responses", {"consent": True, "answers": {"1": "Так"}})
    assert r.status_code == 409 and "на папері, термінал 017" in r.json()["error"]["message"]
    # online first: Maria answers online; her paper form is refused
    assert maria.post(f"/api/consult/surveys/{sid}/responses", {"consent": True, "answers": {"1": "Так"}}
                      ).status_code == 201
    got = paper("ЦНАП № 1", MARIA)
    assert got["accepted"] == 0
    # an anonymous survey keeps no date of the first voice, so the message names none
    assert got["refused"][0]["message"] == ("Голос цієї особи вже враховано: онлайн через BankID / "
                                            "This person's voice is already counted: online through BankID")
    # Olena answers online (BankID gives her RNOKPP); her paper form without it meets her by name and birth date
    olena = J(srv, resident_session(srv, "test-0001"))
    assert olena.post(f"/api/consult/surveys/{sid}/responses", {"consent": True, "answers": {"1": "Так"}}
                      ).status_code == 201
    got = paper("ЦНАП № 1", {"full_name": "Шевченко Олена Петрівна", "birthdate": "1961-03-09"})
    assert got["accepted"] == 0 and got["refused"][0]["code"] == "already_answered"
    counts = J(srv).get(f"/api/consult/surveys/{sid}/results").json()[0]["counts"]
    assert counts == [{"option": "Так", "count": 2}, {"option": "Ні", "count": 1}]


def test_200_concurrent_signers_with_duplicates_leave_exact_counts(srv: Server) -> None:
    """200 requests at once: 160 people sign online, 20 of them sign again, and 20 of them are entered from
    paper at the same moment. Exactly 160 signatures stay, each person once, every duplicate refused."""
    pid = _petition(srv, "Велодоріжки: двісті одночасно")
    people = 160
    keys = seed_residents(srv, "crowd", people)
    operator = J(srv, staff_session(srv, "operator"))
    now = datetime.now().astimezone().isoformat()
    jobs = [("online", i) for i in range(people)] + [("online", i) for i in range(20)] + \
        [("paper", i) for i in range(people - 20, people)]
    start = threading.Barrier(len(jobs))

    def run(job: tuple[str, int]) -> str:
        kind, i = job
        session = J(srv, session_from_key(srv, keys[i])) if kind == "online" else \
            J(srv, staff_session_copy(operator))
        start.wait(60)
        if kind == "online":
            r = session.post(f"/api/petitions/{pid}/signature", {})
            return {201: "counted", 409: "refused"}.get(r.status_code, f"HTTP {r.status_code}: {r.text[:200]}")
        r = session.post(f"/api/petitions/{pid}/paper", {"place": "ЦНАП № 4", "signatures": [
            {**seed_person("crowd", i), "signed_at": now}]})
        assert r.status_code == 200, r.text
        return "counted" if r.json()["accepted"] == 1 else "refused"

    with ThreadPoolExecutor(len(jobs)) as pool:
        outcomes = list(pool.map(run, jobs))
    assert sorted(set(outcomes)) == ["counted", "refused"], outcomes
    assert outcomes.count("counted") == people and outcomes.count("refused") == 40
    counted_of: dict[int, int] = {}
    for (_, i), outcome in zip(jobs, outcomes, strict=True):
        counted_of[i] = counted_of.get(i, 0) + (outcome == "counted")
    assert counted_of == {i: 1 for i in range(people)}  # each person once, whichever request came first
    assert J(srv).get(f"/api/petitions/{pid}").json()["signatures"] == people
    names = [s["name"] for s in J(srv).get(f"/api/petitions/{pid}/signatures").json()]
    assert sorted(names) == sorted(f"Тестовий crowd-{i}" for i in range(people))
    rows = db_json(srv, f"M('petitions.Signature').objects.filter(petition_id={pid}).count()")
    assert rows == people
