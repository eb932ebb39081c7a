"""Data publishers write through the CKAN Action API with ckanapi (the CKAN project's own client)
against a real ``city-server run``: tokens issued once and stored hashed, revocable; anonymous and
wrong-role callers refused; uploads sniffed and re-made; the passport and DCAT follow; downloads
counted; residents request datasets and vote."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator
from pathlib import Path

import ckanapi
import pytest
import requests
from openpyxl import Workbook, load_workbook
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from tests.server.citysrv_helpers import Server, resident_session, run_server
from tests.server_instruments.helpers import db_json

PASSPORT = {"name": "street-trees", "title": "Дерева на вулицях міста", "notes": "Реєстр зелених насаджень: порода, "
            "вік, стан, координати.", "maintainer": "Олена Ткаченко", "maintainer_email": "trees@example.org",
            "tags": [{"name": "дерева"}, {"name": "благоустрій"}], "groups": [{"name": "geo"}],
            "extras": [{"key": "publisher", "value": "Департамент благоустрою міської ради"},
                       {"key": "update_frequency", "value": "quarterly"},
                       {"key": "structure", "value": "id, species, age, state, lat, lon"},
                       {"key": "legal_basis", "value": "Постанова КМУ від 21.10.2015 № 835"}]}
TREES_CSV = ("id;species;age;state;note\r\n1;Каштан кінський;45;добрий;-12\r\n"
             '2;Липа;30;задовільний;=HYPERLINK("http://evil.example","Деталі")\r\n').encode()


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with run_server(tmp_path_factory.mktemp("opendata-write"),
                    env={"CITY_SERVER_OPENDATA_MAX_UPLOAD_MB": "0.05"}) as server:
        yield server


def _token(srv: Server, user: str) -> str:
    out = srv.cli("issue-api-token", user).stdout
    assert "shown once" in out
    return out.strip().splitlines()[-1]


def _upload(tmp: Path, name: str, data: bytes) -> io.BufferedReader:
    path = tmp / name
    path.write_bytes(data)
    return path.open("rb")


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def _dcat(srv: Server) -> Graph:
    return Graph().parse(data=requests.get(srv.url + "/opendata/catalog.ttl", timeout=20).text, format="turtle")


def test_a_publisher_creates_uploads_updates_and_deletes_with_ckanapi(srv: Server, tmp_path: Path) -> None:
    token = _token(srv, "publisher")
    stored = db_json(srv, "list(M('opendata.ApiToken').objects.values_list('token_sha256', 'hint'))")
    assert [hashlib.sha256(token.encode()).hexdigest(), token[:8]] in stored
    assert not any(token in str(row) for row in stored)  # only the hash and a hint are kept
    ckan = ckanapi.RemoteCKAN(srv.url, apikey=token, user_agent="city-server-tests/1.0")

    pkg = ckan.action.package_create(**PASSPORT)
    assert pkg["name"] == "street-trees" and pkg["num_resources"] == 0
    shown = ckanapi.RemoteCKAN(srv.url).action.package_show(id="street-trees")  # anyone reads it
    extras = {e["key"]: e["value"] for e in shown["extras"]}
    assert extras["publisher"] == "Департамент благоустрою міської ради" and extras["update_frequency"] == "quarterly"
    assert extras["legal_basis"].endswith("№ 835") and shown["maintainer_email"] == "trees@example.org"
    assert sorted(t["name"] for t in shown["tags"]) == ["благоустрій", "дерева"]
    assert [g["name"] for g in shown["groups"]] == ["geo"]

    res = ckan.action.resource_create(package_id=pkg["id"], name="Реєстр дерев",
                                      upload=_upload(tmp_path, "trees.csv", TREES_CSV))
    assert res["format"] == "CSV" and res["mimetype"] == "text/csv"
    got = requests.get(res["url"], timeout=20)
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    rows = _rows(got.content)  # re-made: comma-separated, the formula neutralised, a negative number kept
    assert rows[0] == ["id", "species", "age", "state", "note"]
    assert rows[1] == ["1", "Каштан кінський", "45", "добрий", "-12"]
    assert rows[2][4] == "'" + '=HYPERLINK("http://evil.example","Деталі")'
    assert res["size"] == len(got.content)

    before = ckan.action.package_show(id="street-trees")["metadata_modified"]
    new_csv = TREES_CSV + "3;Клен гостролистий;12;добрий;\r\n".encode()
    updated = ckan.action.resource_update(id=res["id"], name="Реєстр дерев (квітень)",
                                          upload=_upload(tmp_path, "trees2.csv", new_csv))
    assert updated["id"] == res["id"] and updated["name"] == "Реєстр дерев (квітень)"
    assert _rows(requests.get(updated["url"], timeout=20).content)[3][:2] == ["3", "Клен гостролистий"]
    after = ckan.action.package_show(id="street-trees")
    assert after["metadata_modified"] > before and after["num_resources"] == 1

    wb = Workbook()
    wb.active.append(["district", "trees"])
    wb.active.append(["Центральний", 120])
    wb.active.append(["@SUM(B2)", "=B2*2"])
    buf = io.BytesIO()
    wb.save(buf)
    xres = ckan.action.resource_create(package_id="street-trees", format="XLSX", upload=_upload(
        tmp_path, "districts.xlsx", buf.getvalue()))
    sheet = load_workbook(io.BytesIO(requests.get(xres["url"], timeout=20).content)).active
    # a text cell that would run is neutralised; a formula is not carried over (only a value Excel
    # cached would be, and openpyxl caches none)
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["district", "trees"], ["Центральний", 120], ["'@SUM(B2)", None]]

    meta = dict(PASSPORT, title="Дерева міста", extras=[*PASSPORT["extras"][:1],
                                                        {"key": "update_frequency", "value": "monthly"}])
    changed = ckan.action.package_update(id=pkg["id"], **{k: v for k, v in meta.items() if k != "name"},
                                         name="street-trees")
    assert changed["title"] == "Дерева міста" and changed["num_resources"] == 2
    assert {e["key"]: e["value"] for e in changed["extras"]}["update_frequency"] == "monthly"
    g = _dcat(srv)
    node = URIRef(f"{srv.url}/opendata/street-trees/")
    assert (node, RDF.type, DCAT.Dataset) in g and (node, DCTERMS.title, Literal("Дерева міста", lang="uk")) in g
    assert len(list(g.objects(node, DCAT.distribution))) == 2
    assert [str(g.value(p, FOAF.name)) for p in g.objects(node, DCTERMS.publisher)] == [
        "Департамент благоустрою міської ради"]  # the passport's data manager
    assert g.value(node, DCTERMS.accrualPeriodicity) == URIRef("http://purl.org/cld/freq/monthly")

    ckan.action.package_delete(id="street-trees")
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="street-trees")
    assert (node, RDF.type, DCAT.Dataset) not in _dcat(srv)
    assert requests.get(res["url"], timeout=20).status_code == 404


def test_anonymous_wrong_role_unknown_and_revoked_tokens_are_refused(srv: Server) -> None:
    anonymous = ckanapi.RemoteCKAN(srv.url)
    official = ckanapi.RemoteCKAN(srv.url, apikey=_token(srv, "official"))  # a staff user without publish_data
    forged = ckanapi.RemoteCKAN(srv.url, apikey="od_" + "A" * 43)
    for client in (anonymous, official, forged):
        with pytest.raises(ckanapi.NotAuthorized):
            client.action.package_create(**dict(PASSPORT, name="not-allowed"))
        with pytest.raises(ckanapi.NotAuthorized):
            client.action.package_delete(id="appeals-statistics")
    publisher = _token(srv, "secretary")  # holds no publish_data either: the CLI warns, the API refuses
    with pytest.raises(ckanapi.NotAuthorized):
        ckanapi.RemoteCKAN(srv.url, apikey=publisher).action.package_create(**dict(PASSPORT, name="not-allowed"))
    names = anonymous.action.package_list()
    assert "not-allowed" not in names and "appeals-statistics" in names
    # a browser session of a publisher does not authorise a write (the view takes no cookie, so no CSRF)
    s = requests.Session()
    s.get(srv.url + "/accounts/login/", timeout=20)
    s.post(srv.url + "/accounts/login/", data={"username": "publisher", "password": "publisher",
                                               "csrfmiddlewaretoken": s.cookies["csrftoken"]},
           headers={"Referer": srv.url + "/accounts/login/"}, timeout=20)
    r = s.post(srv.url + "/api/3/action/package_create", json=dict(PASSPORT, name="by-cookie"), timeout=20)
    assert r.status_code == 403 and r.json()["error"]["__type"] == "Authorization Error"

    nobody = srv.cli("issue-api-token", "no-such-user", check=False)
    assert nobody.returncode == 1 and "no such active user" in nobody.stderr and "od_" not in nobody.stdout
    token = _token(srv, "publisher")
    client = ckanapi.RemoteCKAN(srv.url, apikey=token)
    assert client.action.package_create(**dict(PASSPORT, name="before-revoking"))["name"] == "before-revoking"
    out = srv.cli("revoke-api-token", "publisher").stdout
    assert re.search(r"publisher: [1-9]\d* API token\(s\) revoked", out), out
    with pytest.raises(ckanapi.NotAuthorized):
        client.action.package_update(**dict(PASSPORT, name="before-revoking", title="after revoking"))
    assert anonymous.action.package_show(id="before-revoking")["title"] == PASSPORT["title"]


HOSTILE = [
    ("page.csv", b"<html><script>alert(1)</script></html>", "", "HTML, XML and SVG"),
    ("image.csv", b"\x89PNG\r\n\x1a\n" + bytes(64), "", "Only CSV, JSON"),
    ("nul.csv", b"a,b\r\n1,\x00\r\n", "", "control characters"),
    ("ragged.csv", b"a,b,c\r\n1,2\r\n", "", "Row 2 has 2 fields"),
    ("claims.csv", b'{"a": 1}', "CSV", "content is JSON"),
    ("deep.json", b"[" * 5000 + b"]" * 5000, "", "JSON"),
    ("fake.xlsx", b"PK\x03\x04" + bytes(100), "", "does not open"),
    ("big.csv", b"a,b\r\n" + b"1,2\r\n" * 12000, "", "larger than"),
    ("empty.csv", b"", "", "empty"),
]


def test_hostile_uploads_are_refused_with_a_reason(srv: Server, tmp_path: Path) -> None:
    client = ckanapi.RemoteCKAN(srv.url, apikey=_token(srv, "publisher"))
    client.action.package_create(**dict(PASSPORT, name="hostile-target"))
    for name, data, fmt, reason in HOSTILE:
        with pytest.raises(ckanapi.ValidationError) as err:
            client.action.resource_create(package_id="hostile-target", format=fmt,
                                          upload=_upload(tmp_path, name, data))
        assert reason in str(err.value.error_dict["upload"]), (name, err.value.error_dict)
    with pytest.raises(ckanapi.ValidationError) as err:
        client.action.resource_create(package_id="hostile-target", url="https://evil.example/x.csv")
    assert "upload" in err.value.error_dict
    assert client.action.package_show(id="hostile-target")["num_resources"] == 0
    generated = client.action.package_show(id="appeals-statistics")["resources"][0]["id"]
    with pytest.raises(ckanapi.ValidationError):
        client.action.resource_update(id=generated, upload=_upload(tmp_path, "x.csv", b"a\r\n1\r\n"))
    with pytest.raises(ckanapi.ValidationError) as err:
        client.action.package_create(**dict(PASSPORT, name="Bad Name!", maintainer_email="nope", extras=[]))
    assert {"name", "maintainer_email", "publisher"} <= set(err.value.error_dict)


def test_downloads_are_counted_and_shown_on_the_usage_page(srv: Server) -> None:
    pkg = ckanapi.RemoteCKAN(srv.url).action.package_show(id="appeal-terminals")
    start = pkg["tracking_summary"]["total"]
    for r in pkg["resources"]:
        assert requests.get(r["url"], timeout=20).status_code == 200
    again = ckanapi.RemoteCKAN(srv.url).action.package_show(id="appeal-terminals")["tracking_summary"]
    assert again["total"] == start + 3 and again["recent"] >= 3
    page = requests.get(srv.url + "/opendata/usage/", timeout=20)
    assert page.status_code == 200 and "Використання відкритих даних" in page.text
    row = re.search(r'<a href="/opendata/appeal-terminals/">[^<]+</a></td><td>(\d+)</td><td>(\d+)</td>', page.text)
    assert row and int(row.group(2)) == start + 3, page.text[:3000]


def _form_post(s: requests.Session, srv: Server, path: str, data: dict[str, str]) -> requests.Response:
    return s.post(srv.url + path, data={**data, "csrfmiddlewaretoken": s.cookies["csrftoken"]},
                  headers={"Referer": srv.url + path}, timeout=20)


def test_residents_request_datasets_and_vote_once(srv: Server) -> None:
    a, b = resident_session(srv, "test-0001"), resident_session(srv, "test-0002")
    a.get(srv.url + "/opendata/requests/", timeout=20)
    r = _form_post(a, srv, "/opendata/requests/", {"title": "Графік вивезення сміття по вулицях",
                                                    "reason": "Щоб знати, коли виносити сміття"})
    assert r.status_code == 200 and "Ваш запит опубліковано" in r.text
    pk = db_json(srv, "M('opendata.DatasetRequest').objects.get(title__startswith='Графік вивезення').pk")
    b.get(srv.url + "/opendata/requests/", timeout=20)
    assert "Ваш голос зараховано" in _form_post(b, srv, f"/opendata/requests/{pk}/vote", {}).text
    assert "Ви вже голосували" in _form_post(b, srv, f"/opendata/requests/{pk}/vote", {}).text
    page = requests.get(srv.url + "/opendata/requests/", timeout=20).text
    row = re.search(r"Графік вивезення сміття по вулицях.*?<td class=\"votes\">(\d+)</td>", page, re.S)
    assert row and row.group(1) == "2"  # the author's own vote and one more; the repeat is not counted
    anon = requests.Session()
    anon.get(srv.url + "/opendata/requests/", timeout=20)
    r = _form_post(anon, srv, f"/opendata/requests/{pk}/vote", {})
    assert r.history and r.history[0].headers["Location"].startswith("/auth/bankid/")  # sent to sign in
    assert db_json(srv, f"M('opendata.RequestVote').objects.filter(request_id={pk}).count()") == 2
