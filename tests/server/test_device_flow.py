"""Sign-in at a terminal with BankID on the phone (issue #18, the server's half): RFC 8414 metadata,
the RFC 8628 device authorization grant for terminals, and the phone's pages.

The city server runs as a real process; a terminal is a requests session with its bearer
credential; the phone is a second session that goes through the BankID stand-in's real OAuth
redirect flow. Most tests use their own server with a 1 s poll interval and 15 s codes; the
contract's defaults (300 s, 5 s) are checked on the shared one.
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.server.citysrv_helpers import PY, ROOT, Server, bankid_round_trip, run_server

GRANT = "urn:ietf:params:oauth:grant-type:device_code"
TTL, INTERVAL = 15, 1
USER_CODE = re.compile(r"^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$")
# the stand-in's test residents (server_stub/standins/bankid/demo.py)
IVAN = {"surname": "Бондаренко", "given_name": "Іван", "patronymic": "Миколайович", "birthdate": "1985-07-21",
        "rnokpp": "3124845676", "document_number": "004512345", "address": "м. Дніпро, просп. Поля, 10"}
MARIA = {"surname": "Коваль", "given_name": "Марія", "patronymic": "Олексіївна", "birthdate": "1999-12-01",
         "rnokpp": None, "document_number": "001234567", "address": "м. Дніпро, вул. Січеславська, 5"}


@pytest.fixture(scope="module")
def fast(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    """A server with short codes and polls, logging at DEBUG (its log is checked for personal data)."""
    tmp = tmp_path_factory.mktemp("devflow")
    with run_server(tmp, [],
                    {"CITY_SERVER_DEVICE_CODE_TTL": str(TTL), "CITY_SERVER_DEVICE_POLL_INTERVAL": str(INTERVAL),
                     "CITY_SERVER_DEVICE_CODE_TRIES": "3", "CITY_SERVER_LOG_LEVEL": "DEBUG",
                     "CITY_SERVER_EDMS_INTERVAL": "0"}) as srv:
        yield srv, tmp / "server.log"


@pytest.fixture
def srv(fast: tuple[Server, Path]) -> Server:
    return fast[0]


class Terminal:
    """A terminal's side: form posts with its bearer credential."""

    def __init__(self, server: Server, code: str, token: str | None = None) -> None:
        self.server, self.code = server, code
        self.s = requests.Session()
        self.s.headers["Authorization"] = f"Bearer {token or server.token(code)}"

    def post(self, path: str, **form: str) -> requests.Response:
        return self.s.post(self.server.url + path, data=form, timeout=20)

    def start(self) -> dict[str, Any]:
        r = self.post("/oauth/device_authorization", scope="identity")
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    def poll(self, device_code: str) -> requests.Response:
        return self.post("/oauth/token", grant_type=GRANT, device_code=device_code)

    def cancel(self, device_code: str) -> requests.Response:
        return self.post("/oauth/device_authorization/cancel", device_code=device_code)


def error(r: requests.Response) -> str:
    assert r.status_code == 400, (r.status_code, r.text)
    assert r.headers["Cache-Control"] == "no-store"
    body = r.json()
    assert set(body) == {"error", "error_description"} and body["error_description"]
    return body["error"]  # type: ignore[no-any-return]


class Phone:
    """The resident's phone: its own cookies, its own client address (X-Forwarded-For from loopback)."""

    def __init__(self, server: Server, address: str | None = None) -> None:
        self.server = server
        self.s = requests.Session()
        self.s.headers["X-Forwarded-For"] = address or f"198.51.100.{secrets.randbelow(250) + 1}"

    def page(self, path: str) -> requests.Response:
        return self.s.get(self.server.url + path, timeout=20, allow_redirects=False)

    def form(self, path: str, **data: str) -> requests.Response:
        if "csrftoken" not in self.s.cookies:
            self.page("/device")
        return self.s.post(self.server.url + path, data={**data, "csrfmiddlewaretoken": self.s.cookies["csrftoken"]},
                           timeout=20, allow_redirects=False)

    def enter(self, user_code: str) -> requests.Response:
        shown = self.page(f"/device?user_code={user_code}")
        assert shown.status_code == 200 and f'value="{user_code}"' in shown.text
        return self.form("/device", user_code=user_code)

    def sign_in(self, user_code: str, resident: str = "test-0002") -> requests.Response:
        """Enter the code, sign in through BankID, land on the confirmation page."""
        entered = self.enter(user_code)
        assert entered.status_code == 302 and entered.headers["Location"] == "/auth/bankid/?next=/device/confirm"
        start = self.page(entered.headers["Location"])
        back = bankid_round_trip(self.server, self.s, start, resident)
        assert back.headers["Location"] == "/device/confirm"
        return self.page("/device/confirm")

    def decide(self, action: str) -> requests.Response:
        return self.form("/device/confirm", action=action)


