"""Distances on the sphere and duplicate suggestions."""

from __future__ import annotations

import math
from typing import Any

EARTH_RADIUS_M = 6_371_008.8
DUPLICATE_RADIUS_M = 50.0


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def nearby_reports(lat: float, lon: float, radius_m: float = DUPLICATE_RADIUS_M, kind: str | None = None,
                   exclude: int | None = None) -> list[tuple[Any, float]]:
    """Reports (not rejected) within ``radius_m``, nearest first. Prefilters on a lat/lon box."""
    from .models import Report

    dlat = radius_m / 111_000 * 1.5
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    qs = Report.objects.filter(lat__range=(lat - dlat, lat + dlat), lon__range=(lon - dlon, lon + dlon)) \
        .exclude(status="rejected")
    if kind:
        qs = qs.filter(kind=kind)
    if exclude:
        qs = qs.exclude(pk=exclude)
    found = [(r, haversine_m(lat, lon, r.lat, r.lon)) for r in qs]
    return sorted([(r, d) for r, d in found if d <= radius_m], key=lambda x: x[1])
