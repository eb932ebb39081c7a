"""Pages in headless Chromium (Debian's /usr/bin/chromium via Playwright): the main flows click
through, and axe-core finds no serious or critical violation (WCAG 2.1 A/AA rules)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.citysrv_drop import deliver, number
from tests.server.citysrv_helpers import Server
from tests.support.chromium import launch

pytestmark = pytest.mark.browser
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
# Set CITY_SERVER_SCREENSHOTS=/some/dir to keep a full-page PNG of every audited page.
SHOTS = Path(os.environ["CITY_SERVER_SCREENSHOTS"]) if os.environ.get("CITY_SERVER_SCREENSHOTS") else None

PUBLIC_PAGES = ["/", "/contact/", "/opendata/", "/opendata/appeals-statistics/", "/map/", "/accounts/login/",
                "/contact/requests/1/", "/map/objects/1/"]
STAFF_PAGES = ["/fleet/", "/edms/", "/contact/operator/", "/map/moderation/", "/map/layers/", "/map/layers/sport/",
               "/contact/reports/"]
# Part 2 instruments (tests/server_instruments walks their flows and audits the signed-in pages too).
PUBLIC_PAGES += ["/petitions/", "/budget/", "/budget/projects/1/", "/consultations/", "/consultations/1/", "/surveys/",
                 "/surveys/1/", "/deputies/", "/deputies/1/", "/votes/", "/votes/1/", "/meetings/", "/meetings/1/",
                 "/newsletters/", "/cabinet/services/", "/open-budget/", "/open-budget/repairs/",
                 "/open-budget/procurements/", "/opendata/usage/", "/opendata/requests/", "/device"]
STAFF_PAGES += ["/petitions/moderation/", "/newsletters/compose/"]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


def audit(page: object, name: str) -> list[str]:
    """Run axe (WCAG 2.0/2.1 A and AA) and return serious/critical violations; save a screenshot."""
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]
    page.evaluate(AXE)  # type: ignore[attr-defined]
    result = page.evaluate(  # type: ignore[attr-defined]
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa']}})")
    return [f"{name}: {v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def _login(page: object, server: Server, user: str) -> None:
    page.goto(f"{server.url}/accounts/login/")  # type: ignore[attr-defined]
    page.get_by_label("Ім'я користувача").fill(user)  # type: ignore[attr-defined]
    page.get_by_label("Пароль").fill(user)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Увійти").click()  # type: ignore[attr-defined]


def test_public_and_staff_pages_pass_axe(server: Server, browser: object) -> None:
    ctx = browser.new_context(locale="uk-UA")  # type: ignore[attr-defined]
    page = ctx.new_page()
    problems: list[str] = []
    for path in PUBLIC_PAGES:
        assert page.goto(server.url + path).status == 200, path
        problems += audit(page, "public" + path.replace("/", "_"))
    _login(page, server, "admin")
    for path in STAFF_PAGES:
        assert page.goto(server.url + path).status == 200, path
        problems += audit(page, "staff" + path.replace("/", "_"))
    ctx.close()
    assert not problems, "\n".join(problems)


def test_language_switch_without_javascript(server: Server, browser: object) -> None:
    ctx = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    page = ctx.new_page()
    page.goto(server.url + "/contact/")
    assert page.locator("html").get_attribute("lang") == "uk"
    assert page.get_by_role("heading", name="Контакт-центр").is_visible()
    page.get_by_label("Мова").select_option("en")
    page.get_by_role("button", name="Змінити").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Contact centre").is_visible()
    # the skip link is the first focusable element and leads to <main>
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
    ctx.close()


def test_official_answers_an_appeal_in_the_browser(server: Server, browser: object) -> None:
    num = number("017", 501)
    deliver(server.drop, num)
    ctx = browser.new_context()  # type: ignore[attr-defined]
    page = ctx.new_page()
    _login(page, server, "official")
    for _ in range(50):
        page.goto(f"{server.url}/edms/")
        if page.get_by_text(f"017-000501-{num[9]}").count():
            break
        page.wait_for_timeout(200)
    row = page.get_by_role("row").filter(has_text=f"017-000501-{num[9]}")
    row.get_by_role("link").click()
    page.get_by_role("heading", name=re.compile("Реєстраційно-контрольна картка")).wait_for(timeout=20000)     # after the click: wait for the next page
    page.get_by_label("Текст відповіді").fill("Ваше звернення розглянуто, ліфт працює.")
    page.get_by_role("button", name="Оприлюднити відповідь").click()
    page.get_by_text("Відповідь оприлюднено").wait_for(timeout=20000)     # the POST and its redirect
    assert page.get_by_text("Ваше звернення розглянуто, ліфт працює.").is_visible()
    assert not audit(page, "edms_card_answered")
    ctx.close()


def test_resident_signs_in_with_bankid_and_reports_on_the_map(server: Server, browser: object) -> None:
    ctx = browser.new_context()  # type: ignore[attr-defined]
    page = ctx.new_page()
    page.goto(server.url + "/map/")
    page.get_by_role("link", name="Повідомити про незаконне будівництво або торгівлю").click()
    assert "/bankid/authorize" in page.url
    assert not audit(page, "bankid_authorize")
    page.get_by_label("Коваль Марія Олексіївна").check()
    page.get_by_role("button", name="Підтвердити").click()
    assert page.url.endswith("/map/reports/new/")
    page.get_by_label("Що сталося").select_option("unlicensed_trade")
    page.get_by_label("Опис").fill("Торгівля з машини біля зупинки")
    page.get_by_label("Широта").fill("48.4655")
    page.get_by_label("Довгота").fill("35.0455")
    assert not audit(page, "map_report_form")
    page.get_by_role("button", name="Надіслати").click()
    page.get_by_text("Дякуємо. Повідомлення передано на модерацію.").wait_for(timeout=20000)     # after the click: wait for the next page
    ctx.close()


def test_resident_files_a_contact_centre_request(server: Server, browser: object) -> None:
    ctx = browser.new_context()  # type: ignore[attr-defined]
    page = ctx.new_page()
    page.goto(server.url + "/contact/")
    page.get_by_label("Що сталося").select_option(label="waste Не вивезено сміття")
    page.get_by_label("Опис").fill("Контейнери переповнені третій день")
    page.get_by_label("Адреса").fill("вул. Робоча, 70")
    page.get_by_role("button", name="Надіслати").click()
    page.get_by_role("heading", name=re.compile(r"Заявка № \d+")).wait_for(timeout=20000)     # after the click: wait for the next page
    assert page.get_by_text("Зареєстровано").first.is_visible()
    ctx.close()
