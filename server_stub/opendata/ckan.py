"""A CKAN-compatible Action API at /api/3/action/ and /api/action/: reads for everyone, writes
(ckan_write.py) for a data publisher's API token.

Envelope ``{"help", "success", "result"}``; errors ``{"help", "success": false, "error": {"__type",
"message"}}`` with CKAN's statuses (404 Not Found Error, 409 Validation Error / Search Query Error,
400 Bad request), so that ckanapi and CKAN harvesters work unchanged.
"""

from __future__ import annotations

import json
import re
import shlex
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from server_stub.core import limits
from server_stub.core.pages import Pages

from .ckan_model import ORG, CkanError, _dataset, group_dict, package_dict, resource_dict
from .ckan_write import WRITE_ACTIONS
from .models import Dataset, Group, Resource, Tag

pages = Pages()


def _int(params: dict[str, Any], key: str, default: int, maximum: int) -> int:
    value = params.get(key, default)
    try:
        number = int(value)
    except (TypeError, ValueError) as err:
        raise CkanError(409, "Validation Error", {key: ["Invalid integer"]}) from err
    if number < 0:
        raise CkanError(409, "Validation Error", {key: ["Must be a natural number"]})
    return min(number, maximum)


def _bool(value: Any) -> bool:
    return str(value).lower() in ("true", "1", "yes", "on")


def package_list(p: dict[str, Any], base: str) -> list[str]:
    qs = Dataset.objects.order_by("name").values_list("name", flat=True)
    offset = _int(p, "offset", 0, 10**9)
    limit = _int(p, "limit", 1000, 1000) if "limit" in p else None
    names = list(qs)[offset:]
    return names[:limit] if limit is not None else names


def package_show(p: dict[str, Any], base: str) -> dict[str, Any]:
    if not p.get("id"):
        raise CkanError(409, "Validation Error", {"id": ["Missing value"]})
    return package_dict(_dataset(p["id"]), base)


def resource_show(p: dict[str, Any], base: str) -> dict[str, Any]:
    ident = str(p.get("id") or "")
    if not ident:
        raise CkanError(409, "Validation Error", {"id": ["Missing value"]})
    res = Resource.objects.filter(id=ident).first() if re.fullmatch(r"[0-9a-fA-F-]{32,36}", ident) else None
    if res is None:
        raise CkanError(404, "Not Found Error", "Not found")
    return resource_dict(res, base)


FACETABLE = {
    "tags": lambda d: [t["name"] for t in d["tags"]],
    "groups": lambda d: [g["name"] for g in d["groups"]],
    "res_format": lambda d: sorted({r["format"] for r in d["resources"]}),
    "license_id": lambda d: [d["license_id"]],
    "organization": lambda d: [d["organization"]["name"]],
    "name": lambda d: [d["name"]],
}
SORTS = {"name": "name", "title_string": "title", "metadata_modified": "metadata_modified",
         "metadata_created": "metadata_created", "score": "name"}


