"""In headless Chromium: a PNG carrying HTML and EXIF, uploaded as ``evil.html`` as a map report photo and as a
participatory-budget project photo, runs no script on any page that shows it, and the served file has no EXIF.

The uploads go through the real forms in the browser (file chooser, multipart POST); the resident's session
comes from the BankID stand-in's OAuth flow. A script that runs is seen as a dialog, a console line or the
page title; the test first shows that this watch does see the same bytes run when a browser takes them as HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.server.hostile_images import MARK, evil_png, metadata_left
from tests.server_instruments.helpers import J, Server, resident_session, staff_session, start_server
from tests.support.chromium import launch

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def hsrv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from start_server(tmp_path_factory.mktemp("city-hostile"), {}, workers=1)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    pw = playwright.sync_playwright().start()
    b = launch(pw)
    yield b
    b.close()
    pw.stop()


class ScriptWatch:
    """A browser context carrying a requests session's cookies; records every sign of the planted script."""

    def __init__(self, browser: Any, srv: Server, session: requests.Session | None):
        self.ctx = browser.new_context(locale="uk-UA")
        if session is not None:
            host = srv.url.split("//", 1)[1].split(":")[0]
            self.ctx.add_cookies([{"name": c.name, "value": c.value or "", "domain": host, "path": "/"}
                                  for c in session.cookies])
        self.page = self.ctx.new_page()
        self.seen: list[str] = []
        self.page.on("console", lambda m: self.seen.append(f"console: {m.text}") if MARK in m.text else None)
        self.page.on("dialog", self._dialog)
        self.srv = srv

    def _dialog(self, dialog: Any) -> None:
        self.seen.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    def visit(self, path: str) -> int:
        response = self.page.goto(self.srv.url + path)
        self.page.wait_for_timeout(300)  # let an onerror handler or a late script run
        if MARK in self.page.title():
            self.seen.append(f"title on {path}")
        return response.status if response else 0

    def close(self) -> None:
        self.ctx.close()


def test_the_watch_sees_the_planted_script_run_when_taken_as_html(browser: Any, hsrv: Server) -> None:
    watch = ScriptWatch(browser, hsrv, None)
    watch.page.set_content(evil_png().decode("latin-1"))
    watch.page.wait_for_timeout(300)
    watch.close()
    assert any("dialog" in s for s in watch.seen) and any("console" in s for s in watch.seen), watch.seen


def _photo_url(html: str) -> str:
    found = re.search(r'<img src="(/media/public/[^"]+)"', html)
    assert found, "the page shows the photo"
    return found.group(1)


def test_evil_map_photo_runs_no_script_and_keeps_no_exif(browser: Any, hsrv: Server) -> None:
    author = resident_session(hsrv, "test-0001")
    watch = ScriptWatch(browser, hsrv, author)
    assert watch.visit("/map/reports/new/") == 200
    page = watch.page
    page.get_by_label("що сталося").select_option("illegal_construction")
    page.get_by_label("опис").fill("Кіоск на газоні біля школи")
    page.get_by_label("широта").fill("48.4647")
    page.get_by_label("довгота").fill("35.0462")
    page.get_by_label("фото").set_input_files({"name": "evil.html", "mimeType": "text/html", "buffer": evil_png()})
    with page.expect_navigation():
        page.get_by_role("button", name="Надіслати").click()
    assert re.search(r"/map/reports/\d+/$", page.url), page.url
    report_path = page.url.removeprefix(hsrv.url)
    photo = _photo_url(page.content())
    # the author sees the pending report and its photo; the photo itself, opened as a page
    for path in (report_path, photo):
        assert watch.visit(path) == 200, path
    assert watch.seen == []
    assert re.fullmatch(r"/media/public/map/[0-9a-f]{32}\.png", photo), photo
    served = requests.get(hsrv.url + photo, cookies=author.cookies, timeout=20)
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert metadata_left(served.content) == []
    # pending: nobody else gets the photo
    assert requests.get(hsrv.url + photo, timeout=20).status_code == 404
    # a moderator publishes it; then the public pages that show reports, and the photo for anyone
    staff = staff_session(hsrv, "admin")
    moderator = ScriptWatch(browser, hsrv, staff)
    assert moderator.visit("/map/moderation/") == 200
    assert moderator.visit(report_path) == 200
    number = report_path.rstrip("/").rsplit("/", 1)[1]
    moderator.page.goto(hsrv.url + "/map/moderation/")
    with moderator.page.expect_navigation():
        moderator.page.locator(f"section[aria-labelledby='rep-{number}']").get_by_role("button",
                                                                                       name="Опублікувати").click()
    anyone = ScriptWatch(browser, hsrv, None)
    for path in ("/map/", "/api/map/reports.geojson", photo):
        assert anyone.visit(path) == 200, path
    assert metadata_left(requests.get(hsrv.url + photo, timeout=20).content) == []
    for w in (watch, moderator, anyone):
        w.close()
    assert watch.seen + moderator.seen + anyone.seen == []


