"""Open data portal: the CKAN Action API through the ckanapi client against the running server,
the envelope against CKAN's documented examples, resources in three formats, the DCAT catalogue."""

from __future__ import annotations

import csv
import io
import json

import ckanapi
import pytest
import requests
from openpyxl import load_workbook
from rdflib import Graph

from tests.server.citysrv_helpers import Server

# From the CKAN API docs ("Making an API request"): success and error envelopes.
CKAN_OK = {"help": "https://demo.ckan.org/api/3/action/help_show?name=package_list", "success": True,
           "result": ["data-explorer", "example-dataset"]}
CKAN_NOT_FOUND = {"help": "…", "success": False, "error": {"__type": "Not Found Error", "message": "Not found"}}
SEARCH_KEYS = {"count", "sort", "facets", "results", "search_facets"}
PACKAGE_KEYS = {"id", "name", "title", "notes", "tags", "groups", "resources", "num_resources", "num_tags",
                "metadata_created", "metadata_modified", "license_id", "license_title", "organization", "owner_org",
                "state", "type", "private", "extras", "maintainer", "maintainer_email", "author", "url"}
RESOURCE_KEYS = {"id", "package_id", "name", "format", "url", "mimetype", "size", "created", "last_modified",
                 "position", "state"}


@pytest.fixture(scope="module")
def ckan(server: Server) -> ckanapi.RemoteCKAN:
    return ckanapi.RemoteCKAN(server.url, user_agent="city-server-tests/1.0")


def test_envelopes_match_ckan_docs(server: Server) -> None:
    ok = requests.get(server.url + "/api/3/action/package_list", timeout=10).json()
    assert set(ok) == set(CKAN_OK) and ok["success"] is True and "help_show?name=package_list" in ok["help"]
    nf = requests.get(server.url + "/api/3/action/package_show", params={"id": "nope"}, timeout=10)
    assert nf.status_code == 404
    assert set(nf.json()) == set(CKAN_NOT_FOUND) and nf.json()["error"] == CKAN_NOT_FOUND["error"]
    post = requests.post(server.url + "/api/3/action/package_show", json={"id": "appeals-statistics"}, timeout=10)
    assert post.json()["result"]["name"] == "appeals-statistics"


def test_ckanapi_client_reads_everything(ckan: ckanapi.RemoteCKAN) -> None:
    names = ckan.action.package_list()
    assert {"appeals-statistics", "contact-centre-requests", "city-map-objects", "appeal-terminals"} <= set(names)
    pkg = ckan.action.package_show(id="appeals-statistics")
    assert set(pkg) >= PACKAGE_KEYS
    passport = {e["key"] for e in pkg["extras"]}
    assert {"identifier", "publisher", "update_frequency", "last_modified", "formats", "structure"} <= passport
    assert pkg["maintainer_email"] and pkg["maintainer"]
    assert sorted(r["format"] for r in pkg["resources"]) == ["CSV", "JSON", "XLSX"]
    res = ckan.action.resource_show(id=pkg["resources"][0]["id"])
    assert set(res) >= RESOURCE_KEYS and res["package_id"] == pkg["id"]
    assert ckan.action.package_show(id=pkg["id"])["name"] == "appeals-statistics"
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="no-such-dataset")
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.package_search(rows="many")
    groups = ckan.action.group_list()
    assert {"appeals", "city-services", "geo"} <= set(groups)
    full = ckan.action.group_list(all_fields=True)
    assert {g["name"]: g["package_count"] for g in full}["appeals"] == 2
    assert "мапа" in ckan.action.tag_list()
    assert ckan.action.tag_list(query="стат") == ["статистика"]


def test_package_search_q_fq_sort_paging_facets(ckan: ckanapi.RemoteCKAN) -> None:
    everything = ckan.action.package_search(rows=100)
    assert set(everything) == SEARCH_KEYS and everything["count"] >= 4
    by_q = ckan.action.package_search(q="статистика")
    assert [p["name"] for p in by_q["results"]] == ["appeals-statistics"]
    by_fq = ckan.action.package_search(fq="groups:geo", sort="name asc")
    assert [p["name"] for p in by_fq["results"]] == ["appeal-terminals", "city-map-objects"]
    both = ckan.action.package_search(fq='groups:appeals tags:"термінали"')
    assert [p["name"] for p in both["results"]] == ["appeal-terminals"]
    desc = ckan.action.package_search(sort="name desc", rows=100)
    names = [p["name"] for p in desc["results"]]
    assert names == sorted(names, reverse=True)
    page1 = ckan.action.package_search(sort="name asc", rows=2, start=0)
    page2 = ckan.action.package_search(sort="name asc", rows=2, start=2)
    assert len(page1["results"]) == 2 and page1["count"] == everything["count"]
    assert not {p["name"] for p in page1["results"]} & {p["name"] for p in page2["results"]}
    facets = ckan.action.package_search(**{"facet.field": json.dumps(["groups", "res_format"]), "rows": 0})
    assert facets["results"] == []
    assert facets["facets"]["groups"]["appeals"] == 2 and facets["facets"]["res_format"]["CSV"] >= 4
    items = {i["name"]: i["count"] for i in facets["search_facets"]["groups"]["items"]}
    assert items["geo"] == 2
    with pytest.raises(ckanapi.SearchQueryError):
        ckan.action.package_search(sort="nonsense asc")


def test_resources_download_in_three_formats_without_personal_data(server: Server, ckan: ckanapi.RemoteCKAN) -> None:
    pkg = ckan.action.package_show(id="contact-centre-requests")
    by_format = {r["format"]: r["url"] for r in pkg["resources"]}
    text = requests.get(by_format["CSV"], timeout=10).content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["service_request_id", "service_code", "status", "requested", "expected", "lat", "long"]
    as_json = requests.get(by_format["JSON"], timeout=10).json()
    assert len(as_json) == len(rows) - 1 and set(as_json[0]) == set(rows[0])
    wb = load_workbook(io.BytesIO(requests.get(by_format["XLSX"], timeout=10).content))
    assert [c.value for c in wb.active[1]] == rows[0]
    for word in ("Шевченко", "Бондаренко", "@example.org", "+380"):
        assert word not in text


def test_dcat_catalogue_in_turtle_and_json_ld(server: Server, ckan: ckanapi.RemoteCKAN) -> None:
    from rdflib.namespace import DCAT, RDF

    count = len(ckan.action.package_list())
    for fmt, parser in (("ttl", "turtle"), ("jsonld", "json-ld")):
        g = Graph().parse(data=requests.get(f"{server.url}/opendata/catalog.{fmt}", timeout=10).text, format=parser)
        assert len(list(g.subjects(RDF.type, DCAT.Catalog))) == 1
        assert len(list(g.subjects(RDF.type, DCAT.Dataset))) == count
        assert len(list(g.subjects(RDF.type, DCAT.Distribution))) == 3 * count
        assert list(g.objects(None, DCAT.downloadURL))