def _terms(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError as err:
        raise CkanError(409, "Search Query Error", f"Search error: cannot parse {text!r}") from err


def _matches_filter(d: dict[str, Any], term: str) -> bool:
    term = term.lstrip("+")
    if term in ("AND", "*:*"):
        return True
    field, _, value = term.partition(":")
    if field not in FACETABLE:
        raise CkanError(409, "Search Query Error", f"Search error: unknown field {field!r} in fq")
    return value.strip('"') in FACETABLE[field](d)


def _matches_q(d: dict[str, Any], term: str) -> bool:
    if term in ("*:*", "AND", "*"):
        return True
    if ":" in term and term.split(":", 1)[0].lstrip("+") in FACETABLE:
        return _matches_filter(d, term)
    hay = " ".join([d["name"], d["title"], d["notes"], *[t["name"] for t in d["tags"]]]).lower()
    return term.lower().strip('"') in hay


def package_search(p: dict[str, Any], base: str) -> dict[str, Any]:
    rows, start = _int(p, "rows", 10, 1000), _int(p, "start", 0, 10**9)
    docs = [package_dict(ds, base) for ds in Dataset.objects.prefetch_related("tags", "groups", "resources")]
    q, fq = str(p.get("q") or ""), str(p.get("fq") or "")
    docs = [d for d in docs if all(_matches_q(d, t) for t in _terms(q))]
    docs = [d for d in docs if all(_matches_filter(d, t) for t in _terms(fq))]
    sort = str(p.get("sort") or "score desc, metadata_modified desc")
    for part in reversed([s.strip() for s in sort.split(",") if s.strip()]):
        field, _, direction = part.partition(" ")
        if field not in SORTS or direction.strip() not in ("", "asc", "desc"):
            raise CkanError(409, "Search Query Error", f"Search error: cannot sort by {part!r}")
        docs.sort(key=lambda d, f=SORTS[field]: d[f], reverse=direction.strip() == "desc")
    raw_fields = p.get("facet.field") or "[]"
    try:
        fields = json.loads(raw_fields) if isinstance(raw_fields, str) else list(raw_fields)
    except json.JSONDecodeError as err:
        raise CkanError(409, "Validation Error", {"facet.field": ["Invalid JSON list"]}) from err
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise CkanError(409, "Validation Error", {"facet.field": ["Must be a list of strings"]})
    facet_limit = _int(p, "facet.limit", 50, 1000)
    facets, search_facets = {}, {}
    for field in fields:
        if field not in FACETABLE:
            raise CkanError(409, "Search Query Error", f"Search error: cannot facet on {field!r}")
        counts = Counter(v for d in docs for v in FACETABLE[field](d))
        top = counts.most_common(facet_limit)
        facets[field] = dict(top)
        search_facets[field] = {"title": field, "items": [{"name": n, "display_name": n, "count": c} for n, c in top]}
    return {"count": len(docs), "sort": sort, "facets": facets, "search_facets": search_facets,
            "results": docs[start:start + rows]}


def group_list(p: dict[str, Any], base: str) -> list[Any]:
    groups = list(Group.objects.all())
    if str(p.get("sort", "")).startswith("title"):
        groups.sort(key=lambda g: g.title)
    if _bool(p.get("all_fields", False)):
        counts = Counter(g for ds in Dataset.objects.prefetch_related("groups") for g in ds.groups.all())
        return [{**group_dict(g), "package_count": counts[g]} for g in groups]
    return [g.name for g in groups]


def tag_list(p: dict[str, Any], base: str) -> list[Any]:
    tags = Tag.objects.all()
    if p.get("query"):
        tags = tags.filter(name__icontains=str(p["query"]))
    if _bool(p.get("all_fields", False)):
        return [{"id": str(t.id), "name": t.name, "display_name": t.name, "vocabulary_id": None} for t in tags]
    return [t.name for t in tags]


def organization_list(p: dict[str, Any], base: str) -> list[Any]:
    return [ORG] if _bool(p.get("all_fields", False)) else [ORG["name"]]


def status_show(p: dict[str, Any], base: str) -> dict[str, Any]:
    return {"ckan_version": "2.10.0", "site_title": "Відкриті дані міста", "site_url": base,
            "site_description": "CKAN-compatible read-only API of the city server", "locale_default": "uk",
            "extensions": []}


ACTIONS: dict[str, Callable[[dict[str, Any], str], Any]] = {
    "package_list": package_list, "package_show": package_show, "package_search": package_search,
    "resource_show": resource_show, "group_list": group_list, "tag_list": tag_list,
    "organization_list": organization_list, "status_show": status_show,
}


def _envelope(request: HttpRequest, name: str, body: dict[str, Any], status: int = 200) -> HttpResponse:
    help_url = request.build_absolute_uri(f"/api/3/action/help_show?name={name}")
    payload = {"help": help_url, **body}
    return HttpResponse(json.dumps(payload, ensure_ascii=False), status=status,
                        content_type="application/json;charset=utf-8")


def _failure(request: HttpRequest, name: str, err: CkanError) -> HttpResponse:
    error = {"__type": err.type, **(err.message if isinstance(err.message, dict) else {"message": err.message})}
    return _envelope(request, name, {"success": False, "error": error}, err.status)


def _publisher(request: HttpRequest) -> Any:
    """The user of the API token presented, holding core.publish_data; a CKAN 403 otherwise. A browser
    session does not count: this view is CSRF-exempt, so a cookie must never authorise a write."""
    from server_stub.core.roles import can

    from .tokens import presented, user_for

    token = presented(request)
    if not token:
        raise CkanError(403, "Authorization Error", "Access denied: a data publisher's API token is required")
    user = user_for(token)
    if user is None:
        raise CkanError(403, "Authorization Error", "Access denied: the API token is not valid")
    if not can(user, "publish_data"):
        raise CkanError(403, "Authorization Error", "Access denied: this needs the permission core.publish_data")
    return user


@pages.route("<str:name>")
@csrf_exempt
def action(request: HttpRequest, name: str) -> HttpResponse:
    if name in WRITE_ACTIONS:
        if request.method != "POST":
            return _envelope(request, name, {"success": False, "error": {
                "__type": "Bad request", "message": f"Bad request - {name} needs POST"}}, 400)
        try:
            _publisher(request)
        except CkanError as err:
            return _failure(request, name, err)
    elif name not in ACTIONS:
        return _envelope(request, name, {"success": False, "error": {
            "__type": "Bad request", "message": f"Bad request - Action name not known: {name}"}}, 400)
    params: dict[str, Any] = dict(request.GET.items())
    if request.method == "POST":
        if request.content_type == "application/json":
            try:
                body = limits.loads(request.body or b"{}")
            except limits.TooDeep as err:
                return _envelope(request, name, {"success": False, "error": {
                    "__type": "Validation Error", "message": f"Bad request - JSON Error: {err}"}}, 422)
            except (json.JSONDecodeError, UnicodeDecodeError):
                return _envelope(request, name, {"success": False, "error": {
                    "__type": "Bad request", "message": "Bad request - JSON Error: could not parse the body"}}, 400)
            if not isinstance(body, dict):
                return _envelope(request, name, {"success": False, "error": {
                    "__type": "Bad request", "message": "Bad request - JSON Error: expected an object"}}, 400)
            params.update(body)
        else:
            params.update(request.POST.items())
    base = request.build_absolute_uri("/").rstrip("/")
    try:
        if name in WRITE_ACTIONS:
            result = WRITE_ACTIONS[name](params, base, dict(request.FILES.items()))
        else:
            result = ACTIONS[name](params, base)
    except CkanError as err:
        return _failure(request, name, err)
    return _envelope(request, name, {"success": True, "result": result})


urlpatterns = pages.urlpatterns  # mounted at /api/3/action/ and /api/action/ (OpendataConfig.url_mounts)
