"""The home page in headless Chromium: what is open now (a petition's progress, the budget vote, the
open consultation and survey, this week's meetings and not next week's), staff tools only for whoever
holds their permission, and the help pages reached from every page, in Ukrainian and in English."""

from __future__ import annotations

from typing import Any

import pytest

from tests.server_instruments.helpers import Server, shell
from tests.server_instruments.test_pages_in_browser import audit

SEED = """
from datetime import timedelta
from django.utils import timezone
from django.contrib.auth import get_user_model
from server_stub.core.models import Resident
from server_stub.meetings.models import Meeting
from server_stub.petitions.models import Petition, Signature
now = timezone.now()
U = get_user_model()
author = Resident.objects.create(user=U.objects.create(username="home-author"), subject="home-author",
    family_name="Автор", given_name="Петиції", verified_at=now)
p = Petition.objects.create(title="Сквер на Робочій", text="Текст", author=author, status="collecting",
    published_at=now, ends_at=now + timedelta(days=30), threshold=40)
Signature.objects.bulk_create([Signature(petition=p, person_key=f"k{i}", name_key=f"n{i}", public_name=f"Мешканець {i}",
    signed_at=now - timedelta(minutes=i)) for i in range(7)])
Petition.objects.create(title="Петиція на модерації", text="Т", author=author, status="moderation")
local = timezone.localtime(now)
monday = (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
next_monday = monday + timedelta(days=7)
m = Meeting.objects.order_by("pk").first()
Meeting.objects.create(commission=m.commission, title="Засідання про сквер", starts_at=monday + timedelta(days=3, hours=10))
Meeting.objects.create(commission=m.commission, title="Засідання про дороги", starts_at=next_monday + timedelta(days=1))
Meeting.objects.filter(pk=m.pk).update(starts_at=next_monday + timedelta(days=2))
print("@@" + str(p.pk))
"""
# Pages of every kind whose header and footer must lead to the help
PAGES = ["/", "/petitions/", "/budget/", "/consultations/", "/surveys/", "/meetings/", "/contact/", "/map/",
         "/opendata/", "/cabinet/services/", "/accounts/login/", "/help/", "/help/petitions/"]


@pytest.fixture(scope="module")
def seeded(srv: Server) -> int:
    return int(shell(srv, SEED).split("@@", 1)[1])


def _login(page: Any, srv: Server, user: str) -> None:
    page.goto(f"{srv.url}/accounts/login/")
    page.get_by_label("Ім'я користувача").fill(user)
    page.get_by_label("Пароль").fill(user)
    page.get_by_role("button", name="Увійти").click()
    page.wait_for_url(f"{srv.url}/")


def test_home_shows_what_is_open_now(srv: Server, seeded: int, browser: Any) -> None:
    ctx = browser.new_context(locale="uk-UA")
    page = ctx.new_page()
    page.goto(srv.url + "/")
    assert page.locator("html").get_attribute("lang") == "uk"
    assert page.get_by_role("heading", name="Відкрито зараз").is_visible()
    petitions = page.locator("#open-petitions")
    assert petitions.get_by_role("link", name="Сквер на Робочій").get_attribute("href") == f"/petitions/{seeded}/"
    bar = petitions.get_by_label("7 з 40 підписів")
    assert (bar.get_attribute("value"), bar.get_attribute("max")) == ("7", "40")
    assert "Петиція на модерації" not in page.content()
    assert page.locator("#open-budget").get_by_role("link", name="2027").is_visible()
    assert page.locator("#open-consultations").get_by_role("link", name="Про правила благоустрою").is_visible()
    assert page.locator("#open-surveys").get_by_role("link", name="Оцінка ремонту вулиці Робочої").is_visible()
    meetings = page.locator("#open-meetings")
    assert meetings.get_by_role("link", name="Засідання про сквер").get_attribute("href").startswith("/meetings/")
    assert "про дороги" not in meetings.inner_text() and "№ 14" not in meetings.inner_text()
    # the petition link leads to the petition
    petitions.get_by_role("link", name="Сквер на Робочій").click()
    assert page.get_by_role("heading", name=f"№ {seeded}: Сквер на Робочій").is_visible()
    page.goto(srv.url + "/")
    audit(page, "home-uk")
    ctx.close()


def test_staff_tools_only_for_their_permission(srv: Server, browser: Any) -> None:
    staff_links = {"/fleet/", "/edms/", "/contact/operator/", "/map/moderation/", "/petitions/moderation/",
                   "/newsletters/compose/"}

    def linked(page: Any) -> set[str]:
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        return staff_links & set(hrefs)

    ctx = browser.new_context(locale="uk-UA")
    page = ctx.new_page()
    page.goto(srv.url + "/")
    assert linked(page) == set() and "Службові інструменти" not in page.content()
    assert "Парк терміналів" not in page.content()
    ctx.close()
    for user, expected in (("technician", {"/fleet/"}), ("official", {"/edms/"}),
                           ("operator", {"/contact/operator/"}), ("admin", staff_links)):
        ctx = browser.new_context(locale="uk-UA")
        page = ctx.new_page()
        _login(page, srv, user)
        assert linked(page) == expected, user
        nav = page.get_by_role("navigation", name="Службові інструменти")
        for href in expected:
            assert page.goto(srv.url + href).status == 200, (user, href)
        if user == "technician":
            page.goto(srv.url + "/")
            assert nav.get_by_role("link", name="Парк терміналів").is_visible()
        ctx.close()


def test_help_from_every_page_in_both_languages(srv: Server, browser: Any) -> None:
    ctx = browser.new_context(locale="uk-UA")
    page = ctx.new_page()
    for path in PAGES:
        assert page.goto(srv.url + path).status == 200, path
        assert page.get_by_role("navigation", name="Головне меню").get_by_role("link", name="Довідка") \
            .get_attribute("href") == "/help/", path
        assert page.locator("footer").get_by_role("link", name="Довідка").get_attribute("href") == "/help/", path
    page.goto(srv.url + "/contact/")
    page.get_by_role("navigation", name="Головне меню").get_by_role("link", name="Довідка").click()
    page.get_by_role("link", name="Термінал звернень: як подати звернення і що відбувається далі").click()
    assert page.get_by_role("heading", name="Як подати звернення в терміналі", exact=True).is_visible()
    assert page.get_by_role("heading", name="Що відбувається далі", exact=True).is_visible()
    assert "Покладіть підписані аркуші в лоток" in page.inner_text("main")
    audit(page, "help-terminal-uk")
    for slug in ("petitions", "budget", "consultations", "surveys", "meetings", "contact", "map", "opendata",
                 "openbudget", "council", "newsletters", "cabinet"):
        assert page.goto(f"{srv.url}/help/{slug}/").status == 200, slug
        assert page.locator("article.help-text h2").count() >= 1, slug
    page.goto(srv.url + "/help/petitions/")
    assert "90 днів" in page.inner_text("main")
    assert page.goto(srv.url + "/help/nothing/").status == 404
    # English second: the same page after switching the language
    page.goto(srv.url + "/help/terminal/")
    page.get_by_label("Мова").select_option("en")
    page.get_by_role("button", name="Змінити").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="How to file an appeal at the terminal", exact=True).is_visible()
    assert page.get_by_role("heading", name="What happens next", exact=True).is_visible()
    page.goto(srv.url + "/")
    assert page.get_by_role("heading", name="Open now").is_visible()
    assert page.locator("#open-petitions").get_by_label("7 of 40 signatures").get_attribute("value") == "7"
    ctx.close()
