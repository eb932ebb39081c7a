"""Deputies and roll-call votes, online commission meetings with signed votes, the cabinet, the open budget."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta

from nacl.signing import SigningKey

from tests.server.citysrv_helpers import Server, resident_session, staff_session
from tests.server_instruments.helpers import J, Smtp, anon_session, body, db_json, manage, shell


def signer(deputy_id: int) -> SigningKey:
    """The demo deputies' test keys (server_stub/meetings/demo.py): seed "demo-deputy-<id>" padded with dots."""
    return SigningKey(f"demo-deputy-{deputy_id}".encode().ljust(32, b"."))


def canonical(obj: dict) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def test_deputies_votes_popolo_and_standard(srv: Server) -> None:
    anon, staff = J(srv, anon_session(srv)), J(srv, staff_session(srv, "secretary"))
    deputies = anon.get("/api/council/deputies").json()
    assert len(deputies) == 7 and deputies[0]["reception_hours"]
    found = anon.get("/api/council/deputies/by-address", params={"address": "м. Дніпро, вул. Робоча, 5"}).json()
    assert found["district"] == 3 and {d["name"] for d in found["deputies"]} == {
        "Лисенко Віктор Андрійович", "Гончаренко Ірина Василівна"}
    assert anon.get("/api/council/deputies/by-address", params={"address": "вул. Невідома"}).status_code == 404
    ev = anon.get("/api/council/vote-events").json()[-1]
    assert {c["option"]: c["value"] for c in ev["counts"]} == {"yes": 4, "no": 1, "abstain": 1, "not_voting": 0,
                                                               "absent": 1}
    assert ev["result"] == "pass" and len(ev["votes"]) == 7
    # import in the Ukrainian open data standard, export it back
    ids = {d["name"]: d["id"] for d in deputies}
    motions = "motionUid,motionDate,motionTitle,motionResult\n2026-11-20-1,2026-11-20,Про тарифи,Не прийнято\n"
    votings = "motionUid,voterId,voterName,motionTitle,result\n" + "".join(
        f"2026-11-20-1,{101 + i},{name},Про тарифи,{res}\n" for i, (name, res) in enumerate(
            [(n, r) for n, r in zip(sorted(ids), ["За", "Проти", "Проти", "Утримався", "Відсутній", "Не голосував",
                                                  "Проти"], strict=True)]))
    r = staff.post("/api/council/import/standard", {"motions_csv": motions, "votings_csv": votings})
    assert r.status_code == 201, r.text
    rows = list(csv.DictReader(io.StringIO(anon.get("/api/council/standard/votings.csv").text)))
    mine = [r for r in rows if r["motionUid"] == "2026-11-20-1"]
    assert len(mine) == 7 and {r["result"] for r in mine} == {"За", "Проти", "Утримався", "Відсутній", "Не голосував"}
    mrows = {r["motionUid"]: r for r in csv.DictReader(io.StringIO(anon.get("/api/council/standard/motions.csv").text))}
    assert mrows["2026-11-20-1"]["motionNo"] == "3" and mrows["2026-11-20-1"]["motionResult"] == "Не прийнято"
    bad = votings.replace("Утримався", "Може")
    assert staff.post("/api/council/import/standard", {"motions_csv": motions.replace("-1,", "-2,"),
                                                       "votings_csv": bad.replace("-1,", "-2,")}).status_code == 422
    # Popolo in and out
    first = deputies[0]["id"]
    doc = {"vote_events": [{"motion": {"id": "2026-11-21-4", "text": "Про сквер", "date": "2026-11-21"},
                            "start_date": "2026-11-21T12:00:00+02:00", "result": "pass",
                            "votes": [{"voter_id": f"deputy-{d['id']}", "option": "yes"} for d in deputies]}]}
    r = staff.s.post(srv.url + "/api/council/import/popolo", data=json.dumps(doc),
                     headers={"X-CSRFToken": staff.s.cookies["csrftoken"], "Content-Type": "application/json"})
    assert r.status_code == 201, r.text
    popolo = anon.get("/api/council/popolo.json").json()
    ev = next(e for e in popolo["vote_events"] if e["motion"]["id"] == "2026-11-21-4")
    assert {"option": "yes", "value": 7} in ev["counts"]
    assert f"deputy-{first}" in {p["id"] for p in popolo["persons"]}
    # annual report, once a year
    assert staff.post(f"/api/council/deputies/{first}/reports", {"year": 2026, "text": "Звіт"}).status_code == 201
    assert staff.post(f"/api/council/deputies/{first}/reports", {"year": 2026, "text": "Ще один звіт"}).status_code == 409
    assert "Звіт" in anon.get(f"/deputies/{first}/").text


