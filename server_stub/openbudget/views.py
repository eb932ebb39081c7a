"""Open budget pages: charts rendered on the server as SVG (work without JavaScript), the map of repairs."""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from server_stub.core.pages import Pages

from . import services
from .models import Repair, Tender
from .ocds import STATUS_LABELS
from .svg import bars, grouped

pages = Pages()


@pages.route("", name="index")
def index(request: HttpRequest) -> HttpResponse:
    years = services.years()
    try:
        year = int(request.GET.get("year") or (years[-1] if years else 0))
    except ValueError:
        year = years[-1] if years else 0
    sectors, funds, history = services.by_sector(year), services.by_fund(year), services.over_years()
    buyers = (Tender.objects.values("buyer_name").order_by("buyer_name")
              .annotate(n=Count("id"), total=Sum("amount", filter=Q(currency="UAH"))))
    return render(request, "openbudget/index.html", {"buyers": buyers,
        "years": years, "year": year, "sectors": sectors, "funds": funds, "history": history,
        "chart_sectors": mark_safe(bars(f"Видатки {year} за галузями, грн", sectors)),
        "chart_funds": mark_safe(bars(f"Бюджет {year} за фондами (виконання), грн", funds)),
        "chart_years": mark_safe(grouped("Видатки за роками: план і виконання, грн", history,
                                         ("План", "Виконано")))})


@pages.route("repairs/", name="repairs")
def repairs(request: HttpRequest) -> HttpResponse:
    items = list(Repair.objects.all())
    w, h = 720, 420
    lats, lons = [r.lat for r in items] or [48.46], [r.lon for r in items] or [35.04]
    lat0, lat1, lon0, lon1 = min(lats) - 0.005, max(lats) + 0.005, min(lons) - 0.005, max(lons) + 0.005
    dots = [{"x": round(20 + (r.lon - lon0) / (lon1 - lon0) * (w - 40), 1),
             "y": round(20 + (lat1 - r.lat) / (lat1 - lat0) * (h - 40), 1), "r": r, "n": i + 1,
             "prozorro": services.prozorro_url(r.prozorro_id)} for i, r in enumerate(items)]
    return render(request, "openbudget/repairs.html", {"dots": dots, "w": w, "h": h})


@pages.route("procurements/", name="procurements")
def procurements(request: HttpRequest) -> HttpResponse:
    """The city's ProZorro procurements (imported from OCDS) by buyer, status and value, each linked."""
    buyer, status = request.GET.get("buyer", ""), request.GET.get("status", "")
    tenders = Tender.objects.all()
    if buyer:
        tenders = tenders.filter(buyer_name=buyer)
    if status in STATUS_LABELS:
        tenders = tenders.filter(status=status)
    by_buyer: dict[str, list[dict[str, object]]] = {}
    for t in tenders:
        by_buyer.setdefault(t.buyer_name, []).append({"t": t, "status": STATUS_LABELS.get(t.status, t.status),
                                                      "url": services.prozorro_url(t.tender_id)})
    groups = [{"buyer": name, "rows": rows, "total": sum(r["t"].amount for r in rows  # type: ignore[attr-defined]
                                                         if r["t"].currency == "UAH")}  # type: ignore[attr-defined]
              for name, rows in by_buyer.items()]
    return render(request, "openbudget/procurements.html", {
        "groups": groups, "buyers": sorted(set(Tender.objects.values_list("buyer_name", flat=True))),
        "statuses": list(STATUS_LABELS.items()), "buyer": buyer, "status": status,
        "count": sum(len(g["rows"]) for g in groups)})
