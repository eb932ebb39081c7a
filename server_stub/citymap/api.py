"""/api/map/: layers and features as GeoJSON (RFC 7946), published reports, duplicate check."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema

from server_stub.core.api import errors, found

from .geo import nearby_reports
from .models import Layer, Report

router = Router(tags=["map"])


class LayerOut(Schema):
    slug: str
    title: str
    description: str
    attributes: list[dict[str, Any]]
    features: int
    url: str


class Geometry(Schema):
    type: Literal["Point"]
    coordinates: list[float]


class GeoFeature(Schema):
    type: Literal["Feature"]
    id: int
    geometry: Geometry
    properties: dict[str, Any]


class FeatureCollection(Schema):
    type: Literal["FeatureCollection"]
    features: list[GeoFeature]


class NearbyOut(Schema):
    id: int
    kind: str
    status: str
    distance_m: float


def _point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


@router.get("/layers", response=list[LayerOut], auth=None, summary="Map layers")
def layers(request: HttpRequest) -> list[dict[str, Any]]:
    return [{"slug": la.slug, "title": la.title, "description": la.description, "attributes": la.attributes,
             "features": la.features.count(), "url": f"/api/map/layers/{la.slug}.geojson"}
            for la in Layer.objects.all()]


@router.get("/layers/{slug}.geojson", response={200: FeatureCollection, **errors(404)}, auth=None,
            summary="One layer as GeoJSON")
def layer_geojson(request: HttpRequest, slug: str) -> dict[str, Any]:
    layer = found(Layer.objects.filter(slug=slug).first(), f"Layer {slug} is not known")
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": f.pk, "geometry": _point(f.lon, f.lat),
         "properties": {"name": f.name, "layer": layer.slug, **f.attributes}} for f in layer.features.all()]}


@router.get("/reports.geojson", response=FeatureCollection, auth=None, summary="Published residents' reports")
def reports_geojson(request: HttpRequest) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": r.pk, "geometry": _point(r.lon, r.lat),
         "properties": {"kind": r.kind, "kind_display": r.get_kind_display(), "description": r.description,
                        "created_at": r.created_at.isoformat(), "photo": r.photo.url if r.photo else None,
                        "status_display": (r.service_request.get_status_display() if r.service_request
                                           else r.get_status_display())}}
        for r in Report.objects.filter(status="approved").select_related("service_request")]}


@router.get("/reports/nearby", response={200: list[NearbyOut], **errors(422)}, auth=None,
            summary="Reports within 50 m (duplicate suggestions)")
def nearby(request: HttpRequest, lat: float = Query(..., ge=-90, le=90), lon: float = Query(..., ge=-180, le=180),
           radius_m: float = Query(50, ge=1, le=1000), kind: str | None = None) -> list[dict[str, Any]]:
    return [{"id": r.pk, "kind": r.kind, "status": r.status, "distance_m": round(d, 1)}
            for r, d in nearby_reports(lat, lon, radius_m, kind)]


