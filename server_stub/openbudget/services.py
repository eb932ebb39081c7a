"""CSV import (replace a year's lines atomically) and the aggregates the charts show."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from .models import BudgetLine, Repair

BUDGET_COLS = ["year", "kind", "fund", "code", "name", "sector", "plan", "executed"]
REPAIR_COLS = ["title", "address", "lat", "lon", "cost", "status", "prozorro_id"]


class ImportError_(ValueError):
    pass


def _dec(v: str, line: int) -> Decimal:
    try:
        value = Decimal(v.replace(" ", "").replace(",", "."))
    except InvalidOperation as err:
        raise ImportError_(f"line {line}: not a number: {v!r}") from err
    if not value.is_finite() or abs(value) >= Decimal(10) ** 13:
        raise ImportError_(f"line {line}: out of range: {v!r}")
    return value.quantize(Decimal("0.01"))


def import_budget(text: str) -> dict[str, Any]:
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows or set(BUDGET_COLS) - set(rows[0]):
        raise ImportError_(f"columns needed: {', '.join(BUDGET_COLS)}")
    lines = []
    for i, r in enumerate(rows, start=2):
        if r["kind"] not in ("revenue", "expense") or r["fund"] not in ("general", "special"):
            raise ImportError_(f"line {i}: kind is revenue/expense, fund is general/special")
        if not r["year"].strip().isdigit() or not 1990 <= int(r["year"]) <= 2100:
            raise ImportError_(f"line {i}: year {r['year']!r} is not a year")
        lines.append(BudgetLine(year=int(r["year"]), kind=r["kind"], fund=r["fund"], code=r["code"].strip(),
                                name=r["name"].strip(), sector=r["sector"].strip(), plan=_dec(r["plan"], i),
                                executed=_dec(r["executed"], i)))
    years = sorted({ln.year for ln in lines})
    with transaction.atomic():
        BudgetLine.objects.filter(year__in=years).delete()
        BudgetLine.objects.bulk_create(lines)
    return {"years": years, "lines": len(lines)}


def import_repairs(text: str) -> int:
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows or set(REPAIR_COLS) - set(rows[0]):
        raise ImportError_(f"columns needed: {', '.join(REPAIR_COLS)}")
    items = [Repair(title=r["title"], address=r["address"], lat=float(r["lat"]), lon=float(r["lon"]),
                    cost=_dec(r["cost"], i), status=r["status"], prozorro_id=r["prozorro_id"].strip())
             for i, r in enumerate(rows, start=2)]
    with transaction.atomic():
        Repair.objects.all().delete()
        Repair.objects.bulk_create(items)
    return len(items)


def years() -> list[int]:
    return sorted(set(BudgetLine.objects.values_list("year", flat=True)))


def by_sector(year: int, kind: str = "expense") -> list[tuple[str, float]]:
    acc: dict[str, Decimal] = defaultdict(Decimal)
    for ln in BudgetLine.objects.filter(year=year, kind=kind):
        acc[ln.sector] += ln.executed
    return sorted(((k, float(v)) for k, v in acc.items()), key=lambda kv: -kv[1])


def by_fund(year: int) -> list[tuple[str, float]]:
    acc: dict[str, Decimal] = defaultdict(Decimal)
    names = {("revenue", "general"): "Доходи, загальний фонд", ("revenue", "special"): "Доходи, спеціальний фонд",
             ("expense", "general"): "Видатки, загальний фонд", ("expense", "special"): "Видатки, спеціальний фонд"}
    for ln in BudgetLine.objects.filter(year=year):
        acc[names[(ln.kind, ln.fund)]] += ln.executed
    return [(k, float(acc[k])) for k in names.values() if k in acc]


def over_years(kind: str = "expense") -> list[tuple[str, float, float]]:
    out = []
    for y in years():
        plan = sum((ln.plan for ln in BudgetLine.objects.filter(year=y, kind=kind)), Decimal(0))
        done = sum((ln.executed for ln in BudgetLine.objects.filter(year=y, kind=kind)), Decimal(0))
        out.append((str(y), float(plan), float(done)))
    return out


def prozorro_url(tender_id: str) -> str:
    return f"https://prozorro.gov.ua/tender/{tender_id}" if tender_id else ""
