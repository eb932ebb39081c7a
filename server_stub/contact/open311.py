"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) at /open311/v2/, JSON and XML.

Personal data (name, e-mail, phone) is accepted on POST and never returned by GET.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timedelta
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from server_stub.core.pages import Pages
from server_stub.core.safeinput import http_url

from . import services
from .models import ApiKey, Category, ServiceRequest

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
SPEC = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-28T00:00:00+02:00"
_F = r"\.(?P<fmt>json|xml)$"  # every resource as .json or .xml

pages = Pages()


def w3c(value: datetime | None) -> str | None:
    return timezone.localtime(value).replace(microsecond=0).isoformat() if value else None


def _xml(root: str, item: str, rows: list[dict[str, Any]]) -> bytes:
    top = ET.Element(root)
    for row in rows:
        _fill(ET.SubElement(top, item), row)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="utf-8")


_PLURALS = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value"}


def _fill(node: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, val in value.items():
            _fill(ET.SubElement(node, key), val)
    elif isinstance(value, list):
        child = _PLURALS.get(node.tag, "item")
        for val in value:
            _fill(ET.SubElement(node, child), val)
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    elif value is not None:
        node.text = str(value)


def respond(fmt: str, rows: Any, root: str = "", item: str = "", status: int = 200) -> HttpResponse:
    if fmt == "xml":
        if isinstance(rows, dict):
            top = ET.Element(root)
            _fill(top, rows)
            body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="utf-8")
        else:
            body = _xml(root, item, rows)
    else:
        body = json.dumps(rows, ensure_ascii=False).encode()
    return HttpResponse(body, status=status, content_type=FORMATS[fmt])


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return respond(fmt, [{"code": status, "description": description}], "errors", "error", status)


@pages.route(r"^discovery" + _F, regex=True)
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri("/open311/v2/")
    body = {"changeset": CHANGESET, "contact": "Контакт-центр міської ради, 15-80",
            "key_service": "Ключ API видає контакт-центр (city-server manage create_open311_key)",
            "endpoints": [{"specification": SPEC, "url": base, "changeset": CHANGESET, "type": "production",
                           "formats": ["text/xml", "application/json"]}]}
    return respond(fmt, body, "discovery")


def _service(c: Category) -> dict[str, Any]:
    return {"service_code": c.code, "service_name": c.name, "description": c.description,
            "metadata": bool(c.attributes), "type": "realtime", "keywords": c.keywords, "group": c.group}


@pages.route(r"^services" + _F, regex=True)
def services_list(request: HttpRequest, fmt: str) -> HttpResponse:
    return respond(fmt, [_service(c) for c in Category.objects.all()], "services", "service")


@pages.route(r"^services/(?P<code>[^/]+?)" + _F, regex=True)
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    c = Category.objects.filter(code=code).first()
    if c is None:
        return error(fmt, 404, f"service_code {code} not found")
    body = {"service_code": c.code, "attributes": c.attributes}
    return respond(fmt, body, "service_definition")


def request_dict(r: ServiceRequest) -> dict[str, Any]:
    notes = r.status_notes or ("В роботі" if r.status == "in_progress" else "")
    return {"service_request_id": r.request_id, "status": "closed" if r.status == "closed" else "open",
            "status_notes": notes, "service_name": r.category.name, "service_code": r.category.code,
            "description": r.public_description, "agency_responsible": r.category.agency, "service_notice": "",
            "requested_datetime": w3c(r.requested_at), "updated_datetime": w3c(r.updated_at),
            "expected_datetime": w3c(r.expected_at), "address": r.address, "address_id": "", "zipcode": "",
            "lat": r.lat, "long": r.long, "media_url": r.media_url}


def _api_key_ok(key: str) -> bool:
    return bool(key) and ApiKey.objects.filter(key_sha256=hashlib.sha256(key.encode()).hexdigest(),
                                               active=True).exists()


def _float(value: str | None) -> float | None:
    if value in (None, ""):
        return None
    return float(value)


