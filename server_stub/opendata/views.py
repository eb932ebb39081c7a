"""Open data portal pages, downloads and the DCAT catalogue."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from server_stub.core.pages import Pages

from . import usage
from .dcat import catalogue
from .generate import GENERATORS, regenerate
from .models import Dataset, Resource

STALE = timedelta(hours=1)

pages = Pages()


@pages.route("", name="index")
def index(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    qs = Dataset.objects.prefetch_related("tags", "resources")
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(notes__icontains=q) | Q(tags__name__icontains=q)).distinct()
    return render(request, "opendata/index.html", {"datasets": qs, "q": q})


@pages.route(r"^catalog\.(?P<fmt>jsonld|ttl)$", name="catalog", regex=True)
def catalog(request: HttpRequest, fmt: str) -> HttpResponse:
    graph = catalogue(request.build_absolute_uri("/").rstrip("/"))
    if fmt == "ttl":
        return HttpResponse(graph.serialize(format="turtle"), content_type="text/turtle; charset=utf-8")
    return HttpResponse(graph.serialize(format="json-ld", indent=1), content_type="application/ld+json")


pages.add(usage.pages)  # /usage/ and /requests/ before the catch-all <slug:name>/ below


@pages.route("resources/<uuid:rid>/download/<str:filename>", name="download")
def download(request: HttpRequest, rid: str, filename: str) -> HttpResponse:
    res = get_object_or_404(Resource.objects.select_related("dataset"), id=rid)
    ds = res.dataset
    if ds.generator in GENERATORS and timezone.now() - res.modified_at > STALE:
        regenerate(ds)
        res.refresh_from_db()
    usage.count_download(ds)
    response = HttpResponse(bytes(res.content), content_type=res.mimetype)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'attachment; filename="{res.filename}"'
    response["Last-Modified"] = res.modified_at.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return response


@pages.route("<slug:name>/", name="dataset")
def dataset(request: HttpRequest, name: str) -> HttpResponse:
    ds = get_object_or_404(Dataset.objects.prefetch_related("tags", "groups", "resources"), name=name)
    return render(request, "opendata/dataset.html", {"ds": ds, "downloads": usage.tracking(ds)})
