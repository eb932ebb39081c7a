"""Main page flows of every part-2 instrument in headless Chromium, and the axe-core audit of each page."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nacl.signing import SigningKey
from playwright.sync_api import sync_playwright

from tests.server_instruments.helpers import (
    HERE,
    J,
    Server,
    Smtp,
    anon_session,
    body,
    db_json,
    staff_session,
)
from tests.support.chromium import launch

AXE = HERE.parent / "server" / "vendor" / "axe.min.js"  # shared with tests/server
SHOTS = Path("/tmp/p2-screens")
# The public pages are audited by tests/server/test_browser.py (PUBLIC_PAGES); here the signed-in ones.


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    pw = sync_playwright().start()
    b = launch(pw)
    yield b
    b.close()
    pw.stop()


def _png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 120, 0)).save(buf, "PNG")
    return buf.getvalue()


def audit(page: Any, name: str) -> None:
    """axe-core: no serious or critical violation; a screenshot for a person to look at."""
    page.evaluate(AXE.read_text(encoding="utf-8"))  # through DevTools: the page's CSP allows no inline script
    found = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))""")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert found == [], f"{page.url}: {json.dumps(found, ensure_ascii=False)}"


def bankid(page: Any, srv: Server, surname: str, nxt: str) -> None:
    page.goto(f"{srv.url}/auth/bankid/?next={nxt}")
    page.get_by_label(re.compile(surname)).check()
    page.locator("main button[name=allow]").click()
    page.wait_for_url(f"{srv.url}{nxt}*")


def staff_login(page: Any, srv: Server, nxt: str, user: str) -> None:
    """Sign in as the demo user of a role (server_stub/core/roles.py; password = name)."""
    page.goto(f"{srv.url}/accounts/login/?next={nxt}")
    page.fill("#id_username", user)
    page.fill("#id_password", user)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{srv.url}{nxt}*")


def test_petition_flow(browser: Any, srv: Server) -> None:
    resident, staff = browser.new_context().new_page(), browser.new_context().new_page()
    bankid(resident, srv, "Коваль", "/petitions/new/")
    audit(resident, "petition_new")
    resident.fill("#title", "Велодоріжка на набережній")
    resident.fill("#text", "Прошу облаштувати велодоріжку вздовж набережної від мосту до парку.")
    resident.locator("main form button[type=submit]").click()
    resident.wait_for_url(re.compile(r"/petitions/\d+/$"))
    pid = resident.url.rstrip("/").rsplit("/", 1)[1]
    staff_login(staff, srv, "/petitions/moderation/", "moderator")
    audit(staff, "petition_moderation")
    staff.locator(f"section:has(#pm-{pid}) button[value=publish]").click()
    resident.goto(f"{srv.url}/petitions/{pid}/")
    resident.fill("#email", "koval@example.org")
    resident.locator("button[value=sign]").click()
    resident.wait_for_load_state()
    assert resident.locator("main ol li").first.inner_text().startswith("Коваль Марія")
    assert resident.locator("#progress").get_attribute("value") == "1"
    audit(resident, "petition_signed")
    resident.locator("button[value=withdraw]").click()
    resident.wait_for_load_state()
    assert resident.locator("#progress").get_attribute("value") == "0"


def test_newsletter_flow(browser: Any, srv: Server, smtp: Smtp) -> None:
    page = browser.new_page()
    page.goto(srv.url + "/newsletters/")
    page.check("#t-transport")
    page.fill("#email", "browser.reader@example.org")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".messages").count() == 1
    (mail,) = smtp.wait_for("browser.reader@example.org")
    link = re.search(r"/newsletters/confirm/\S+/", body(mail))
    assert link
    page.goto(srv.url + link.group(0))
    assert "Транспорт" in page.locator("main").inner_text()
    audit(page, "newsletter_confirmed")


def test_budget_consultation_survey_flow(browser: Any, srv: Server) -> None:
    staff = J(srv, staff_session(srv, "budget"))
    assert staff.post("/api/budget/cycles", {"year": 2032, "total_budget": "500000"}).status_code == 201
    page = browser.new_context().new_page()
    bankid(page, srv, "Шевченко", "/budget/new/")
    page.fill("#id_title", "Лавки в сквері")
    page.fill("#id_description", "Поставити десять лавок уздовж алеї.")
    page.select_option("#id_category", "improvement")
    page.fill("#id_location", "сквер на Робочій")
    page.fill("#id_cost", "120000")
    page.set_input_files("#id_photo", files=[{"name": "lavky.png", "mimeType": "image/png", "buffer": _png()}])
    audit(page, "budget_new")
    page.locator("main form button.primary").click()
    page.wait_for_url(f"{srv.url}/budget/")
    stored = db_json(srv, "list(M('budget.Project').objects.filter(cycle__year=2032).values('title', 'status', "
                          "'photo', 'author__family_name'))")
    assert stored[0]["title"] == "Лавки в сквері" and stored[0]["status"] == "submitted"
    assert stored[0]["photo"].endswith(".png") and stored[0]["author__family_name"] == "Шевченко"
    assert staff.get("/api/budget/cycles/2032/projects").json() == []  # not public before review
    first = page.locator("main table tbody tr").first
    title = first.locator("td a").inner_text()
    first.locator("button").click()
    page.wait_for_load_state()
    row = page.locator("main table tbody tr", has_text=title)
    assert row.locator(".good").count() == 1  # "your vote"
    audit(page, "budget_voted")
    page.goto(srv.url + "/consultations/1/")
    page.fill("#c-2", "Уточнити межі прилеглої території")
    page.locator("section:has(#para-2) button").click()
    page.wait_for_load_state()
    assert "Уточнити межі прилеглої території" in page.locator("section:has(#para-2)").inner_text()
    audit(page, "consultation_commented")
    page.goto(srv.url + "/surveys/1/")
    page.check("#q1-1")
    page.check("#q2-4")
    page.fill("#q3-t", "Більше дерев")
    page.check("#consent")
    page.locator("main form button.primary").click()
    page.wait_for_load_state()
    assert page.locator("svg.chart").count() >= 2
    audit(page, "survey_answered")


