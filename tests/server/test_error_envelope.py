"""The one JSON error envelope of the API, pinned (Datasette's test_error_shape.py habit)."""

from __future__ import annotations

import requests

from tests.server.citysrv_helpers import Server

ENVELOPE_KEYS = {"code", "message", "details"}


def _shape(r: requests.Response) -> dict[str, object]:
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == ENVELOPE_KEYS, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], list)
    return body["error"]


def test_error_shapes(server: Server) -> None:
    base = server.url + "/api"
    auth = {"Authorization": f"Bearer {server.token('017')}"}
    cases = [
        (requests.get(base + "/terminal/v1/feed", timeout=10), 401, "unauthorized"),
        (requests.get(base + "/no/such/endpoint", timeout=10), 404, "not_found"),
        (requests.get(base + "/terminal/v1/appeals/0170000000", headers=auth, timeout=10), 422, "invalid_number"),
        (requests.get(base + "/terminal/v1/answers/" + "0" * 32 + ".pdf", headers=auth, timeout=10), 404, "not_found"),
        (requests.post(base + "/terminal/v1/heartbeat", headers=auth, data=b"{not json", timeout=10), 400,
         "bad_request"),
        (requests.get(base + "/map/layers/nope.geojson", timeout=10), 404, "not_found"),
        (requests.get(base + "/map/reports/nearby?lat=100&lon=0", timeout=10), 422, "validation_error"),
    ]
    for response, status, code in cases:
        assert response.status_code == status, (response.url, response.text)
        assert _shape(response)["code"] == code


def test_validation_details_name_the_field(server: Server) -> None:
    r = requests.get(server.url + "/api/map/reports/nearby?lat=abc&lon=1", timeout=10)
    err = _shape(r)
    assert err["details"] and err["details"][0]["loc"][-1] == "lat"
