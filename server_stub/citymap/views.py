"""Map page (server-rendered SVG, no tiles, no JS), residents' reports, moderation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from server_stub.core.roles import can, staff_required
from server_stub.core.uploads import PhotoForm

from .geo import nearby_reports
from .models import Feature, Layer, Report

SVG_W, SVG_H = 800, 500


class ReportForm(PhotoForm, forms.ModelForm):
    class Meta:
        model = Report
        fields = ["kind", "description", "lat", "lon", "photo"]
        help_texts = {"lat": gettext_lazy("e.g. 48.4647"), "lon": gettext_lazy("e.g. 35.0462")}

    def clean_lat(self) -> float:
        value = self.cleaned_data["lat"]
        if not -90 <= value <= 90:
            raise forms.ValidationError(_("Latitude is between -90 and 90."))
        return value

    def clean_lon(self) -> float:
        value = self.cleaned_data["lon"]
        if not -180 <= value <= 180:
            raise forms.ValidationError(_("Longitude is between -180 and 180."))
        return value


def _project(points: list[tuple[float, float]]) -> Any:
    lats = [p[0] for p in points] or [48.46]
    lons = [p[1] for p in points] or [35.04]
    lat0, lat1 = min(lats) - 0.005, max(lats) + 0.005
    lon0, lon1 = min(lons) - 0.005, max(lons) + 0.005

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return (round(20 + (lon - lon0) / (lon1 - lon0) * (SVG_W - 40), 1),
                round(20 + (lat1 - lat) / (lat1 - lat0) * (SVG_H - 40), 1))
    return xy


def map_page(request: HttpRequest) -> HttpResponse:
    layers = list(Layer.objects.all())
    chosen = request.GET.getlist("layer") or [la.slug for la in layers]
    features = list(Feature.objects.select_related("layer").filter(layer__slug__in=chosen))
    reports = list(Report.objects.filter(status="approved"))
    xy = _project([(f.lat, f.lon) for f in features] + [(r.lat, r.lon) for r in reports])
    dots = [{"x": xy(f.lat, f.lon)[0], "y": xy(f.lat, f.lon)[1], "color": f.layer.color, "label": f.name,
             "layer": f.layer.title} for f in features]
    dots += [{"x": xy(r.lat, r.lon)[0], "y": xy(r.lat, r.lon)[1], "color": "#8a1c00",
              "label": r.get_kind_display(), "layer": _("Residents' reports")} for r in reports]
    return render(request, "citymap/map.html", {"layers": layers, "chosen": chosen, "features": features,
                                                "reports": reports, "dots": dots, "w": SVG_W, "h": SVG_H})


@login_required(login_url="/auth/bankid/")
def report_new(request: HttpRequest) -> HttpResponse:
    form = ReportForm()
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES)
        if form.is_valid():
            report = form.save(commit=False)
            report.author = request.user
            report.save()
            messages.success(request, _("Thank you. The report goes to moderation."))
            return redirect("citymap:report", pk=report.pk)
    return render(request, "citymap/report_new.html", {"form": form})


@login_required(login_url="/auth/bankid/")
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(Report, pk=pk)
    mine = report.author_id == request.user.pk
    if not (mine or can(request.user, "moderate_reports")):
        return HttpResponse(status=404)
    if request.method == "POST" and mine and report.status == "pending":
        other = Report.objects.filter(pk=request.POST.get("same_as") or 0).first()
        if other is not None:
            report.status, report.duplicate_of = "duplicate", other
            report.save(update_fields=["status", "duplicate_of"])
            messages.success(request, _("Marked as the same problem as report %(id)s.") % {"id": other.pk})
            return redirect("citymap:report", pk=report.pk)
    dupes = nearby_reports(report.lat, report.lon, kind=report.kind, exclude=report.pk)
    return render(request, "citymap/report.html", {"report": report, "dupes": dupes, "mine": mine})


@staff_required("moderate_reports")
def moderation(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        report = get_object_or_404(Report, pk=request.POST.get("report") or 0)
        action = request.POST.get("action")
        if action in ("approved", "rejected"):
            report.status = action
        elif action == "duplicate":
            report.status = "duplicate"
            report.duplicate_of = Report.objects.filter(pk=request.POST.get("duplicate_of") or 0).first()
        report.moderation_note = request.POST.get("note", "")[:300]
        report.save()
        messages.success(request, _("Report %(id)s: %(status)s") % {"id": report.pk,
                                                                   "status": report.get_status_display()})
        return redirect("citymap:moderation")
    pending = [(r, nearby_reports(r.lat, r.lon, kind=r.kind, exclude=r.pk))
               for r in Report.objects.filter(status="pending")]
    return render(request, "citymap/moderation.html", {"pending": pending})