def test_deputies_votes_flow(browser: Any, srv: Server) -> None:
    page = browser.new_page()
    page.goto(srv.url + "/deputies/")
    page.fill("#address", "вул. Шевченка, 3")
    page.locator("main form[role=search] button").click()
    page.wait_for_load_state()
    status = page.locator("p[role=status]")
    assert "№ 2" in status.inner_text()
    status.locator("a").first.click()
    page.wait_for_load_state()
    assert page.locator("main table tbody tr").count() >= 1
    page.goto(srv.url + "/votes/")
    page.locator("main table tbody tr a").first.click()
    page.wait_for_load_state()
    assert page.locator("main table tbody tr").count() >= 5
    audit(page, "vote_detail")


def test_meeting_flow(browser: Any, srv: Server) -> None:
    anon = J(srv, anon_session(srv))
    m = anon.get("/api/meetings/").json()
    mid = next(x["id"] for x in m if x["title"] == "Засідання № 14")
    members = [d["id"] for d in anon.get("/api/council/deputies").json()
               if any("бюджету" in c for c in d["commissions"])]
    page = browser.new_context().new_page()
    staff_login(page, srv, f"/meetings/{mid}/", "secretary")
    assert "3" in page.locator("#quorum").inner_text() and page.locator("#quorum.bad").count() == 1
    for dep in members[:3]:  # each deputy's signing app signs the registration
        payload = anon.get(f"/api/meetings/{mid}/to-sign", params={"deputy": dep}).json()["payload"]
        sig = SigningKey(f"demo-deputy-{dep}".encode().ljust(32, b".")).sign(payload.encode()).signature.hex()
        assert anon.post(f"/api/meetings/{mid}/register", {"deputy": dep, "signature": sig}).status_code == 201
    page.reload()
    assert page.locator("#quorum.good").count() == 1
    page.locator("main ol li").first.locator("button").click()
    page.wait_for_load_state()
    for dep in members[:3]:
        payload = anon.get(f"/api/meetings/{mid}/to-sign", params={"deputy": dep, "item": 1, "option": "yes"}).json()
        sig = SigningKey(f"demo-deputy-{dep}".encode().ljust(32, b".")).sign(payload["payload"].encode())
        assert anon.post(f"/api/meetings/{mid}/items/1/ballots", {"deputy": dep, "option": "yes",
                                                                  "signature": sig.signature.hex()}).status_code == 201
    page.locator("main ol li").first.locator("button").click()
    page.wait_for_load_state()
    page.locator("button[value=close]").click()
    page.wait_for_load_state()
    text = page.locator("pre.minutes").inner_text()
    assert "За: 3, проти: 0" in text and "РІШЕННЯ ПРИЙНЯТО" in text
    audit(page, "meeting_minutes")


def test_cabinet_flow(browser: Any, srv: Server) -> None:
    page = browser.new_context().new_page()
    page.goto(srv.url + "/cabinet/")
    assert "/bankid/authorize" in page.url  # sign-in first
    page.get_by_label(re.compile("Бондаренко")).check()
    page.locator("main button[name=allow]").click()
    page.wait_for_url(f"{srv.url}/cabinet/")
    page.fill("#purpose", "Питання щодо ліфта")
    page.locator("form:has(#purpose) button.primary").click()
    page.wait_for_load_state()
    booked = page.locator("section:has(#h-book) li", has_text="Питання щодо ліфта")
    assert booked.count() == 1
    audit(page, "cabinet")
    booked.locator("button").click()
    page.wait_for_load_state()
    assert "(" in page.locator("section:has(#h-book) li", has_text="Питання щодо ліфта").inner_text()


def test_open_budget_flow(browser: Any, srv: Server) -> None:
    ctx = browser.new_context(java_script_enabled=False)  # the charts are drawn on the server
    page = ctx.new_page()
    page.goto(srv.url + "/open-budget/")
    page.select_option("#year", "2025")
    page.locator("main form button").click()
    page.wait_for_load_state()
    assert "2025" in page.locator("h1").inner_text()
    assert page.locator("svg.chart rect").count() > 5
    page.locator("a", has_text=re.compile("repairs|ремонт", re.I)).first.click()
    page.wait_for_load_state()
    assert page.locator("a[href^='https://prozorro.gov.ua/tender/']").count() >= 1
    ctx.close()


def test_staff_pages_audit(browser: Any, srv: Server) -> None:
    page = browser.new_context().new_page()
    staff_login(page, srv, "/newsletters/compose/", "publisher")
    audit(page, "newsletter_compose")
    assert staff_session(srv, "moderator").get(srv.url + "/petitions/moderation/", timeout=20).status_code == 200
