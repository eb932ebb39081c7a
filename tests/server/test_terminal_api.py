"""The terminal API flows of docs/terminal-api.md against the server as a real process."""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
from datetime import UTC, datetime
from typing import Any

import requests

from kiosk_app.core import access
from tests.server.citysrv_drop import deliver, number
from tests.server.citysrv_helpers import Api, Server, staff_session

BASE = "/api/terminal/v1"
# exactly the keys of the feed items documented in docs/terminal-api.md
FEED_KEYS = {"seq", "type", "number", "display_number", "terminal", "status", "registration_index",
             "registered_at", "deadline", "reason", "at", "answer"}


def wait_for(fn: Any, timeout: float = 15.0) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = fn()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def heartbeat_body(sent_at: str, queue: int = 2, scanner: str = "ready") -> dict[str, Any]:
    return {"sent_at": sent_at, "app_version": "0.1.0", "queue_depth": queue,
            "devices": [{"device": "scanner", "state": scanner, "detail": "paper_jam" if scanner == "fault" else "",
                         "consumables": {}, "last_error": None}],
            "consumables": {"receipt_paper": 42}, "oldest_undelivered": {"number": number("017", 1), "since": sent_at},
            "last_errors": []}


def test_no_token_wrong_token_and_revoked_token_get_401(server: Server) -> None:
    anon = Api(server.url + BASE)
    r = anon.get("/feed")
    assert r.status_code == 401
    assert r.json() == {"error": {"code": "unauthorized", "message": r.json()["error"]["message"], "details": []}}
    assert Api(server.url + BASE, "tc_017_not-a-real-token").get("/feed").status_code == 401
    token = server.cli("issue-terminal-credential", "099").stdout.strip().splitlines()[-1]
    assert token.startswith("tc_099_")
    api = Api(server.url + BASE, token)
    assert api.get("/feed").status_code == 200
    out = server.cli("revoke-terminal-credential", "099")
    assert "1 credential(s) revoked" in out.stdout
    assert api.get("/feed").status_code == 401


def test_heartbeat_is_idempotent_by_sent_at_and_conflicts_on_other_body(api17: Api) -> None:
    sent = datetime.now(UTC).replace(microsecond=0).isoformat()
    first = api17.post("/heartbeat", json=heartbeat_body(sent))
    assert first.status_code == 200, first.text
    assert first.json()["duplicate"] is False and first.json()["heartbeat_interval_s"] == 60
    again = api17.post("/heartbeat", json=heartbeat_body(sent))
    assert again.status_code == 200 and again.json()["duplicate"] is True
    clash = api17.post("/heartbeat", json=heartbeat_body(sent, queue=7))
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "idempotency_conflict"


def test_heartbeat_validation_error_uses_the_envelope(api17: Api) -> None:
    r = api17.post("/heartbeat", json={"sent_at": "yesterday", "app_version": ""})
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "validation_error"
    assert {tuple(d["loc"][-1:]) for d in err["details"]} >= {("sent_at",), ("app_version",)}


