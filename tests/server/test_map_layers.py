"""Layers managed by data publishers on their own pages (permission publish_data), and residents'
proposals of layers reviewed there."""

from __future__ import annotations

import re

import requests

from tests.server.citysrv_helpers import Server, resident_session, staff_session


def post_form(s: requests.Session, url: str, data: dict[str, str]) -> requests.Response:
    s.get(url, timeout=20)
    return s.post(url, data={**data, "csrfmiddlewaretoken": s.cookies["csrftoken"]}, headers={"Referer": url},
                  timeout=20)


def geojson(server: Server, slug: str) -> list[dict[str, object]]:
    return requests.get(f"{server.url}/api/map/layers/{slug}.geojson", timeout=10).json()["features"]


def test_a_publisher_builds_a_layer_with_attributes_and_objects(server: Server) -> None:
    pub = staff_session(server, "publisher")
    layers = server.url + "/map/layers/"
    bad = post_form(pub, layers, {"action": "create", "slug": "wifi", "title": "Wi-Fi", "color": "#123456",
                                  "attributes_text": "години | Години роботи"})
    assert "Назви атрибутів" in bad.text
    assert requests.get(server.url + "/api/map/layers/wifi.geojson", timeout=10).status_code == 404
    r = post_form(pub, layers, {"action": "create", "slug": "wifi", "title": "Безкоштовний Wi-Fi",
                                "description": "Точки доступу міста", "color": "#123456",
                                "attributes_text": "ssid | Назва мережі\nhours | Години роботи\n"})
    assert r.url.endswith("/map/layers/wifi/")
    la = next(x for x in requests.get(server.url + "/api/map/layers", timeout=10).json() if x["slug"] == "wifi")
    assert la["attributes"] == [{"name": "ssid", "label": "Назва мережі", "type": "string"},
                                {"name": "hours", "label": "Години роботи", "type": "string"}]
    r = post_form(pub, r.url, {"action": "add", "name": "Сквер біля ради", "lat": "48.4650", "lon": "35.0460",
                               "attr_ssid": "Dnipro_Free", "attr_hours": "08:00-22:00"})
    assert "Об&#x27;єкт «Сквер біля ради» додано." in r.text
    (f,) = geojson(server, "wifi")
    assert f["properties"] == {"name": "Сквер біля ради", "layer": "wifi", "ssid": "Dnipro_Free",
                               "hours": "08:00-22:00"}
    card = requests.get(f"{server.url}/map/objects/{f['id']}/", timeout=10).text
    assert re.search(r"<dt>Назва мережі</dt><dd>Dnipro_Free</dd>", card)
    assert re.search(r"<dt>Години роботи</dt><dd>08:00-22:00</dd>", card)
    out_of_range = post_form(pub, r.url, {"action": "add", "name": "Ніде", "lat": "95", "lon": "35"})
    assert out_of_range.status_code == 200 and len(geojson(server, "wifi")) == 1
    post_form(pub, r.url, {"action": "remove", "feature": str(f["id"])})
    assert geojson(server, "wifi") == []
    # a moderator of reports holds no publish_data
    assert staff_session(server, "moderator").get(layers, timeout=10).status_code == 403


def test_a_residents_layer_proposal_is_accepted_or_declined(server: Server) -> None:
    resident = resident_session(server, "test-0002")
    new = server.url + "/map/proposals/new/"
    post_form(resident, new, {"title": "Укриття", "description": "Де найближче укриття", "source": "ДСНС"})
    post_form(resident, new, {"title": "Голуби", "description": "Де годують голубів"})
    pub = staff_session(server, "publisher")
    page = pub.get(server.url + "/map/layers/", timeout=10).text
    ids = {t: int(i) for i, t in re.findall(r'<h3 id="prop-(\d+)">№ \d+ ([^<]+)</h3>', page)}
    assert {"Укриття", "Голуби"} <= set(ids)
    r = post_form(pub, server.url + "/map/layers/", {"action": "accept", "proposal": str(ids["Укриття"]),
                                                     "slug": "shelters", "note": "Дякуємо"})
    assert r.url.endswith("/map/layers/shelters/")
    post_form(pub, server.url + "/map/layers/", {"action": "decline", "proposal": str(ids["Голуби"]),
                                                 "note": "Не міська інформація"})
    la = next(x for x in requests.get(server.url + "/api/map/layers", timeout=10).json() if x["slug"] == "shelters")
    assert la["title"] == "Укриття" and la["description"] == "Де найближче укриття"
    mine = resident.get(new, timeout=10).text
    assert re.search(r"Укриття — прийнято: Дякуємо \(<a href=\"/map/\?layer=shelters\">на мапі</a>\)", mine)
    assert "Голуби — відхилено: Не міська інформація" in mine
    # reviewed proposals leave the queue; a second decision on one is refused
    assert f"prop-{ids['Голуби']}" not in pub.get(server.url + "/map/layers/", timeout=10).text
    again = post_form(pub, server.url + "/map/layers/", {"action": "accept", "proposal": str(ids["Голуби"]),
                                                         "slug": "pigeons"})
    assert again.status_code == 404
