"""The open map in headless Chromium (Debian's chromium through Playwright): the base map's tiles come from
the configured source (this server's demo tiles, or another tile server), a layer's objects appear as
clustered markers with an object card, and a resident's report becomes a contact-centre request that the
Open311 API shows."""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image

from tests.server import test_browser
from tests.server.citysrv_helpers import Server, run_server, staff_session
from tests.server.test_browser import audit
from tests.server.test_map_layers import post_form

pytestmark = pytest.mark.browser
browser = test_browser.browser  # the same Chromium fixture (module scope)
LAND, WATER = (242, 239, 233), (170, 211, 223)  # the demo tiles' colours (server_stub/citymap/tiles.py)
OTHER = (214, 96, 160)  # the colour of every tile of the other tile server below


def open_map(browser: Any, url: str) -> tuple[Any, Any, list[Any], list[str]]:
    """Open the map page; return the context, the page, the answers to image requests and console errors."""
    ctx = browser.new_context(locale="uk-UA", viewport={"width": 1280, "height": 1000})
    page = ctx.new_page()
    answers: list[Any] = []
    errors: list[str] = []
    page.on("response", lambda r: answers.append(r) if r.request.resource_type == "image" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    # console errors (a CSP violation is one), and every answer >= 400; Chromium's own favicon request
    # (no page event: the site has no favicon) shows only as a console line "Failed to load resource"
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and not m.text.startswith(
        "Failed to load resource") else None)
    assert page.goto(url).status == 200
    page.wait_for_selector("#city-map[data-loaded]", timeout=20000)
    until(page, lambda: page.locator("img.leaflet-tile-loaded").count() >= 4)
    # Leaflet fades a loaded tile in (opacity 0 -> 1 over 0.2 s): a picture taken before that shows none
    until(page, lambda: page.eval_on_selector_all(
        "img.leaflet-tile-loaded", "els => els.every(e => getComputedStyle(e).opacity === '1')"))
    return ctx, page, answers, errors


def until(page: Any, ok: Callable[[], bool], timeout_s: float = 20) -> None:
    """Poll from the test (the page's CSP forbids the eval that Playwright's wait_for_function needs)."""
    for _ in range(int(timeout_s * 10)):
        if ok():
            return
        page.wait_for_timeout(100)
    raise AssertionError("the page did not get there in time")


def share(shot: bytes, colour: tuple[int, int, int]) -> float:
    with Image.open(io.BytesIO(shot)) as img:
        rgb = img.convert("RGB")
        counts = {c: n for n, c in rgb.getcolors(rgb.width * rgb.height)}
        return counts.get(colour, 0) / (rgb.width * rgb.height)


def test_map_shows_the_demo_tiles_and_a_layer_as_clusters(server: Server, browser: Any) -> None:
    features = requests.get(server.url + "/api/map/layers/stops.geojson", timeout=10).json()["features"]
    assert len(features) == 20
    ctx, page, answers, errors = open_map(browser, server.url + "/map/?layer=stops")
    tiles = [a for a in answers if "/map/tiles/" in a.url]
    assert len(tiles) >= 4 and {a.status for a in tiles} == {200}
    assert {a.headers["content-type"] for a in tiles} == {"image/png"}
    srcs = page.eval_on_selector_all("img.leaflet-tile-loaded", "els => els.map(e => [e.src, e.naturalWidth])")
    assert len(srcs) >= 4 and all(re.search(r"/map/tiles/\d+/\d+/\d+\.png$", s) and w == 256 for s, w in srcs)
    # every object of the layer is on the map: in a cluster (its count) or as its own marker
    counts = page.eval_on_selector_all(".marker-cluster span", "els => els.map(e => Number(e.textContent))")
    singles = page.locator(".leaflet-marker-icon:not(.marker-cluster)").count()
    assert counts, "twenty stops along one avenue cluster at the opening zoom"
    assert sum(counts) + singles == len(features)
    shot = page.locator("#city-map").screenshot()
    assert share(shot, LAND) > 0.2 and share(shot, WATER) > 0.02, "the base map is drawn, not a blank box"
    page.locator(".marker-cluster").first.click()  # a cluster opens into its markers
    until(page, lambda: page.locator(".leaflet-marker-icon:not(.marker-cluster)").count() > singles)
    assert errors == [], errors
    ctx.close()


def test_an_object_card_shows_the_layer_attributes(server: Server, browser: Any) -> None:
    ctx, page, _answers, _errors = open_map(browser, server.url + "/map/?layer=education")
    page.locator(".leaflet-marker-icon[title='Ліцей № 1']").click()
    popup = page.locator(".leaflet-popup-content .map-card")
    popup.wait_for(timeout=10000)
    assert popup.locator("h2").inner_text() == "Ліцей № 1"
    assert popup.locator("dt").all_inner_texts() == ["Телефон"]
    assert popup.locator("dd").all_inner_texts() == ["+380 56 000 00 01"]
    popup.get_by_role("link", name="Картка об'єкта").click()
    page.get_by_role("heading", name="Ліцей № 1").wait_for(timeout=10000)
    card = dict(zip(page.locator("main dt").all_inner_texts(), page.locator("main dd").all_inner_texts(),
                    strict=True))
    assert card["Шар"] == "Освіта" and card["Телефон"] == "+380 56 000 00 01"
    assert not audit(page, "map_object_card")
    ctx.close()


