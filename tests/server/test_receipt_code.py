"""The receipt is the key to the answer (issue 12, docs/receipt.md), at every door of the server
as a real process: another terminal's credential (appeal lookup and answer PDF), the status
page behind the receipt's link, the resident cabinet; and the lockout after wrong codes, with
its entry on the technicians' fleet page. The test plays the terminal that took the appeal: it
hashes the code with the terminal's own code (kiosk_app.core.access) and sends the hash with
its ``delivered`` event, as the sync agent does."""

from __future__ import annotations

import json
import re
import subprocess
from typing import Any

import pytest
import requests

from kiosk_app.core import access
from tests.server.citysrv_drop import deliver, number
from tests.server.citysrv_helpers import PY, ROOT, Api, Server, resident_session, staff_session
from tests.server.test_browser import audit, browser  # noqa: F401  (the Chromium fixture)
from tests.server.test_terminal_api import wait_for

BASE = "/api/terminal/v1"


def filed(server: Server, api17: Api, seq: int, *, answer: str | None = None) -> tuple[str, str]:
    """An appeal of terminal 017 delivered, registered (and answered); returns (number, code)."""
    num, code = number("017", seq), access.new_code()
    deliver(server.drop, num)
    r = api17.post("/events", json={"type": "delivered", "number": num, "detail": {"pages": 1},
                                    "access_hash": access.hash_code(code)},
                   headers={"Idempotency-Key": f"deliver-{num}"})
    assert r.status_code == 201, r.text
    wait_for(lambda: (server.drop / f"{num}.ack.json").exists())
    if answer:
        server.cli("edms-answer", num, "--text", answer)
    return num, code


def no_status(r: requests.Response) -> None:
    text = r.text
    for leak in ("registered", "answered", "registration_index", "deadline", "Б-", "/answers/"):
        assert leak not in text, f"{leak!r} leaked: {text[:300]}"


def test_another_terminal_gets_nothing_without_the_code_and_everything_with_it(server: Server, api17: Api,
                                                                               api18: Api) -> None:
    num, code = filed(server, api17, 401, answer="Дорогу на вул. Робочій відремонтовано.")
    # the owner reads its own appeal for delivery without a code
    own = api17.get(f"/appeals/{num}")
    assert own.status_code == 200 and own.json()["status"] == "answered"
    answer_url = own.json()["answer"]["url"].removeprefix(BASE)
    assert api17.get(answer_url).status_code == 200
    # terminal 018, number only: neither status nor answer
    bare = api18.get(f"/appeals/{num}")
    assert bare.status_code == 403 and bare.json()["error"]["code"] == "access_denied"
    no_status(bare)
    pdf_bare = api18.get(answer_url)
    assert pdf_bare.status_code == 403 and not pdf_bare.content.startswith(b"%PDF")
    wrong = api18.get(f"/appeals/{num}", headers={"X-Access-Code": access.new_code()})
    assert wrong.status_code == 403
    no_status(wrong)
    # with the receipt's code, as a resident types it (lower case, hyphen)
    typed = access.display(code).lower()
    look = api18.get(f"/appeals/{num}", headers={"X-Access-Code": typed})
    assert look.status_code == 200, look.text
    assert look.json()["status"] == "answered" and look.json()["answer"]["url"].removeprefix(BASE) == answer_url
    pdf = api18.get(answer_url, headers={"X-Access-Code": code})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # the code of another appeal does not open this one
    other_num, other_code = filed(server, api17, 402)
    assert api18.get(f"/appeals/{num}", headers={"X-Access-Code": other_code}).status_code == 403
    assert api18.get(f"/appeals/{other_num}", headers={"X-Access-Code": other_code}).status_code == 200


def test_only_the_owning_terminal_sets_the_hash_and_the_first_one_stays(server: Server, api17: Api,
                                                                         api18: Api) -> None:
    num, code = filed(server, api17, 403)
    forged = access.new_code()
    r = api18.post("/events", json={"type": "delivered", "number": num, "access_hash": access.hash_code(forged)},
                   headers={"Idempotency-Key": f"forge-{num}"})
    assert r.status_code == 403
    again = api17.post("/events", json={"type": "delivered", "number": num, "access_hash": access.hash_code(forged)},
                       headers={"Idempotency-Key": f"redeliver-{num}"})
    assert again.status_code == 201
    assert api18.get(f"/appeals/{num}", headers={"X-Access-Code": forged}).status_code == 403
    assert api18.get(f"/appeals/{num}", headers={"X-Access-Code": code}).status_code == 200
    weak = api17.post("/events", json={"type": "delivered", "number": num,
                                       "access_hash": "pbkdf2_sha256$1000$abcdefabcdef$" + "A" * 43 + "="},
                      headers={"Idempotency-Key": f"weak-{num}"})
    assert weak.status_code == 422


