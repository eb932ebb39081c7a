"""BankID stand-in (OAuth 2.0 authorization code) sign-in, and the open map with residents' reports."""

from __future__ import annotations

import io
import re

import pytest
import requests
from PIL import Image

from tests.server.citysrv_helpers import Server, resident_session, staff_session

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_sign_in_through_the_oauth_flow(server: Server) -> None:
    s = resident_session(server, "test-0002")
    home = s.get(server.url + "/", timeout=10).text
    assert "Іван" in home, "the signed-in resident's name is shown"


def test_token_endpoint_refuses_bad_clients_and_reused_codes(server: Server) -> None:
    token_url = server.url + "/bankid/token"
    r = requests.post(token_url, data={"grant_type": "authorization_code", "code": "x", "redirect_uri": "y"},
                      auth=("city-server", "wrong"), timeout=10)
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    r = requests.post(token_url, data={"grant_type": "authorization_code", "code": "nope",
                                       "redirect_uri": server.url + "/auth/bankid/callback"},
                      auth=("city-server", "city-server-demo-secret"), timeout=10)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    assert requests.get(server.url + "/bankid/userinfo", headers={"Authorization": "Bearer x"},
                        timeout=10).status_code == 401
    # an unregistered redirect_uri is never redirected to
    bad = requests.get(server.url + "/bankid/authorize", params={
        "response_type": "code", "client_id": "city-server", "redirect_uri": "http://evil.example/cb", "state": "s"},
        timeout=10, allow_redirects=False)
    assert bad.status_code == 400


def test_callback_with_wrong_state_is_refused(server: Server) -> None:
    s = requests.Session()
    s.get(server.url + "/auth/bankid/", timeout=10, allow_redirects=False)
    r = s.get(server.url + "/auth/bankid/callback?code=abc&state=forged", timeout=10, allow_redirects=False)
    assert r.status_code == 400


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(out, "PNG")
    return out.getvalue()


def _report(s: requests.Session, server: Server, lat: float, lon: float, photo: bytes | None = None) -> requests.Response:
    url = server.url + "/map/reports/new/"
    s.get(url, timeout=10)
    files = {"photo": ("photo.png", photo, "image/png")} if photo else None
    return s.post(url, data={"kind": "illegal_construction", "description": "Будують кіоск на газоні",
                             "lat": str(lat), "lon": str(lon), "csrfmiddlewaretoken": s.cookies["csrftoken"]},
                  files=files, headers={"Referer": url}, timeout=10)


def test_report_duplicates_within_50_m_and_moderation(server: Server) -> None:
    assert requests.get(server.url + "/map/reports/new/", timeout=10, allow_redirects=False).status_code == 302
    s = resident_session(server, "test-0001")
    first = _report(s, server, 48.47000, 35.04000, _png())
    assert first.status_code == 200
    first_id = int(re.search(r"/map/reports/(\d+)/", first.url).group(1))
    # ~33 m north: a duplicate suggestion; ~89 m: not
    near = _report(s, server, 48.47030, 35.04000)
    assert f"№ {first_id}," in near.text
    far = _report(s, server, 48.47080, 35.04000)
    assert f"№ {first_id}," not in far.text
    api = requests.get(server.url + "/api/map/reports/nearby", params={"lat": 48.47030, "lon": 35.04}, timeout=10)
    distances = {r["id"]: r["distance_m"] for r in api.json()}
    assert 32 < distances[first_id] < 35
    bad_photo = _report(s, server, 48.1, 35.1, b"not an image")
    assert "/map/reports/new/" in bad_photo.url, "the form is shown again with the error"
    # moderation publishes the first report: it appears in GeoJSON with its photo
    staff = staff_session(server, "moderator")
    mod = server.url + "/map/moderation/"
    assert f"№ {first_id}" in staff.get(mod, timeout=10).text
    staff.post(mod, data={"report": first_id, "action": "approved", "note": "",
                          "csrfmiddlewaretoken": staff.cookies["csrftoken"]}, headers={"Referer": mod}, timeout=10)
    geo = requests.get(server.url + "/api/map/reports.geojson", timeout=10).json()
    feature = next(f for f in geo["features"] if f["id"] == first_id)
    assert feature["geometry"] == {"type": "Point", "coordinates": [35.04, 48.47]}
    photo = requests.get(server.url + feature["properties"]["photo"], timeout=10)
    assert photo.status_code == 200 and photo.headers["Content-Type"] == "image/png"
    with Image.open(io.BytesIO(photo.content)) as got, Image.open(io.BytesIO(_png())) as sent:
        assert got.size == sent.size and got.convert("RGB").tobytes() == sent.convert("RGB").tobytes()


def test_layers_geojson(server: Server) -> None:
    layers = requests.get(server.url + "/api/map/layers", timeout=10).json()
    sport = next(la for la in layers if la["slug"] == "sport")
    assert sport["attributes"][0]["name"] == "surface"
    fc = requests.get(server.url + sport["url"], timeout=10).json()
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == sport["features"]
    for f in fc["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert 30 < lon < 40 and 45 < lat < 52, "GeoJSON order is [lon, lat]"
        assert "surface" in f["properties"]
    page = requests.get(server.url + "/map/?layer=sport", timeout=10).text
    names = re.findall(r'<td><a href="/map/objects/\d+/">([^<]+)</a></td>', page)  # the list beside the map
    assert sorted(names) == sorted(f["properties"]["name"] for f in fc["features"])
    assert 'data-chosen="sport"' in page, "the map shows the chosen layer only"
