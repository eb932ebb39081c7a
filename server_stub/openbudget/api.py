"""/api/open-budget/: import (staff), lines, aggregates, repairs with ProZorro links."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from server_stub.core.api import ApiError, errors
from server_stub.core.roles import staff_auth

from . import services
from .models import BudgetLine, Repair

router = Router(tags=["open budget"])


class CsvIn(Schema):
    csv: str


@router.post("/import/budget", auth=staff_auth("publish_data"), response={201: dict, **errors(401, 403, 422)},
             summary="Import budget lines from CSV (replaces the years present)")
def import_budget(request: HttpRequest, body: CsvIn) -> tuple[int, dict[str, Any]]:
    try:
        return 201, services.import_budget(body.csv)
    except (services.ImportError_, KeyError, ValueError) as err:
        raise ApiError(422, "validation_error", str(err)) from err


@router.post("/import/repairs", auth=staff_auth("publish_data"), response={201: dict, **errors(401, 403, 422)},
             summary="Import the repairs list from CSV")
def import_repairs(request: HttpRequest, body: CsvIn) -> tuple[int, dict[str, Any]]:
    try:
        return 201, {"repairs": services.import_repairs(body.csv)}
    except (services.ImportError_, KeyError, ValueError) as err:
        raise ApiError(422, "validation_error", str(err)) from err


@router.get("/years/{year}", auth=None, response={200: dict, **errors(404)}, summary="A year: lines and totals")
def year(request: HttpRequest, year: int) -> dict[str, Any]:
    lines = BudgetLine.objects.filter(year=year)
    if not lines.exists():
        raise ApiError(404, "not_found", f"No budget for {year}")
    return {"year": year, "by_sector": dict(services.by_sector(year)), "by_fund": dict(services.by_fund(year)),
            "lines": [{"kind": ln.kind, "fund": ln.fund, "code": ln.code, "name": ln.name, "sector": ln.sector,
                       "plan": str(ln.plan), "executed": str(ln.executed)} for ln in lines]}


@router.get("/over-years", auth=None, summary="Plan and execution of expenses by year")
def over_years(request: HttpRequest) -> list[dict[str, Any]]:
    return [{"year": y, "plan": p, "executed": e} for y, p, e in services.over_years()]


@router.get("/repairs", auth=None, summary="Repairs with cost and the ProZorro tender")
def repairs(request: HttpRequest) -> list[dict[str, Any]]:
    return [{"title": r.title, "address": r.address, "lat": r.lat, "lon": r.lon, "cost": str(r.cost),
             "status": r.status, "prozorro": services.prozorro_url(r.prozorro_id)} for r in Repair.objects.all()]