def test_status_page_asks_for_the_code_and_shows_status_deadline_and_answer(server: Server, api17: Api) -> None:
    num, code = filed(server, api17, 404, answer="Відповідь про освітлення.")
    display = f"017-000404-{num[9]}"
    visitor = requests.Session()
    # the SMS link (number only): a form asking for the code, no status
    ask = visitor.get(f"{server.url}/a/{num}", timeout=20)
    assert ask.status_code == 200 and 'name="code"' in ask.text and display in ask.text
    no_status(ask)
    assert "надано відповідь" not in ask.text and "Бондаренко" not in ask.text
    wrong = visitor.get(f"{server.url}/a/{num}", params={"k": access.new_code()}, timeout=20)
    assert wrong.status_code == 403 and "Невірний код" in wrong.text and "надано відповідь" not in wrong.text
    # the receipt's link: number and code; the code leaves the address at once
    link = access.status_link("http://x/a/{number}", num, code).replace("http://x", server.url)
    first = visitor.get(link, timeout=20, allow_redirects=False)
    assert first.status_code == 302 and first.headers["Location"].endswith(f"/a/{num}") and code not in \
        first.headers["Location"]
    page = visitor.get(f"{server.url}/a/{num}", timeout=20)
    assert page.status_code == 200 and "надано відповідь / answered" in page.text
    assert re.search(r"Відповідь до / Answer due</dt><dd>\d\d\.\d\d\.20\d\d", page.text)
    assert "ready: print it at any terminal" in page.text
    assert "Бондаренко" not in page.text and "380501234567" not in page.text, "no personal data"
    # another browser with the number only still sees nothing
    no_status(requests.get(f"{server.url}/a/{num}", timeout=20))
    # typing the code into the form works too
    other = requests.Session()
    form = other.get(f"{server.url}/a/{num}", timeout=20)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert token
    cyrillic = access.display(code).translate(str.maketrans("ABEKMHPCTXY", "АВЕКМНРСТХУ"))     # look-alikes
    posted = other.post(f"{server.url}/a/{num}", data={"code": cyrillic, "csrfmiddlewaretoken": token[1]},
                        headers={"Referer": f"{server.url}/a/{num}"}, timeout=20)
    assert posted.status_code == 200 and "надано відповідь / answered" in posted.text


def _csrf(s: requests.Session) -> dict[str, str]:
    return {"X-CSRFToken": s.cookies.get("csrftoken") or "", "Content-Type": "application/json"}


def test_cabinet_follows_an_appeal_only_with_its_code(server: Server, api17: Api) -> None:
    num, code = filed(server, api17, 405)
    display = f"017-000405-{num[9]}"
    ivan = resident_session(server, "test-0002")

    def mine() -> dict[str, Any]:
        me = ivan.get(f"{server.url}/api/cabinet/me", timeout=20).json()
        return {a["number"]: a for a in me["appeals"]}

    r = ivan.post(f"{server.url}/api/cabinet/appeals", data=json.dumps({"number": num}), headers=_csrf(ivan), timeout=20)
    assert r.status_code == 403 and r.json()["error"]["code"] == "access_denied"
    assert display not in mine()
    r = ivan.post(f"{server.url}/api/cabinet/appeals", data=json.dumps({"number": num, "code": access.new_code()}),
                  headers=_csrf(ivan), timeout=20)
    assert r.status_code == 403 and display not in mine()
    r = ivan.post(f"{server.url}/api/cabinet/appeals", data=json.dumps({"number": num, "code": code}),
                  headers=_csrf(ivan), timeout=20)
    assert r.status_code == 201, r.text
    assert mine()[display]["status"] == "registered" and mine()[display]["registration_index"].startswith("Б-")


