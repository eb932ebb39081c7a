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


def send_evil_photo(watch: ScriptWatch, path: str, choices: dict[str, str], texts: dict[str, str],
                    button: str) -> Any:
    """Open the form at ``path`` as the watched user, pick ``choices`` and fill ``texts`` (by label),
    attach the planted image as the photo (named evil.html, sent as text/html) and press ``button``;
    the page after the form's navigation."""
    assert watch.visit(path) == 200
    page = watch.page
    for label, value in choices.items():
        page.get_by_label(label).select_option(value)
    for label, text in texts.items():
        page.get_by_label(label).fill(text)
    page.get_by_label("фото").set_input_files({"name": "evil.html", "mimeType": "text/html", "buffer": evil_png()})
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    return page


def check_pending_photo(srv: Server, photo: str, folder: str, author: requests.Session) -> None:
    """A photo awaiting moderation: re-encoded to a PNG under a random name, served as an image
    that is never sniffed, with no metadata left, to its author only."""
    assert re.fullmatch(rf"/media/public/{folder}/[0-9a-f]{{32}}\.png", photo), photo
    served = requests.get(srv.url + photo, cookies=author.cookies, timeout=20)
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert metadata_left(served.content) == []
    assert requests.get(srv.url + photo, timeout=20).status_code == 404  # nobody else gets it yet


def check_published_photo(browser: Any, srv: Server, photo: str, pages: list[str],
                          watches: list[ScriptWatch]) -> None:
    """Once published: anyone opens ``pages`` and the photo, still without metadata, and no script
    ran in any of the ``watches`` nor in the anonymous visitor's."""
    anyone = ScriptWatch(browser, srv, None)
    for path in (*pages, photo):
        assert anyone.visit(path) == 200, path
    assert metadata_left(requests.get(srv.url + photo, timeout=20).content) == []
    everyone = [*watches, anyone]
    for w in everyone:
        w.close()
    assert [s for w in everyone for s in w.seen] == []


def _photo_url(html: str) -> str:
    found = re.search(r'<img src="(/media/public/[^"]+)"', html)
    assert found, "the page shows the photo"
    return found.group(1)


def test_evil_map_photo_runs_no_script_and_keeps_no_exif(browser: Any, hsrv: Server) -> None:
    author = resident_session(hsrv, "test-0001")
    watch = ScriptWatch(browser, hsrv, author)
    page = send_evil_photo(watch, "/map/reports/new/", {"що сталося": "illegal_construction"},
                           {"опис": "Кіоск на газоні біля школи", "широта": "48.4647", "довгота": "35.0462"},
                           "Надіслати")
    assert re.search(r"/map/reports/\d+/$", page.url), page.url
    report_path = page.url.removeprefix(hsrv.url)
    photo = _photo_url(page.content())
    # the author sees the pending report and its photo; the photo itself, opened as a page
    for path in (report_path, photo):
        assert watch.visit(path) == 200, path
    assert watch.seen == []
    check_pending_photo(hsrv, photo, "map", author)
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
    check_published_photo(browser, hsrv, photo, ["/map/", "/api/map/reports.geojson"], [watch, moderator])


def test_evil_budget_photo_runs_no_script_and_keeps_no_exif(browser: Any, hsrv: Server) -> None:
    staff = staff_session(hsrv, "admin")
    assert J(hsrv, staff).post("/api/budget/cycles", {"year": 2033, "total_budget": "1000000"}).status_code == 201
    author = resident_session(hsrv, "test-0002")
    watch = ScriptWatch(browser, hsrv, author)
    page = send_evil_photo(watch, "/budget/new/", {"категорія": "improvement"},
                           {"назва": "Лавки у сквері", "опис": "Десять лавок уздовж алеї",
                            "місце": "сквер на вул. Робочій", "вартість, грн": "50000"}, "Подати")
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
    check_pending_photo(hsrv, photo, "budget", author)
    assert J(hsrv, staff).post("/api/budget/cycles/2033/phase", {"phase": "review"}).status_code == 200
    assert J(hsrv, staff).post(f"/api/budget/projects/{pid}/review", {"decision": "accept"}).status_code == 200
    check_published_photo(browser, hsrv, photo, [project_path, "/budget/?year=2033"], [watch, reviewer])


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