def test_meeting_quorum_signed_votes_minutes(srv: Server) -> None:
    anon, staff = J(srv, anon_session(srv)), J(srv, staff_session(srv, "secretary"))
    com = next(c for c in anon.get("/api/council/factions").json()["commissions"] if "бюджету" in c["name"])
    assert len(com["members"]) == 5
    members = [d["id"] for d in anon.get("/api/council/deputies").json() if com["name"] in d["commissions"]]
    r = staff.post("/api/meetings/", {"commission": com["id"], "title": "Засідання № 15",
                                      "starts_at": datetime.now().astimezone().isoformat(),
                                      "video_url": "https://meet.example.org/15",
                                      "agenda": ["Про ремонт шкіл", "Про сквер"]})
    mid = r.json()["id"]

    def register(dep: int, key: SigningKey | None = None) -> int:
        payload = anon.get(f"/api/meetings/{mid}/to-sign", params={"deputy": dep}).json()["payload"].encode()
        sig = (key or signer(dep)).sign(payload).signature.hex()
        return anon.post(f"/api/meetings/{mid}/register", {"deputy": dep, "signature": sig}).status_code

    assert register(members[0], SigningKey(b"x" * 32)) == 422  # someone else's key
    assert register(members[0]) == 201 and register(members[0]) == 409
    assert register(members[1]) == 201
    q = anon.get(f"/api/meetings/{mid}").json()["quorum"]
    assert q == {"members": 5, "present": 2, "required": 3, "quorum": False}  # 2 of 5: no quorum
    assert staff.post(f"/api/meetings/{mid}/items/1/open").json()["error"]["code"] == "no_quorum"
    assert register(members[2]) == 201
    assert anon.get(f"/api/meetings/{mid}").json()["quorum"]["quorum"] is True  # 3 of 5: quorum
    assert staff.post(f"/api/meetings/{mid}/items/1/open").status_code == 200

    def ballot(dep: int, option: str, tamper: bool = False) -> dict:
        payload = canonical({"action": "vote", "meeting": mid, "item": item_id, "deputy": dep, "option": option,
                             "nonce": nonce})
        sig = bytearray(signer(dep).sign(payload).signature)
        if tamper:
            sig[10] ^= 0x01
        r = anon.post(f"/api/meetings/{mid}/items/1/ballots", {"deputy": dep, "option": option,
                                                               "signature": sig.hex()})
        return {"status": r.status_code, **r.json()}

    server_payload = json.loads(anon.get(f"/api/meetings/{mid}/to-sign", params={
        "deputy": members[0], "item": 1, "option": "yes"}).json()["payload"])
    item_id, nonce = server_payload["item"], server_payload["nonce"]
    assert ballot(members[0], "yes", tamper=True)["error"]["code"] == "bad_signature"  # altered signature
    assert ballot(members[0], "yes")["status"] == 201
    assert ballot(members[0], "no")["error"]["code"] == "already_voted"
    assert ballot(members[3], "yes")["error"]["code"] == "not_registered"
    assert ballot(members[1], "yes")["status"] == 201
    assert ballot(members[2], "abstain")["status"] == 201
    m = staff.post(f"/api/meetings/{mid}/items/1/close").json()
    assert m["agenda"][0]["result"] == "fail"  # 2 "for" of 5 members is not a majority
    ev = anon.get(f"/api/council/vote-events/{m['agenda'][0]['vote_event']}").json()
    assert {c["option"]: c["value"] for c in ev["counts"]} == {"yes": 2, "no": 0, "abstain": 1, "not_voting": 0,
                                                               "absent": 2}
    assert ev["source"] == f"meeting-{mid}"
    ballots = anon.get(f"/api/meetings/{mid}/ballots").json()
    for b in ballots:  # anyone can verify each vote with the published key
        from nacl.signing import VerifyKey

        VerifyKey(bytes.fromhex(b["public_key"])).verify(b["payload"].encode(), bytes.fromhex(b["signature"]))
    assert anon.get(f"/api/meetings/{mid}/verify").json()["all_valid"] is True
    # tampering with a stored vote afterwards is detected
    shell(srv, f"from server_stub.meetings.models import Ballot\n"
               f"Ballot.objects.filter(item__meeting_id={mid}, deputy_id={members[2]}).update(option='yes')")
    checks = anon.get(f"/api/meetings/{mid}/verify").json()
    assert checks["all_valid"] is False
    assert [c["deputy"] for c in checks["checks"] if not c["valid"]] == [members[2]]
    assert staff.post(f"/api/meetings/{mid}/close").status_code == 200
    pdf = anon.get(f"/api/meetings/{mid}/minutes.pdf")
    assert pdf.content.startswith(b"%PDF-")
    page = anon.get(f"/meetings/{mid}/").text
    assert "Про ремонт шкіл" in page and "За: 2, проти: 0, утрималися: 1" in page
    assert "кворум: є" in page