def state(r: requests.Response) -> str:
    m = re.search(r'data-state="(\w+)"', r.text)
    return m.group(1) if m else ""


def test_metadata_and_the_contract_defaults(server: Server) -> None:
    meta = requests.get(server.url + "/.well-known/oauth-authorization-server", timeout=20)
    assert meta.status_code == 200 and meta.headers["Content-Type"] == "application/json"
    m = meta.json()
    assert m["issuer"] == server.url
    assert m["device_authorization_endpoint"] == server.url + "/oauth/device_authorization"
    assert m["token_endpoint"] == server.url + "/oauth/token"
    assert GRANT in m["grant_types_supported"] and m["scopes_supported"] == ["identity"]
    term = Terminal(server, "031")
    got = term.start()
    assert set(got) == {"device_code", "user_code", "verification_uri", "verification_uri_complete",
                        "expires_in", "interval"}
    assert got["expires_in"] == 300 and got["interval"] == 5
    assert len(got["device_code"]) >= 43 and re.fullmatch(r"[A-Za-z0-9_-]+", got["device_code"])
    assert USER_CODE.match(got["user_code"])
    assert got["verification_uri"] == server.url + "/device"
    assert got["verification_uri_complete"] == f"{server.url}/device?user_code={got['user_code']}"
    # RFC 8628 §3.5 with the real 5 s interval: at once -> slow_down; after 6 s (more than 5, less
    # than the 10 it became) still slow_down
    assert error(term.poll(got["device_code"])) == "authorization_pending"
    assert error(term.poll(got["device_code"])) == "slow_down"
    time.sleep(6)
    assert error(term.poll(got["device_code"])) == "slow_down"
    assert term.cancel(got["device_code"]).json() == {"status": "cancelled"}