def test_wrong_codes_lock_the_number_at_every_door_and_the_technician_sees_it(server: Server, api17: Api,
                                                                             api18: Api) -> None:
    num, code = filed(server, api17, 406)
    codes = [api18.get(f"/appeals/{num}", headers={"X-Access-Code": access.new_code()}).status_code for _ in range(5)]
    assert codes == [403, 403, 403, 403, 429]
    # now even the right code is refused, at the terminal API and at the status page
    locked = api18.get(f"/appeals/{num}", headers={"X-Access-Code": code})
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "access_locked"
    no_status(locked)
    page = requests.get(f"{server.url}/a/{num}", params={"k": code}, timeout=20)
    assert page.status_code == 429 and "Забагато невірних кодів" in page.text
    # the owner still reads it for delivery
    assert api17.get(f"/appeals/{num}").status_code == 200
    fleet = staff_session(server, "technician").get(f"{server.url}/fleet/", timeout=20).text
    row = fleet.split('id="terminal-018"')[1].split("</tr>")[0]
    assert f"Receipt code locked: {num} (terminal" in row
    assert code not in fleet


def test_a_terminal_sending_many_wrong_codes_is_locked_out(server: Server, api17: Api) -> None:
    num, code = filed(server, api17, 407)
    api19 = Api(server.url + BASE, server.token("019"))
    for seq in range(500, 520):        # twenty numbers, one wrong code each: under the per-number limit
        api19.get(f"/appeals/{number('017', seq)}", headers={"X-Access-Code": access.new_code()})
    r = api19.get(f"/appeals/{num}", headers={"X-Access-Code": code})
    assert r.status_code == 429 and r.json()["error"]["code"] == "access_locked"
    api20 = Api(server.url + BASE, server.token("020"))
    assert api20.get(f"/appeals/{num}", headers={"X-Access-Code": code}).status_code == 200


def test_the_applicant_signed_in_through_bankid_needs_no_code(server: Server, api17: Api) -> None:
    """Where the server knows the applicant (a petition of theirs became this appeal), the
    applicant signed in through BankID sees the status without the code; nobody else does."""
    num, _code = filed(server, api17, 409)
    ivan, maria = resident_session(server, "test-0002"), resident_session(server, "test-0003")
    petition = ("from server_stub.core.models import Resident\nfrom server_stub.petitions.models import Petition\n"
                f"Petition.objects.create(title='Петиція', text='Текст', appeal_number='{num}', "
                "author=Resident.objects.get(family_name='Бондаренко', given_name='Іван'))")
    subprocess.run([PY, "-m", "server_stub.cli", "manage", "--db", server.db_url, "--data-dir", str(server.data_dir),
                    "shell", "-c", petition], cwd=ROOT, env=server.env, check=True, capture_output=True, timeout=120)
    mine = ivan.get(f"{server.url}/a/{num}", timeout=20)
    assert mine.status_code == 200 and "зареєстроване, розглядається" in mine.text and 'name="code"' not in mine.text
    theirs = maria.get(f"{server.url}/a/{num}", timeout=20)
    assert 'name="code"' in theirs.text
    no_status(theirs)
    r = ivan.post(f"{server.url}/api/cabinet/appeals", data=json.dumps({"number": num}), headers=_csrf(ivan), timeout=20)
    assert r.status_code == 201, r.text
    r = maria.post(f"{server.url}/api/cabinet/appeals", data=json.dumps({"number": num}), headers=_csrf(maria),
                   timeout=20)
    assert r.status_code == 403


@pytest.mark.browser
def test_status_page_in_chromium_from_the_receipt_link_and_by_typing_the_code(server: Server, api17: Api,
                                                                              browser: Any) -> None:  # noqa: F811
    num, code = filed(server, api17, 408, answer="Відповідь для браузера.")
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(access.status_link("http://x/a/{number}", num, code).replace("http://x", server.url))
    assert page.url == f"{server.url}/a/{num}", "the code leaves the address bar"
    assert "надано відповідь / answered" in page.locator("#status").inner_text()
    assert audit(page, "appeal-status") == []
    ctx.close()
    ctx = browser.new_context()                      # another visitor: the SMS link, then the code typed
    page = ctx.new_page()
    page.goto(f"{server.url}/a/{num}")
    assert page.locator("#status").count() == 0 and "answered" not in page.content()
    assert audit(page, "appeal-status-ask") == []
    page.get_by_label("Код доступу з чека / Access code from the receipt").fill(access.new_code())
    page.get_by_role("button", name="Показати / Show").click()
    page.wait_for_selector("#refused")
    assert page.locator("#status").count() == 0
    page.get_by_label("Код доступу з чека / Access code from the receipt").fill(access.display(code).lower())
    page.get_by_role("button", name="Показати / Show").click()
    page.wait_for_selector("#status")
    assert "готова" in page.locator("#answer").inner_text()
    ctx.close()
