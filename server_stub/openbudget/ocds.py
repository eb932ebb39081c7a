"""ProZorro procurements from OCDS release packages (``city-server import-ocds FILE``).

The file is hostile until proven otherwise: at most 50 MB, UTF-8 JSON no deeper than
CITY_SERVER_MAX_JSON_DEPTH, and it must match docs/schemas/ocds-release-package.schema.json (the part
of OCDS 1.1 read here) with real dates. One bad release refuses the whole file, with a message that
names the place and the rule (never the value). Import is idempotent by ``ocid``: a tender is kept as
its newest release; an older or the same release changes nothing.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from server_stub.core import limits
from server_stub.standins.edms.safefs import date_time

from .models import Tender

MAX_BYTES = 50 * 1024 * 1024
SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "schemas" / "ocds-release-package.schema.json"
TENDER_ID = re.compile(r"UA-\d{4}-\d{2}-\d{2}-\d{6}-[a-z]")
STATUS_LABELS = {"planning": _("planning"), "planned": _("planned"), "active": _("tendering"),
                 "cancelled": _("cancelled"), "unsuccessful": _("unsuccessful"), "complete": _("complete"),
                 "withdrawn": _("withdrawn")}


class OcdsRejected(ValueError):
    """The file is not imported; the message says why and where."""


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema

    formats = jsonschema.FormatChecker(formats=())
    formats.checks("date-time", raises=ValueError)(lambda v: not isinstance(v, str) or bool(date_time(v)))
    return jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")), format_checker=formats)


def parse(raw: bytes) -> list[dict[str, Any]]:
    """The releases of a package, checked; OcdsRejected otherwise."""
    if len(raw) > MAX_BYTES:
        raise OcdsRejected(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        package = limits.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        raise OcdsRejected("not UTF-8 text") from err
    except limits.TooDeep as err:
        raise OcdsRejected(str(err)) from err
    except (json.JSONDecodeError, RecursionError) as err:
        raise OcdsRejected(f"not JSON ({getattr(err, 'msg', 'nested too deeply')})") from err
    if not isinstance(package, dict):
        raise OcdsRejected("not an OCDS release package (expected an object with \"releases\")")
    problem = limits.schema_problem(_validator(), package, "(package)")
    if problem:
        raise OcdsRejected(f"not an OCDS release package of ProZorro tenders at {problem}")
    releases: list[dict[str, Any]] = package["releases"]
    for n, rel in enumerate(releases):
        if not TENDER_ID.fullmatch(tender_id(rel)):
            raise OcdsRejected(f"releases/{n}: no ProZorro tender id (UA-YYYY-MM-DD-NNNNNN-x) in ocid or tenderID")
    return releases


def tender_id(release: dict[str, Any]) -> str:
    """ProZorro's public id: ``tender.tenderID`` or what follows the publisher prefix in the ocid."""
    return str(release["tender"].get("tenderID") or release["ocid"].split("-", 2)[2])


def _fields(rel: dict[str, Any]) -> dict[str, Any]:
    tender, buyer = rel["tender"], rel["buyer"]
    cpv = next((i["classification"] for i in tender.get("items", []) if isinstance(i, dict)
                and isinstance(i.get("classification"), dict) and i["classification"].get("id")), {})
    return {"tender_id": tender_id(rel), "release_id": rel["id"], "release_date": date_time(rel["date"]),
            "title": tender["title"], "buyer_id": buyer.get("id", ""), "buyer_name": buyer["name"],
            "status": tender["status"], "method": tender.get("procurementMethodDetails")
            or tender.get("procurementMethod", ""),
            "amount": Decimal(str(tender["value"]["amount"])).quantize(Decimal("0.01")),
            "currency": tender["value"]["currency"], "cpv": cpv.get("id", ""), "cpv_name": cpv.get("description", "")}


def import_releases(releases: list[dict[str, Any]]) -> dict[str, int]:
    newest: dict[str, dict[str, Any]] = {}
    for rel in releases:
        when = date_time(rel["date"])
        if rel["ocid"] not in newest or when > newest[rel["ocid"]]["release_date"]:
            newest[rel["ocid"]] = _fields(rel)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        stored = {t.ocid: t for t in Tender.objects.select_for_update().filter(ocid__in=list(newest))}
        for ocid, fields in newest.items():
            old = stored.get(ocid)
            if old is None:
                Tender.objects.create(ocid=ocid, **fields)
                counts["created"] += 1
            elif _older_or_same(fields, old.release_id, old.release_date):
                counts["unchanged"] += 1
            else:
                Tender.objects.filter(pk=old.pk).update(**fields)
                counts["updated"] += 1
    return counts


def _older_or_same(fields: dict[str, Any], release_id: str, release_date: datetime) -> bool:
    return bool(fields["release_date"] < release_date
                or (fields["release_date"] == release_date and fields["release_id"] == release_id))


def import_file(path: Path) -> dict[str, int]:
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except OSError as err:
        raise OcdsRejected(f"cannot read the file: {err.strerror}") from err
    return import_releases(parse(raw))