def test_evil_budget_photo_runs_no_script_and_keeps_no_exif(browser: Any, hsrv: Server) -> None:
    staff = staff_session(hsrv, "admin")
    assert J(hsrv, staff).post("/api/budget/cycles", {"year": 2033, "total_budget": "1000000"}).status_code == 201
    author = resident_session(hsrv, "test-0002")
    watch = ScriptWatch(browser, hsrv, author)
    assert watch.visit("/budget/new/") == 200
    page = watch.page
    page.get_by_label("назва").fill("Лавки у сквері")
    page.get_by_label("опис").fill("Десять лавок уздовж алеї")
    page.get_by_label("категорія").select_option("improvement")
    page.get_by_label("місце").fill("сквер на вул. Робочій")
    page.get_by_label("вартість, грн").fill("50000")
    page.get_by_label("фото").set_input_files({"name": "evil.html", "mimeType": "text/html", "buffer": evil_png()})
    with page.expect_navigation():
        page.get_by_role("button", name="Подати").click()
    assert page.url.endswith("/budget/"), re.findall(r"errorlist.{0,200}", page.content())
    pid = _submitted_project(hsrv, "Лавки у сквері")
    project_path = f"/budget/projects/{pid}/"
    # awaiting review: staff see the project page with its photo; the author sees the photo itself
    reviewer = ScriptWatch(browser, hsrv, staff)
    assert reviewer.visit(project_path) == 200
    photo = _photo_url(reviewer.page.content())
    assert reviewer.visit(photo) == 200
    assert watch.visit(photo) == 200
    assert watch.seen + reviewer.seen == []
    assert re.fullmatch(r"/media/public/budget/[0-9a-f]{32}\.png", photo), photo
    served = requests.get(hsrv.url + photo, cookies=author.cookies, timeout=20)
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert metadata_left(served.content) == []
    assert requests.get(hsrv.url + photo, timeout=20).status_code == 404  # awaiting review: not public
    assert J(hsrv, staff).post("/api/budget/cycles/2033/phase", {"phase": "review"}).status_code == 200
    assert J(hsrv, staff).post(f"/api/budget/projects/{pid}/review", {"decision": "accept"}).status_code == 200
    anyone = ScriptWatch(browser, hsrv, None)
    for path in (project_path, "/budget/?year=2033", photo):
        assert anyone.visit(path) == 200, path
    assert metadata_left(requests.get(hsrv.url + photo, timeout=20).content) == []
    for w in (watch, reviewer, anyone):
        w.close()
    assert watch.seen + reviewer.seen + anyone.seen == []


def _submitted_project(srv: Server, title: str) -> int:
    from tests.server_instruments.helpers import db_json

    return int(db_json(srv, f"M('budget.Project').objects.get(title={title!r}).pk"))


def test_pages_work_under_the_policy_with_no_violation(browser: Any, hsrv: Server) -> None:
    """The policy blocks nothing the pages need: no CSP violation reported, styles applied, /api/docs renders."""
    ctx = browser.new_context(locale="uk-UA")
    page = ctx.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(f"{page.url}: {m.text}")
            if "Content Security Policy" in m.text or "Content-Security-Policy" in m.text else None)
    for path in ("/", "/map/", "/budget/", "/budget/projects/1/", "/petitions/", "/surveys/", "/meetings/1/",
                 "/votes/1/", "/open-budget/", "/opendata/", "/contact/", "/accounts/login/"):
        assert page.goto(hsrv.url + path).status == 200, path
        assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor") \
            == "rgb(0, 74, 153)", f"{path}: site.css applies"
    assert page.goto(hsrv.url + "/api/docs").status == 200
    page.wait_for_selector("#swagger-ui .swagger-ui", state="attached", timeout=20_000)  # its script ran
    ctx.close()
    assert violations == []
