"""Open311 GeoReport v2 responses checked against the specification's own examples
(https://wiki.open311.org/GeoReport_v2), in JSON and XML."""

from __future__ import annotations

from datetime import datetime
from xml.etree import ElementTree as ET

import requests

from tests.server.citysrv_helpers import Server

# The specification's examples, verbatim in structure.
SPEC_SERVICE = {"service_code": "001", "service_name": "Cans left out 24x7", "description": "Garbage…",
                "metadata": True, "type": "realtime", "keywords": "lorem, ipsum, dolor", "group": "sanitation"}
SPEC_DEFINITION = {"service_code": "DMV66", "attributes": [{
    "variable": True, "code": "WHISHETN", "datatype": "singlevaluelist", "required": True,
    "datatype_description": None, "order": 1, "description": "What is the ticket/tag/DL number?",
    "values": [{"key": 123, "name": "Ford"}]}]}
SPEC_POST = {"service_request_id": 293944, "service_notice": "The City will inspect…", "account_id": None}
SPEC_TOKEN = {"service_request_id": 638344, "token": 12345}
SPEC_REQUEST = {"service_request_id": 638344, "status": "closed", "status_notes": "Duplicate request.",
                "service_name": "Sidewalk and Curb Issues", "service_code": "006", "description": None,
                "agency_responsible": None, "service_notice": None,
                "requested_datetime": "2010-04-14T06:37:38-08:00", "updated_datetime": "2010-04-14T06:37:38-08:00",
                "expected_datetime": "2010-04-15T06:37:38-08:00", "address": "8TH AVE and JUDAH ST",
                "address_id": 545483, "zipcode": 94122, "lat": 37.762221815, "long": -122.4651145,
                "media_url": "http://city.gov.s3.amazonaws.com/requests/media/638344.jpg"}
SPEC_ERROR = {"code": 403, "description": "Invalid api_key"}
SPEC_SERVICES_XML = ("<services><service><service_code>001</service_code><service_name>Cans</service_name>"
                     "<description>x</description><metadata>true</metadata><type>realtime</type>"
                     "<keywords>a</keywords><group>sanitation</group></service></services>")
SPEC_REQUESTS_XML = ("<service_requests><request><service_request_id>638344</service_request_id><status>closed"
                     "</status><status_notes/><service_name/><service_code/><description/><agency_responsible/>"
                     "<service_notice/><requested_datetime/><updated_datetime/><expected_datetime/><address/>"
                     "<address_id/><zipcode/><lat/><long/><media_url/></request></service_requests>")


def _tags(xml: str | bytes) -> tuple[str, list[str], list[str]]:
    root = ET.fromstring(xml)
    first = root[0] if len(root) else None
    return root.tag, [root[0].tag] if first is not None else [], [c.tag for c in first] if first is not None else []


def test_discovery_and_services_match_the_spec(server: Server) -> None:
    base = server.url + "/open311/v2"
    disc = requests.get(base + "/discovery.json", timeout=10).json()
    assert {"changeset", "contact", "key_service", "endpoints"} <= set(disc)
    ep = disc["endpoints"][0]
    assert ep["specification"] == "http://wiki.open311.org/GeoReport_v2" and ep["url"].endswith("/open311/v2/")
    assert set(ep["formats"]) == {"text/xml", "application/json"}
    assert ET.fromstring(requests.get(base + "/discovery.xml", timeout=10).content).find(
        "endpoints/endpoint/formats/format") is not None
    services = requests.get(base + "/services.json", timeout=10).json()
    assert services and all(set(s) == set(SPEC_SERVICE) for s in services)
    assert all(isinstance(s["metadata"], bool) and s["type"] in ("realtime", "batch", "blackbox") for s in services)
    r = requests.get(base + "/services.xml", timeout=10)
    assert r.headers["Content-Type"].startswith("text/xml")
    assert _tags(r.content) == _tags(SPEC_SERVICES_XML)
    with_meta = next(s for s in services if s["metadata"])
    definition = requests.get(f"{base}/services/{with_meta['service_code']}.json", timeout=10).json()
    assert set(definition) == set(SPEC_DEFINITION)
    assert set(definition["attributes"][0]) == set(SPEC_DEFINITION["attributes"][0])
    assert set(definition["attributes"][0]["values"][0]) == {"key", "name"}
    xml = ET.fromstring(requests.get(f"{base}/services/{with_meta['service_code']}.xml", timeout=10).content)
    assert xml.tag == "service_definition" and xml.find("attributes/attribute/values/value/key") is not None
    missing = requests.get(base + "/services/nope.json", timeout=10)
    assert missing.status_code == 404 and set(missing.json()[0]) == set(SPEC_ERROR)


