"""Every URL of the URL configuration, every OpenAPI operation and every /admin/ model list, called
by every kind of caller against the live server, compared with the one table in access_table.py.

A route or an operation without an entry fails (so does an entry for something that is gone);
so does any caller let through who is not in the entry, or refused who is.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlparse

import pytest
import requests

from tests.server import access_table as t
from tests.server.citysrv_helpers import Server, resident_session, staff_session

SIGN_IN_PATHS = ("/accounts/login/", "/auth/bankid/", "/admin/login/")
ROUTES_CODE = """
import json
from django.contrib import admin
from tests.server.url_table import table
print("@@" + json.dumps({"routes": [(route, view) for route, _kind, _name, _ns, view in table(whole=True)],
                         "admin": sorted(f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry)}))
"""


def refused(r: requests.Response) -> bool:
    """401/403, or a redirect to a sign-in page."""
    if r.status_code in (401, 403):
        return True
    if r.status_code in (301, 302, 303, 307, 308):
        return urlparse(r.headers.get("Location", "")).path.startswith(SIGN_IN_PATHS)
    return False


def concrete(route: str) -> str:
    """'petitions/<int:pk>/' -> '/petitions/1/'; 'opendata/^catalog\\.(?P<fmt>jsonld|ttl)$' -> '/opendata/catalog.jsonld'."""
    def group(m: re.Match[str]) -> str:
        inner = m.group(2)
        return inner.split("|")[0] if re.fullmatch(r"[\w|]+", inner) else t.PATH_VALUES[m.group(1)]
    path = re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: t.UUID if m.group(1) == "uuid" else t.PATH_VALUES[m.group(2)],
                  route)
    path = re.sub(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)", group, path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\.", ".")


def openapi_path(route: str) -> str:
    """A django-ninja route 'api/petitions/<int:pk>' as OpenAPI writes it: '/api/petitions/{pk}'."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


@pytest.fixture(scope="module")
def callers(server: Server) -> dict[str, requests.Session]:
    sessions = {t.ANON: requests.Session(), t.RESIDENT: resident_session(server), t.TERMINAL: requests.Session()}
    sessions[t.TERMINAL].headers["Authorization"] = f"Bearer {server.token('061')}"
    for role in t.ROLES:
        sessions[role] = staff_session(server, role)
    for s in sessions.values():  # a CSRF cookie for everyone, so refusals are about who, not CSRF
        if "csrftoken" not in s.cookies:
            s.get(server.url + "/accounts/login/", timeout=30)
    return sessions


@pytest.fixture(scope="module")
def surface(server: Server) -> dict[str, object]:
    data = json.loads(server.shell(ROUTES_CODE))
    data["openapi"] = requests.get(server.url + "/api/openapi.json", timeout=30).json()
    return data


def call(s: requests.Session, method: str, url: str) -> requests.Response:
    headers = {"X-CSRFToken": s.cookies.get("csrftoken", ""), "Idempotency-Key": "access-table"}
    if method == "GET":
        return s.get(url, headers=headers, allow_redirects=False, timeout=30)
    if url.split("?")[0].endswith("/") and "/api/" not in url:  # a page: an empty form
        return s.post(url, data={}, headers=headers, allow_redirects=False, timeout=30)
    return s.request(method, url, data="{}", headers={**headers, "Content-Type": "application/json"},
                     allow_redirects=False, timeout=30)


def test_every_route_and_operation_has_an_entry(surface: dict[str, object]) -> None:
    routes = dict(surface["routes"])  # type: ignore[arg-type]
    operations = {(m.upper(), p) for p, item in surface["openapi"]["paths"].items()  # type: ignore[index]
                  for m in item if m in ("get", "post", "put", "patch", "delete")}
    documented = {p for _m, p in operations}
    # django-ninja's routes are the OpenAPI operations, except its own pages (the document, /api/docs)
    pages = {r for r, view in routes.items() if not r.startswith("admin/")
             and not (view.startswith("ninja.") and openapi_path(r) in documented)}
    missing = {
        "URL patterns without an entry in access_table.PAGES": sorted(pages - set(t.PAGES)),
        "entries in access_table.PAGES for URL patterns that are gone": sorted(set(t.PAGES) - pages),
        "OpenAPI operations without an entry in access_table.API": sorted(operations - set(t.API)),
        "entries in access_table.API for operations that are gone": sorted(set(t.API) - operations),
        "/admin/ models and access_table.ADMIN differ": sorted(set(surface["admin"]) ^ set(t.ADMIN)),  # type: ignore[arg-type]
    }
    assert {k: v for k, v in missing.items() if v} == {}
    assert len(operations) >= 90 and len(pages) >= 60  # the walk below covers the whole surface


def test_each_caller_gets_exactly_what_the_table_allows(server: Server, callers: dict[str, requests.Session]) -> None:
    wrong: list[str] = []
    checks = 0

    def check(caller: str, method: str, path: str, allowed: frozenset[str]) -> None:
        nonlocal checks
        r = call(callers[caller], method, server.url + path)
        checks += 1
        assert r.status_code < 500, f"{caller} {method} {path}: {r.status_code} {r.text[:300]}"
        if refused(r) == (caller in allowed):
            wrong.append(f"{caller:10} {method:6} {path}: {r.status_code} "
                         f"({'refused' if refused(r) else 'let through'}; table: "
                         f"{'allowed' if caller in allowed else 'refused'})")

    for caller in t.CALLERS:
        for route, methods in t.PAGES.items():
            for method, allowed in methods.items():
                check(caller, method, concrete(route), allowed)
        for (method, path), allowed in t.API.items():
            check(caller, method, re.sub(r"\{(\w+)\}", lambda m: t.PATH_VALUES[m.group(1)], path), allowed)
        check(caller, "GET", "/admin/", t.ADMIN_INDEX)
        for model, allowed in t.ADMIN.items():
            check(caller, "GET", "/admin/" + model.replace(".", "/") + "/", allowed)
    assert checks == len(t.CALLERS) * (sum(len(m) for m in t.PAGES.values()) + len(t.API) + 1 + len(t.ADMIN))
    assert wrong == [], "\n" + "\n".join(wrong)


def test_deep_json_gets_422_on_every_operation_that_reads_a_body(server: Server, surface: dict[str, object],
                                                                  callers: dict[str, requests.Session]) -> None:
    """Each operation with a JSON body, called by a caller it lets through, with JSON nested 900 and
    100,000 deep: 422 in the error envelope, never 5xx."""
    checked = 0
    for path, item in surface["openapi"]["paths"].items():  # type: ignore[index]
        for method, op in item.items():
            if "application/json" not in op.get("requestBody", {}).get("content", {}):
                continue
            allowed = t.API[(method.upper(), path)]
            caller = next(c for c in (t.ANON, t.RESIDENT, t.TERMINAL, *t.ROLES) if c in allowed)
            s = callers[caller]
            url = server.url + re.sub(r"\{(\w+)\}", lambda m: t.PATH_VALUES[m.group(1)], path)
            for depth in (900, 100_000):
                body = '{"a": ' * depth + "1" + "}" * depth
                r = s.request(method.upper(), url, data=body, timeout=30, headers={
                    "Content-Type": "application/json", "X-CSRFToken": s.cookies.get("csrftoken", ""),
                    "Idempotency-Key": f"deep-{depth}"})
                assert r.status_code == 422, f"{caller} {method} {path} depth {depth}: {r.status_code} {r.text[:200]}"
                assert r.json()["error"]["code"] == "validation_error"
                checked += 1
    assert checked >= 60  # every JSON-body operation, twice
