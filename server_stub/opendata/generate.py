"""Resources regenerated from the server's own data, without personal data: CSV, JSON, XLSX."""

from __future__ import annotations

import io
import json
import logging
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from server_stub.core.safeinput import csv_writer, xlsx_row

logger = logging.getLogger(__name__)
Table = tuple[list[str], list[list[Any]]]


def appeals_stats() -> Table:
    from server_stub.standins.edms.models import Registration
    from server_stub.standins.edms.services import is_overdue

    today = timezone.localdate()
    counts: Counter[tuple[str, str, str, str]] = Counter()
    overdue: Counter[tuple[str, str, str, str]] = Counter()
    for reg in Registration.objects.only("registered_at", "kind", "status", "channel_code", "deadline"):
        key = (timezone.localtime(reg.registered_at).strftime("%Y-%m"), reg.kind, reg.channel_code, reg.status)
        counts[key] += 1
        overdue[key] += int(is_overdue(reg, today))
    rows = [[*k, counts[k], overdue[k]] for k in sorted(counts)]
    return ["month", "kind_code", "channel_code", "status", "count", "overdue"], rows


def contact_requests() -> Table:
    from server_stub.contact.models import ServiceRequest

    rows = [[r.pk, r.category.code, "closed" if r.status == "closed" else "open",
             timezone.localtime(r.requested_at).isoformat(timespec="seconds"),
             timezone.localtime(r.expected_at).isoformat(timespec="seconds"),
             round(r.lat, 4) if r.lat is not None else None, round(r.long, 4) if r.long is not None else None]
            for r in ServiceRequest.objects.select_related("category")]
    return ["service_request_id", "service_code", "status", "requested", "expected", "lat", "long"], rows


def map_features() -> Table:
    from server_stub.citymap.models import Feature

    rows = [[f.layer.slug, f.name, f.lat, f.lon, json.dumps(f.attributes, ensure_ascii=False)]
            for f in Feature.objects.select_related("layer")]
    return ["layer", "name", "lat", "lon", "attributes"], rows


def terminals() -> Table:
    from server_stub.terminals.models import Terminal

    return ["code", "name", "address"], [[t.code, t.name, t.address] for t in Terminal.objects.all()]


GENERATORS: dict[str, Callable[[], Table]] = {
    "appeals_stats": appeals_stats, "contact_requests": contact_requests, "map_features": map_features,
    "terminals": terminals,
}


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\r\n")
    writer.writerow(table[0])
    writer.writerows(table[1])
    return out.getvalue().encode("utf-8")


def to_json(table: Table) -> bytes:
    return json.dumps([dict(zip(table[0], row, strict=True)) for row in table[1]], ensure_ascii=False,
                      indent=1).encode()


def to_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "data"
    ws.append(xlsx_row(table[0]))
    for row in table[1]:
        ws.append(xlsx_row(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


FORMATS = [("CSV", "text/csv", to_csv), ("JSON", "application/json", to_json),
           ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", to_xlsx)]


def regenerate(dataset: Any) -> None:
    from .models import Resource

    table = GENERATORS[dataset.generator]()
    now = timezone.now()
    with transaction.atomic():
        for pos, (fmt, mime, fn) in enumerate(FORMATS):
            data = fn(table)
            res, _ = Resource.objects.get_or_create(dataset=dataset, format=fmt, uploaded=False, defaults={
                "name": f"{dataset.title} ({fmt})", "mimetype": mime, "filename": f"{dataset.name}.{fmt.lower()}",
                "position": pos})
            res.content, res.size, res.modified_at = data, len(data), now
            res.save()
        type(dataset).objects.filter(pk=dataset.pk).update(modified_at=now)


def regenerate_all() -> int:
    from .models import Dataset

    count = 0
    for ds in Dataset.objects.exclude(generator=""):
        if ds.generator in GENERATORS:
            regenerate(ds)
            count += 1
    logger.info("open data: %d dataset(s) regenerated", count)
    return count



# Part-2 instruments (server_stub/petitions/opendata.py), imported when run.
def _part2(fn: str) -> Callable[[], Table]:
    def run() -> Table:
        from server_stub.petitions import opendata as part2

        return getattr(part2, fn)()  # type: ignore[no-any-return]
    return run


GENERATORS.update({name: _part2(name) for name in ("petitions", "roll_call_votes", "budget_lines")})