def test_an_objects_hostile_name_and_attributes_stay_text(server: Server, browser: Any) -> None:
    hostile = '<img src=x id=pwned onerror="document.title=1">'
    pub = staff_session(server, "publisher")
    r = post_form(pub, server.url + "/map/layers/education/", {"action": "add", "name": hostile, "lat": "48.4500",
                                                                "lon": "35.0000", "attr_phone": hostile})
    assert r.status_code == 200
    ctx, page, _answers, errors = open_map(browser, server.url + "/map/?layer=education")
    page.get_by_title(hostile).click()
    card = page.locator(".leaflet-popup-content .map-card")
    card.wait_for(timeout=10000)
    assert card.locator("h2").inner_text() == hostile and card.locator("dd").inner_text() == hostile
    assert page.locator("#pwned").count() == 0 and page.title() != "1"
    assert errors == []
    ctx.close()
    # the shared server's pages are checked for inline handlers as text elsewhere: the object goes again
    fid = next(f["id"] for f in requests.get(server.url + "/api/map/layers/education.geojson", timeout=10).json()[
        "features"] if f["properties"]["name"] == hostile)
    post_form(pub, server.url + "/map/layers/education/", {"action": "remove", "feature": str(fid)})


class _Tiles(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # the name http.server calls
        if not re.fullmatch(r"/tiles/\d+/\d+/\d+\.png", self.path):
            self.send_error(404)
            return
        out = io.BytesIO()
        Image.new("RGB", (256, 256), OTHER).save(out, "PNG")
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(out.getvalue())))
        self.end_headers()
        self.wfile.write(out.getvalue())
        self.server.asked.append(self.path)  # type: ignore[attr-defined]

    def log_message(self, *args: Any) -> None:
        pass


def test_tiles_come_from_the_configured_tile_server(tmp_path: Path, browser: Any) -> None:
    tile_server = ThreadingHTTPServer(("127.0.0.1", 0), _Tiles)
    tile_server.asked = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=tile_server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{tile_server.server_port}"
    try:
        with run_server(tmp_path, ["--no-demo"], {"CITY_SERVER_MAP_TILES": origin + "/tiles/{z}/{x}/{y}.png",
                                                  "CITY_SERVER_MAP_ATTRIBUTION": "© тестовий сервер плиток"}) as srv:
            csp = requests.get(srv.url + "/map/", timeout=20).headers["Content-Security-Policy"]
            assert re.search(r"img-src 'self' " + re.escape(origin) + "[;]", csp + ";")
            ctx, page, answers, errors = open_map(browser, srv.url + "/map/")
            tiles = [a for a in answers if a.url.startswith(origin)]
            assert len(tiles) >= 4 and {a.status for a in tiles} == {200}
            assert not [a for a in answers if "/map/tiles/" in a.url], "nothing from the demo tiles"
            assert len(tile_server.asked) >= len(tiles)  # type: ignore[attr-defined]
            assert share(page.locator("#city-map").screenshot(), OTHER) > 0.5
            assert "© тестовий сервер плиток" in page.locator(".leaflet-control-attribution").inner_text()
            assert errors == [], "no CSP violation"
            ctx.close()
    finally:
        tile_server.shutdown()
        thread.join(5)


def test_a_residents_report_becomes_a_contact_centre_request(server: Server, browser: Any) -> None:
    ctx = browser.new_context(locale="uk-UA")
    page = ctx.new_page()
    page.goto(server.url + "/auth/bankid/?next=/map/reports/new/")
    page.get_by_label("Шевченко", exact=False).first.check()
    page.get_by_role("button", name="Підтвердити").click()
    page.wait_for_url(server.url + "/map/reports/new/")
    page.get_by_label("Що сталося").select_option("illegal_construction")
    page.get_by_label("Опис").fill("Зводять гараж на дитячому майданчику")
    page.get_by_label("Широта").fill("48.4612")
    page.get_by_label("Довгота").fill("35.0421")
    page.get_by_role("button", name="Надіслати").click()
    page.get_by_role("heading", name="У контакт-центрі").wait_for(timeout=20000)
    link = page.locator("main a[href^='/contact/requests/']")
    rid = re.search(r"/contact/requests/(\d+)/", link.get_attribute("href")).group(1)
    assert page.get_by_text("Зареєстровано").first.is_visible()
    assert not audit(page, "map_report_routed")
    (got,) = requests.get(f"{server.url}/open311/v2/requests/{rid}.json", timeout=10).json()
    assert got["service_code"] == "construction" and got["status"] == "open"
    # the text is public once a moderator has published the report (it may name people)
    assert got["description"] == "Опис буде показано після модерації / the description is shown once moderated"
    report = re.search(r"/map/reports/(\d+)/", page.url).group(1)
    post_form(staff_session(server, "moderator"), server.url + "/map/moderation/",
              {"report": report, "action": "approved", "note": ""})
    (got,) = requests.get(f"{server.url}/open311/v2/requests/{rid}.json", timeout=10).json()
    assert got["description"] == "Зводять гараж на дитячому майданчику" and got["status"] == "open"
    assert (got["lat"], got["long"]) == (48.4612, 35.0421)
    assert got["agency_responsible"] == "Департамент архітектури та містобудування"
    page.goto(server.url + "/map/proposals/new/")
    assert not audit(page, "map_layer_proposal")
    ctx.close()