def test_happy_path_identity_once_and_the_cabinet_record(srv: Server) -> None:
    srv.cli("issue-terminal-credential", "041", "--name", "ЦНАП Соборний", "--address", "пл. Ради, 1")
    term = Terminal(srv, "041", srv.cli("issue-terminal-credential", "041").stdout.strip().splitlines()[-1])
    got = term.start()
    assert error(term.poll(got["device_code"])) == "authorization_pending"
    phone = Phone(srv)
    page = phone.sign_in(got["user_code"], "test-0002")
    assert page.status_code == 200 and 'data-step="confirm"' in page.text, page.text[:500]
    # which terminal asks (number and place) and which data it will get
    assert "<strong>041</strong>: ЦНАП Соборний, пл. Ради, 1" in page.text
    for value in IVAN.values():
        assert f"<dd>{value}</dd>" in page.text.replace("&#x27;", "'")
    time.sleep(INTERVAL)
    assert error(term.poll(got["device_code"])) == "authorization_pending"   # shown, not yet approved
    second = Phone(srv).enter(got["user_code"])            # the code is bound to the first resident now
    assert second.status_code == 409 and state(second) == "used"
    forged = phone.s.post(srv.url + "/device/confirm", data={"action": "approve"}, timeout=20, allow_redirects=False)
    assert forged.status_code == 403 and "CSRF" in forged.text                 # Approve needs the page's token
    done = phone.decide("approve")
    assert done.status_code == 200 and state(done) == "approved"
    time.sleep(INTERVAL)
    r = term.poll(got["device_code"])
    received = datetime.now(ZoneInfo("Europe/Kyiv"))
    assert r.status_code == 200, r.text
    assert r.headers["Cache-Control"] == "no-store"
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 600 and body["scope"] == "identity"
    assert len(body["access_token"]) >= 32
    identity = body["identity"]
    assert {k: identity[k] for k in IVAN} == IVAN
    assert identity["verified_by"] == "bankid"
    verified = datetime.strptime(identity["verified_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - verified).total_seconds()) < 60
    # once only
    time.sleep(INTERVAL)
    assert error(term.poll(got["device_code"])) == "invalid_grant"
    # the phone cannot use the code again (nor can another phone)
    again = phone.enter(got["user_code"])
    assert again.status_code == 409 and state(again) == "used"
    assert state(Phone(srv).enter(got["user_code"])) == "used"
    # "who saw my data" in the resident's cabinet: terminal 041 received your identity at HH:MM
    me = phone.page("/api/cabinet/me").json()
    hhmm = {received.strftime("%H:%M"), datetime.fromtimestamp(received.timestamp() - 60,
                                                                ZoneInfo("Europe/Kyiv")).strftime("%H:%M")}
    records = [a for a in me["data_access"] if "041" in a["accessor"]]
    assert len(records) == 1, me["data_access"]
    assert records[0]["accessor"] == "Термінал 041 / Terminal 041"
    assert any(records[0]["purpose"].endswith(f"received your identity at {t}") for t in hhmm), records
    cabinet = phone.page("/cabinet/")
    assert cabinet.status_code == 200 and "Термінал 041 / Terminal 041" in cabinet.text


def test_denial(srv: Server) -> None:
    term = Terminal(srv, "042")
    got = term.start()
    phone = Phone(srv)
    assert 'data-step="confirm"' in phone.sign_in(got["user_code"], "test-0001").text
    denied = phone.decide("deny")
    assert denied.status_code == 200 and state(denied) == "denied"
    assert "Термінал не отримає ваших даних" in denied.text
    assert error(term.poll(got["device_code"])) == "access_denied"
    assert error(term.poll(got["device_code"])) in ("access_denied", "slow_down")
    assert not [a for a in phone.page("/api/cabinet/me").json()["data_access"] if "042" in a["accessor"]]
    assert state(phone.enter(got["user_code"])) == "used"        # a denied code stays used


def test_expiry_on_both_sides(srv: Server) -> None:
    term = Terminal(srv, "043")
    waiting, signed = term.start(), term.start()
    phone = Phone(srv)
    assert 'data-step="confirm"' in phone.sign_in(signed["user_code"]).text
    time.sleep(TTL + 0.5)
    assert error(term.poll(waiting["device_code"])) == "expired_token"
    late = phone.decide("approve")                         # signed in before, approving too late
    assert late.status_code == 410 and state(late) == "expired"
    assert error(term.poll(signed["device_code"])) == "expired_token"
    entered = Phone(srv).enter(waiting["user_code"])
    assert entered.status_code == 410 and state(entered) == "expired"
    assert "Час дії коду минув" in entered.text and "The code has expired" in entered.text


def test_slow_down_adds_five_seconds(srv: Server) -> None:
    term = Terminal(srv, "044")
    got = term.start()
    assert error(term.poll(got["device_code"])) == "authorization_pending"
    assert error(term.poll(got["device_code"])) == "slow_down"          # at once: interval is now 1 + 5
    time.sleep(INTERVAL + 0.6)                                          # on time for 1 s, early for 6 s
    assert error(term.poll(got["device_code"])) == "slow_down"


def test_revoked_terminal(srv: Server) -> None:
    token = srv.cli("issue-terminal-credential", "045").stdout.strip().splitlines()[-1]
    term = Terminal(srv, "045", token)
    before_phone, signed = term.start(), term.start()
    phone = Phone(srv)
    assert 'data-step="confirm"' in phone.sign_in(signed["user_code"]).text
    srv.cli("revoke-terminal-credential", "045")
    for r in (term.post("/oauth/device_authorization", scope="identity"), term.poll(before_phone["device_code"]),
              term.cancel(before_phone["device_code"])):
        assert r.status_code == 401 and r.json()["error"] == "invalid_client"
        assert r.headers["WWW-Authenticate"].startswith("Bearer")
    entered = Phone(srv).enter(before_phone["user_code"])
    assert entered.status_code == 403 and state(entered) == "revoked"
    shown = phone.page("/device/confirm")
    assert shown.status_code == 403 and state(shown) == "revoked"
    refused = phone.decide("approve")
    assert refused.status_code == 403 and state(refused) == "revoked"
    # nothing reached anyone: a new credential of the same terminal gets no identity either
    fresh = Terminal(srv, "045", srv.cli("issue-terminal-credential", "045").stdout.strip().splitlines()[-1])
    assert error(fresh.poll(signed["device_code"])) == "authorization_pending"
    assert not [a for a in phone.page("/api/cabinet/me").json()["data_access"] if "045" in a["accessor"]]


def test_no_credential_and_a_foreign_device_code(srv: Server) -> None:
    anon = requests.post(srv.url + "/oauth/device_authorization", data={"scope": "identity"}, timeout=20)
    assert anon.status_code == 401 and anon.json()["error"] == "invalid_client"
    assert requests.post(srv.url + "/oauth/token", data={"grant_type": GRANT, "device_code": "x"},
                         headers={"Authorization": "Bearer tc_046_forged"}, timeout=20).status_code == 401
    mine, other = Terminal(srv, "046"), Terminal(srv, "047")
    got = mine.start()
    phone = Phone(srv)
    phone.sign_in(got["user_code"])
    assert state(phone.decide("approve")) == "approved"
    assert error(other.poll(got["device_code"])) == "invalid_grant"       # 047 cannot take 046's identity
    assert error(other.cancel(got["device_code"])) == "invalid_grant"
    assert error(other.poll(secrets.token_urlsafe(32))) == "invalid_grant"
    r = mine.poll(got["device_code"])
    assert r.status_code == 200 and r.json()["identity"]["surname"] == "Бондаренко"
    assert error(mine.post("/oauth/token", grant_type="authorization_code", device_code=got["device_code"])) \
        == "unsupported_grant_type"
    assert error(mine.post("/oauth/device_authorization", scope="openid")) == "invalid_scope"


def test_the_kiosk_session_ends_before_the_phone_approves(srv: Server) -> None:
    term = Terminal(srv, "048")
    got, later = term.start(), term.start()
    phone = Phone(srv)
    assert 'data-step="confirm"' in phone.sign_in(got["user_code"]).text
    assert term.cancel(got["device_code"]).json() == {"status": "cancelled"}
    shown = phone.page("/device/confirm")
    assert shown.status_code == 410 and state(shown) == "ended"
    assert "Сеанс на терміналі вже завершено" in shown.text and "session at the terminal has ended" in shown.text
    assert state(phone.decide("approve")) == "ended"
    assert error(term.poll(got["device_code"])) == "invalid_grant"
    assert term.cancel(later["device_code"]).json() == {"status": "cancelled"}
    assert state(Phone(srv).enter(later["user_code"])) == "ended"


def test_unknown_and_malformed_codes_and_the_lockout(srv: Server) -> None:
    term = Terminal(srv, "049")
    got = term.start()
    phone = Phone(srv, "203.0.113.9")
    bad = phone.form("/device", user_code="12-34")
    assert bad.status_code == 400 and state(bad) == "malformed"
    for _ in range(3):                                     # CITY_SERVER_DEVICE_CODE_TRIES=3
        wrong = phone.form("/device", user_code="BBBB-BBBB" if got["user_code"] != "BBBB-BBBB" else "CCCC-CCCC")
        assert wrong.status_code == 404 and state(wrong) == "unknown"
        assert "Такого коду немає" in wrong.text and 'id="user_code"' in wrong.text
    locked = phone.form("/device", user_code=got["user_code"])    # even the right code, from this address
    assert locked.status_code == 429 and state(locked) == "locked"
    elsewhere = Phone(srv, "203.0.113.10").enter(got["user_code"].lower().replace("-", " "))
    assert elsewhere.status_code == 302                     # another address is not locked; case and spaces ignored


def test_confirm_page_needs_a_resident_and_a_code(srv: Server) -> None:
    anon = Phone(srv).page("/device/confirm")
    assert anon.status_code == 302 and anon.headers["Location"].startswith("/auth/bankid/")
    phone = Phone(srv)
    start = phone.page("/auth/bankid/?next=/device/confirm")
    bankid_round_trip(srv, phone.s, start, "test-0003")
    nothing = phone.page("/device/confirm")
    assert nothing.status_code == 200 and state(nothing) == "nocode" and 'id="user_code"' in nothing.text
    # another person signs in on the same phone for a code: the entered code survives the change of person
    got = Terminal(srv, "052").start()
    page = phone.sign_in(got["user_code"], "test-0001")
    assert 'data-step="confirm"' in page.text and "<dd>Шевченко</dd>" in page.text and "Коваль" not in page.text


def test_the_server_log_has_no_personal_data(fast: tuple[Server, Path]) -> None:
    """A whole flow (Maria: no RNOKPP, an ID card) at DEBUG level: the JSON log names the
    authorization and the terminal, never a name, a birth date, a number, an address or a code."""
    srv, log = fast
    term = Terminal(srv, "050")
    got = term.start()
    phone = Phone(srv)
    page = phone.sign_in(got["user_code"], "test-0003")
    assert "— (немає в BankID / not in BankID)" in page.text          # no RNOKPP: said so, not invented
    assert state(phone.decide("approve")) == "approved"
    r = term.poll(got["device_code"])
    assert r.status_code == 200 and {k: r.json()["identity"][k] for k in MARIA} == MARIA
    time.sleep(0.5)
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
    text = "\n".join(json.dumps(rec, ensure_ascii=False) for rec in lines)
    assert re.search(r"device authorization \d+: identity handed to terminal 050", text), text[-2000:]
    secrets_ = [*[v for v in (*IVAN.values(), *MARIA.values()) if v], "Шевченко", "2234812341", "МЕ123456",
                "1985-07-21", got["device_code"], got["user_code"], got["user_code"].replace("-", ""),
                r.json()["access_token"], "test-0003", "test-0002"]
    assert [s for s in secrets_ if s in text] == []
    # and the database keeps no identity once it was taken, denied or cancelled
    out = subprocess.run([PY, "-m", "server_stub.cli", "manage", "--db", srv.db_url, "--data-dir", str(srv.data_dir),
                          "shell", "-c", "from server_stub.devflow.models import DeviceAuthorization as D; "
                          "import json; print('@@' + json.dumps({s: [D.objects.filter(status=s).count(), "
                          "D.objects.filter(status=s).exclude(claims=None).count()] for s in "
                          "('exchanged', 'denied', 'cancelled')}))"], cwd=ROOT, env=srv.env, text=True,
                         capture_output=True, check=True, timeout=120).stdout
    kept = json.loads(out.split("@@", 1)[1])
    assert kept["exchanged"][0] >= 1 and all(with_identity == 0 for _n, with_identity in kept.values()), kept


@pytest.mark.browser
def test_the_phone_pages_in_chromium(srv: Server) -> None:
    """The resident's path on a phone-sized screen in headless Chromium: the QR link, BankID, the
    confirmation, Approve. axe finds nothing serious, no horizontal scrolling, no CSP violation."""
    from playwright.sync_api import sync_playwright

    from tests.server.test_browser import audit
    from tests.support.chromium import launch

    term = Terminal(srv, "051")
    got = term.start()
    problems: list[str] = []
    with sync_playwright() as p:
        browser = launch(p)
        ctx = browser.new_context(locale="uk-UA", viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True, extra_http_headers={"X-Forwarded-For": "198.51.100.251"})
        page = ctx.new_page()
        violations: list[str] = []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)

        def check(name: str) -> None:
            problems.extend(audit(page, name))
            if page.evaluate("document.documentElement.scrollWidth") > 360:
                problems.append(f"{name}: wider than the phone's screen")

        assert page.goto(got["verification_uri_complete"]).status == 200
        assert page.get_by_label("Код з екрана терміналу / Code from the terminal's screen").input_value() \
            == got["user_code"]
        check("device_enter")
        page.get_by_role("button", name="Далі: увійти через BankID / Next: sign in with BankID").click()
        page.wait_for_url("**/bankid/authorize**")
        page.get_by_label("Бондаренко Іван Миколайович").check()
        page.locator("button[name=allow]").click()
        page.wait_for_url("**/device/confirm")
        assert page.locator("#terminal").inner_text().startswith("Запитує термінал № 051")
        assert "3124845676" in page.locator("#data").inner_text()
        check("device_confirm")
        page.get_by_role("button", name="Підтвердити / Approve").click()
        page.wait_for_selector('[data-state="approved"]')
        check("device_approved")
        assert violations == []
        ctx.close()
        browser.close()
    assert problems == [], "\n".join(problems)
    r = term.poll(got["device_code"])
    assert r.status_code == 200 and r.json()["identity"]["rnokpp"] == "3124845676"