def test_post_token_and_get_request_lifecycle(server: Server) -> None:
    base = server.url + "/open311/v2"
    form = {"service_code": "lighting", "lat": "48.4650", "long": "35.0470", "description": "Не світить ліхтар",
            "email": "resident@example.org", "first_name": "Олена", "last_name": "Шевченко", "phone": "+380501112233"}
    denied = requests.post(base + "/requests.json", data={**form, "api_key": "wrong"}, timeout=10)
    assert denied.status_code == 403 and denied.json() == [SPEC_ERROR]
    denied_xml = requests.post(base + "/requests.xml", data={**form, "api_key": "wrong"}, timeout=10)
    err = ET.fromstring(denied_xml.content)
    assert err.tag == "errors" and err.find("error/code").text == "403"
    no_location = requests.post(base + "/requests.json", data={**form, "lat": "", "long": "",
                                                               "api_key": "demo-open311-key"}, timeout=10)
    assert no_location.status_code == 400
    created = requests.post(base + "/requests.json", data={**form, "api_key": "demo-open311-key"}, timeout=10)
    assert created.status_code == 201, created.text
    row = created.json()[0]
    assert set(SPEC_POST) <= set(row)
    rid, token = row["service_request_id"], row["token"]
    tok = requests.get(f"{base}/tokens/{token}.json", timeout=10).json()
    assert tok == [{"service_request_id": rid, "token": token}] and set(tok[0]) == set(SPEC_TOKEN)
    one = requests.get(f"{base}/requests/{rid}.json", timeout=10).json()
    assert len(one) == 1 and set(one[0]) == set(SPEC_REQUEST)
    got = one[0]
    assert got["status"] == "open" and got["service_code"] == "lighting" and got["lat"] == 48.465
    for key in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert datetime.fromisoformat(got[key]).tzinfo is not None, "W3C date-time with offset"
    body = requests.get(f"{base}/requests/{rid}.json", timeout=10).text
    assert "resident@example.org" not in body and "Шевченко" not in body and "+380501112233" not in body
    xml = requests.get(f"{base}/requests/{rid}.xml", timeout=10).content
    assert _tags(xml) == _tags(SPEC_REQUESTS_XML)

    everything = requests.get(base + "/requests.json", timeout=10).json()
    assert any(r["service_request_id"] == rid for r in everything)
    assert all(r["service_code"] == "lighting" for r in
               requests.get(base + "/requests.json", params={"service_code": "lighting"}, timeout=10).json())
    assert not [r for r in requests.get(base + "/requests.json", params={"status": "closed"}, timeout=10).json()
                if r["service_request_id"] == rid]
    ids = requests.get(base + "/requests.json", params={"service_request_id": f"{rid},999999"}, timeout=10).json()
    assert [r["service_request_id"] for r in ids] == [rid]
    past = requests.get(base + "/requests.json", params={"start_date": "2001-01-01T00:00:00Z",
                                                          "end_date": "2001-02-01T00:00:00Z"}, timeout=10).json()
    assert past == []
    bad = requests.get(base + "/requests.json", params={"start_date": "yesterday"}, timeout=10)
    assert bad.status_code == 400 and set(bad.json()[0]) == set(SPEC_ERROR)
    assert requests.get(base + "/requests/999999.json", timeout=10).status_code == 404