def test_cabinet(srv: Server, smtp: Smtp) -> None:
    staff = J(srv, staff_session(srv, "operator"))  # reception slots
    ivan, maria = J(srv, resident_session(srv, "test-0002")), J(srv, resident_session(srv, "test-0003"))
    assert J(srv).get("/cabinet/", allow_redirects=False).headers["Location"].startswith("/auth/bankid/")
    assert J(srv, anon_session(srv)).get("/api/cabinet/me").status_code == 401
    # a petition of Maria that became an appeal shows up; a terminal number can be followed
    r = maria.post("/api/petitions/", {"title": "Кабінет: звернення", "text": "Текст петиції для кабінету мешканця."})
    pid = r.json()["id"]
    p = J(srv, staff_session(srv, "moderator")).post(f"/api/petitions/{pid}/moderate", {"action": "publish"}).json()
    manage(srv, "petitions_jobs", "--petition", str(pid), "--now", p["ends_at"])
    assert maria.post("/api/cabinet/appeals", {"number": "017-000123-0"}).status_code == 422
    # a terminal's appeal only with its receipt's code (tests/server/test_receipt_code.py)
    assert maria.post("/api/cabinet/appeals", {"number": "017-000123-4"}).status_code == 403
    appeals = {a["number"]: a for a in maria.get("/api/cabinet/me").json()["appeals"]}
    petition_appeal = J(srv).get(f"/api/petitions/{pid}").json()
    assert appeals["900-" + petition_appeal["appeal_number"][3:9] + "-" + petition_appeal["appeal_number"][9]][
        "registration_index"] == petition_appeal["appeal_index"]
    assert "017-000123-4" not in appeals
    # appointments: capacity 1, cancellation frees the place
    official = db_json(srv, "M('cabinet.Official').objects.first().pk")
    start = datetime.now().astimezone() + timedelta(hours=5)
    slot = staff.post("/api/cabinet/slots", {"official": official, "starts_at": start.isoformat(), "capacity": 1}
                      ).json()["id"]
    b1 = ivan.post("/api/cabinet/bookings", {"slot": slot, "purpose": "Ремонт під'їзду"})
    assert b1.status_code == 201
    assert maria.post("/api/cabinet/bookings", {"slot": slot, "purpose": "Дитячий майданчик"}
                      ).json()["error"]["code"] == "full"
    assert ivan.post(f"/api/cabinet/bookings/{b1.json()['id']}/cancel").json()["cancelled"] is True
    assert maria.post(f"/api/cabinet/bookings/{b1.json()['id']}/cancel").status_code == 404  # not hers
    assert maria.post("/api/cabinet/bookings", {"slot": slot, "purpose": "Дитячий майданчик",
                                                "email": "maria.cab@example.org"}).status_code == 201
    assert "reminders sent: 1" in manage(srv, "cabinet_reminders").stdout
    (mail,) = smtp.wait_for("maria.cab@example.org")
    assert "Нагадування" in str(mail["Subject"]) and "Дитячий майданчик" in body(mail)
    assert "reminders sent: 0" in manage(srv, "cabinet_reminders").stdout  # once
    # staff look at the list -> Maria sees who requested her data
    assert [b["purpose"] for b in staff.get(f"/api/cabinet/slots/{slot}/bookings").json()] == ["Дитячий майданчик"]
    me = maria.get("/api/cabinet/me").json()
    assert me["data_access"][0]["accessor"] == "operator" and "прийом" in me["data_access"][0]["purpose"]
    assert any(s["title"] for s in J(srv).get("/api/cabinet/services").json())


def test_open_budget_import_and_charts(srv: Server) -> None:
    staff, anon = J(srv, staff_session(srv, "publisher")), J(srv, anon_session(srv))
    text = ("year,kind,fund,code,name,sector,plan,executed\n"
            "2040,expense,general,0611021,Школи,Освіта,1000,900\n"
            "2040,expense,special,1217461,Дороги,Транспорт,500,250\n"
            "2040,revenue,general,11010000,ПДФО,Податки,2000,2100\n"
            "2041,expense,general,0611021,Школи,Освіта,1100,1000\n")
    assert staff.post("/api/open-budget/import/budget", {"csv": text}).json() == {"years": [2040, 2041], "lines": 4}
    assert staff.post("/api/open-budget/import/budget", {"csv": "a,b\n1,2\n"}).status_code == 422
    assert anon.post("/api/open-budget/import/budget", {"csv": text}).status_code == 401
    y = anon.get("/api/open-budget/years/2040").json()
    assert y["by_sector"] == {"Освіта": 900.0, "Транспорт": 250.0}
    assert y["by_fund"]["Видатки, спеціальний фонд"] == 250.0
    hist = {h["year"]: h for h in anon.get("/api/open-budget/over-years").json()}
    assert hist["2041"]["executed"] == 1000.0
    page = anon.get("/open-budget/?year=2040").text
    assert page.count("<svg") >= 3 and "<script" not in page and "Освіта" in page
    assert staff.post("/api/open-budget/import/repairs", {"csv": "title,address,lat,lon,cost,status,prozorro_id\n"
                                                          "Дах школи,вул. Робоча 1,48.44,35.01,4200000,триває,"
                                                          "UA-2040-01-01-000001-a\n"}).json() == {"repairs": 1}
    rep = anon.get("/open-budget/repairs/").text
    assert "https://prozorro.gov.ua/tender/UA-2040-01-01-000001-a" in rep and "<circle" in rep