def create_request(request: HttpRequest, fmt: str) -> HttpResponse:
    p = request.POST
    if not _api_key_ok(p.get("api_key", "")):
        return error(fmt, 403, "Invalid api_key")
    category = Category.objects.filter(code=p.get("service_code", "")).first()
    if category is None:
        return error(fmt, 400, "service_code is missing or unknown")
    try:
        lat, lon = _float(p.get("lat")), _float(p.get("long"))
    except ValueError:
        return error(fmt, 400, "lat and long must be numbers")
    if (lat is None or lon is None) and not p.get("address_string") and not p.get("address_id"):
        return error(fmt, 400, "A location is required: lat and long, or address_string")
    if (lat is not None and not (-90 <= lat <= 90)) or (lon is not None and not (-180 <= lon <= 180)):
        return error(fmt, 400, "lat/long out of range")
    missing = [a["code"] for a in category.attributes
               if a.get("required") and a.get("variable", True) and not p.get(f"attribute[{a['code']}]")]
    if missing:
        return error(fmt, 400, f"Required attribute missing: {', '.join(missing)}")
    description = p.get("description", "").strip()
    if not description:
        return error(fmt, 400, "description is required")
    try:
        media_url = http_url(p.get("media_url", "")[:200])
    except ValueError:
        return error(fmt, 400, "media_url must be an http:// or https:// address")
    r = services.create(category, description=description[:4000], lat=lat, lon=lon,
                        address=p.get("address_string", "")[:300], email=p.get("email", "")[:254],
                        first_name=p.get("first_name", "")[:100], last_name=p.get("last_name", "")[:100],
                        phone=p.get("phone", "")[:40], media_url=media_url, channel="api")
    row = {"service_request_id": r.request_id, "token": str(r.token),
           "service_notice": f"Очікуваний строк: {w3c(r.expected_at)}", "account_id": None}
    return respond(fmt, [row], "service_requests", "request", status=201)


def _date(value: str) -> datetime | None:
    parsed = parse_datetime(value.replace(" ", "+"))
    if parsed is None:
        raise ValueError(value)
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def list_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    g = request.GET
    qs = ServiceRequest.objects.select_related("category", "map_report")
    if g.get("service_request_id"):
        ids = [i for i in g["service_request_id"].split(",") if i.strip().isdigit()]
        qs = qs.filter(pk__in=ids)
        return respond(fmt, [request_dict(r) for r in qs], "service_requests", "request")
    try:
        start = _date(g["start_date"]) if g.get("start_date") else None
        end = _date(g["end_date"]) if g.get("end_date") else None
    except ValueError:
        return error(fmt, 400, "start_date / end_date must be W3C date-times")
    if start is None and end is None:
        start = timezone.now() - timedelta(days=90)
    if start:
        qs = qs.filter(requested_at__gte=start)
    if end:
        qs = qs.filter(requested_at__lte=end)
    if g.get("service_code"):
        qs = qs.filter(category__code__in=g["service_code"].split(","))
    if g.get("status"):
        wanted = set(g["status"].split(","))
        internal = (["open", "in_progress"] if "open" in wanted else []) + (["closed"] if "closed" in wanted else [])
        qs = qs.filter(status__in=internal)
    return respond(fmt, [request_dict(r) for r in qs[:1000]], "service_requests", "request")


@pages.route(r"^requests" + _F, regex=True)
@csrf_exempt
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return create_request(request, fmt)
    if request.method == "GET":
        return list_requests(request, fmt)
    return error(fmt, 405, "GET or POST")


@pages.route(r"^requests/(?P<rid>[^/]+?)" + _F, regex=True)
def one_request(request: HttpRequest, rid: str, fmt: str) -> HttpResponse:
    r = ServiceRequest.objects.select_related("category", "map_report").filter(pk=rid).first() \
        if rid.isdigit() else None
    if r is None:
        return error(fmt, 404, f"service_request_id {rid} not found")
    return respond(fmt, [request_dict(r)], "service_requests", "request")


@pages.route(r"^tokens/(?P<tok>[^/]+?)" + _F, regex=True)
def token(request: HttpRequest, tok: str, fmt: str) -> HttpResponse:
    r = ServiceRequest.objects.filter(token=tok).first() if re.fullmatch(r"[0-9a-fA-F-]{32,36}", tok) else None
    if r is None:
        return error(fmt, 404, f"token {tok} not found")
    return respond(fmt, [{"service_request_id": r.request_id, "token": str(r.token)}], "service_requests", "request")


urlpatterns = pages.urlpatterns  # mounted at /open311/v2/ (ContactConfig.url_mounts)