def test_events_need_idempotency_key_and_replay_returns_same_id(api17: Api) -> None:
    body = {"type": "alert", "detail": {"severity": "warning", "code": "PaperNearEnd", "message": "receipt paper low"}}
    assert api17.post("/events", json=body).json()["error"]["code"] == "bad_request"
    first = api17.post("/events", json=body, headers={"Idempotency-Key": "k-alert-1"})
    assert first.status_code == 201, first.text
    again = api17.post("/events", json=body, headers={"Idempotency-Key": "k-alert-1"})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"] and again.json()["duplicate"]
    other = api17.post("/events", json={**body, "detail": {}}, headers={"Idempotency-Key": "k-alert-1"})
    assert other.status_code == 409
    bad = api17.post("/events", json={"type": "delivered", "number": "0170001230"},
                     headers={"Idempotency-Key": "k-bad-number"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_number"


def test_lookup_rejects_bad_check_character_and_unknown_numbers(api17: Api) -> None:
    good = number("017", 999_998)
    wrong = good[:9] + ("0" if good[9] != "0" else "1")
    assert api17.get(f"/appeals/{wrong}").json()["error"]["code"] == "invalid_number"
    r = api17.get(f"/appeals/{good[:3]}-{good[3:9]}-{good[9]}")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_drop_folder_to_feed_to_answer_download(server: Server, api17: Api, api18: Api) -> None:
    num = number("017", 123)
    start = api17.get("/feed").json()
    cursor = start["next_cursor"]
    deliver(server.drop, num)
    code = access.new_code()           # the receipt's code; the terminal sends only its salted hash
    r = api17.post("/events", json={"type": "delivered", "number": num, "detail": {"pages": 1},
                                    "access_hash": access.hash_code(code)},
                   headers={"Idempotency-Key": f"deliver-{num}"})
    assert r.status_code == 201
    ack = wait_for(lambda: (server.drop / f"{num}.ack.json").exists() and
                   json.loads((server.drop / f"{num}.ack.json").read_text()))
    assert ack["document_id"] == num and ack["status"] == "registered"
    assert ack["registration_index"].startswith("Б-")
    assert (server.drop / f"{num}.pdf").exists(), "ack-file mode leaves the pair for the agent"

    page = api17.get("/feed", params={"cursor": cursor}).json()
    mine = [i for i in page["items"] if i["number"] == num]
    assert mine and mine[0]["status"] == "registered" and mine[0]["registration_index"] == ack["registration_index"]
    assert set(mine[0]) == FEED_KEYS
    assert mine[0]["display_number"] == f"017-000123-{num[9]}"
    # the same cursor gives the same items (retry after a timeout is harmless)
    assert api17.get("/feed", params={"cursor": cursor}).json() == page
    # terminal 018 does not see 017's appeal in its feed, but can look it up with the receipt's code
    assert all(i["number"] != num for i in api18.get("/feed").json()["items"])
    assert api18.get(f"/appeals/{num}").status_code == 403
    look = api18.get(f"/appeals/{num}", headers={"X-Access-Code": code}).json()
    assert look["status"] == "registered" and look["terminal"] == "017" and look["overdue"] is False
    assert "Бондаренко" not in json.dumps(look, ensure_ascii=False), "no personal data in the lookup"

    out = server.cli("edms-answer", num, "--text", "Ліфт відремонтовано 30.11.")
    assert "published" in out.stdout
    page2 = api17.get("/feed", params={"cursor": page["next_cursor"]}).json()
    answer_items = [i for i in page2["items"] if i["number"] == num and i["type"] == "answer"]
    assert answer_items and answer_items[0]["status"] == "answered"
    meta = answer_items[0]["answer"]
    assert int(page2["next_cursor"]) > int(page["next_cursor"])

    assert api18.get(f"/answers/{meta['id']}.pdf").status_code == 403
    whole = api18.get(f"/answers/{meta['id']}.pdf", headers={"X-Access-Code": code})
    assert whole.status_code == 200 and whole.headers["Content-Type"] == "application/pdf"
    assert whole.content.startswith(b"%PDF-")
    digest = hashlib.sha256(whole.content).hexdigest()
    assert whole.headers["X-Content-SHA256"] == digest == meta["sha256"]
    assert len(whole.content) == meta["size"]
    text = subprocess.run(["pdftotext", "-", "-"], input=whole.content, capture_output=True, check=True).stdout
    assert "Ліфт відремонтовано 30.11." in text.decode() and "017-000123-" in text.decode()
    # resume after 1000 bytes
    part = api17.get(f"/answers/{meta['id']}.pdf", headers={"Range": "bytes=1000-"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 1000-{meta['size'] - 1}/{meta['size']}"
    assert whole.content[:1000] + part.content == whole.content
    stale = api17.get(f"/answers/{meta['id']}.pdf", headers={"Range": "bytes=1000-", "If-Range": '"other"'})
    assert stale.status_code == 200 and len(stale.content) == meta["size"]
    beyond = api17.get(f"/answers/{meta['id']}.pdf", headers={"Range": f"bytes={meta['size']}-"})
    assert beyond.status_code == 416 and beyond.headers["Content-Range"] == f"bytes */{meta['size']}"

    # delivering the same ID again registers once: same index in the new ack
    (server.drop / f"{num}.ack.json").unlink()
    deliver(server.drop, num)
    ack2 = wait_for(lambda: (server.drop / f"{num}.ack.json").exists() and
                    json.loads((server.drop / f"{num}.ack.json").read_text()))
    assert ack2["registration_index"] == ack["registration_index"]

    # the official sees it answered on the EDMS page
    s = staff_session(server)
    card = s.get(f"{server.url}/edms/{num}/", timeout=20)
    assert card.status_code == 200 and ack["registration_index"] in card.text and "Ліфт відремонтовано" in card.text


def test_feed_paging_is_monotonic_and_limited(server: Server, api17: Api) -> None:
    for seq in (201, 202, 203):
        deliver(server.drop, number("017", seq))
    wait_for(lambda: all((server.drop / f"{number('017', s)}.ack.json").exists() for s in (201, 202, 203)))
    cursor, seen = "0", []
    while True:
        page = api17.get("/feed", params={"cursor": cursor, "limit": 2}).json()
        assert len(page["items"]) <= 2
        seen += [i["seq"] for i in page["items"]]
        if not page["has_more"]:
            break
        cursor = page["next_cursor"]
    assert seen == sorted(seen) and len(seen) == len(set(seen)) and len(seen) >= 3
    assert api17.get("/feed", params={"cursor": "abc"}).status_code == 422
    assert api17.get("/feed", params={"limit": 0}).status_code == 422


def test_fleet_page_shows_heartbeat_devices_and_alerts(server: Server, api17: Api) -> None:
    sent = datetime.now(UTC).replace(microsecond=0)
    for i, q in enumerate((3, 5, 9)):
        body = heartbeat_body(sent.replace(second=(sent.second + i + 1) % 60).isoformat(), queue=q,
                              scanner="fault" if q == 9 else "ready")
        body["sent_at"] = datetime.fromtimestamp(sent.timestamp() + 100 + i, UTC).isoformat()
        assert api17.post("/heartbeat", json=body).status_code == 200
    assert requests.get(server.url + "/fleet/", timeout=20, allow_redirects=False).status_code == 302
    s = staff_session(server, "technician")
    page = s.get(server.url + "/fleet/", timeout=20).text
    row = page.split('id="terminal-017"')[1].split("</tr>")[0]
    assert "scanner" in row and "fault" in row and "paper_jam" in row
    assert "receipt_paper: 42" in row
    assert "9 ← 5 ← 3" in row, "queue growing over the last heartbeats"
    assert "PaperNearEnd" in row, "the alert event is shown"


def test_fleet_flags_an_appeal_delivered_but_never_imported(server: Server, api17: Api) -> None:
    lost = number("017", 888)  # the agent says it delivered it; nothing arrives in the drop folder
    r = api17.post("/events", json={"type": "delivered", "number": lost}, headers={"Idempotency-Key": f"d-{lost}"})
    assert r.status_code == 201
    page = staff_session(server, "technician").get(server.url + "/fleet/", timeout=20).text
    row = page.split('id="terminal-017"')[1].split("</tr>")[0]
    assert f"Звернення {lost} передано, але СЕД його не прийняла" in row
