"""Map page (Leaflet on the configured base map; the same objects listed in a table), an object's card,
residents' reports (routed to the contact centre, routing.py) and their moderation."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from server_stub.core.pages import Pages
from server_stub.core.roles import can, staff_required
from server_stub.core.uploads import PhotoForm

from . import routing, tiles
from .geo import nearby_reports
from .models import Feature, Layer, Report

pages = Pages()


class ReportForm(PhotoForm, forms.ModelForm):
    class Meta:
        model = Report
        fields = ["kind", "description", "lat", "lon", "photo"]
        help_texts = {"lat": gettext_lazy("e.g. 48.4647"), "lon": gettext_lazy("e.g. 35.0462")}

    email = forms.EmailField(label=gettext_lazy("E-mail for news of the report (optional)"), required=False)
    phone = forms.RegexField(label=gettext_lazy("Mobile phone for SMS about the report (optional)"),
                             regex=r"^\+380\d{9}$", required=False, help_text=gettext_lazy("e.g. +380501234567"),
                             error_messages={"invalid": gettext_lazy("A Ukrainian mobile number: +380 and 9 digits.")})

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


@pages.route("", name="map")
def map_page(request: HttpRequest) -> HttpResponse:
    layers = list(Layer.objects.all())
    chosen = request.GET.getlist("layer") or [la.slug for la in layers]
    features = list(Feature.objects.select_related("layer").filter(layer__slug__in=chosen))
    reports = list(Report.objects.filter(status="approved").select_related("service_request"))
    tiles = {"tiles": settings.MAP_TILES, "attribution": settings.MAP_ATTRIBUTION,
             "center": ",".join(str(v) for v in settings.MAP_CENTER), "zoom": settings.MAP_ZOOM,
             "max_zoom": settings.MAP_MAX_ZOOM}
    return render(request, "citymap/map.html", {"layers": layers, "chosen": chosen, "features": features,
                                                "reports": reports, "map": tiles})


@pages.route("tiles/<int:z>/<int:x>/<int:y>.png", name="tile")
def tile(request: HttpRequest, z: int, x: int, y: int) -> HttpResponse:
    """The demo base map (tiles.py); a day in browsers' caches."""
    try:
        png = tiles.render(z, x, y)
    except ValueError:
        raise Http404("no such tile") from None
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@pages.route("objects/<int:pk>/", name="feature")
def feature_card(request: HttpRequest, pk: int) -> HttpResponse:
    """An object's card: its layer and every attribute the layer declares, by the attribute's label."""
    f = get_object_or_404(Feature.objects.select_related("layer"), pk=pk)
    declared = [(a.get("label") or a["name"], f.attributes.get(a["name"], "")) for a in f.layer.attributes]
    extra = [(k, v) for k, v in f.attributes.items() if k not in {a["name"] for a in f.layer.attributes}]
    return render(request, "citymap/feature.html", {"f": f, "rows": declared + extra})


@pages.route("reports/new/", name="report-new")
@login_required(login_url="/auth/bankid/")
def report_new(request: HttpRequest) -> HttpResponse:
    form = ReportForm()
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES)
        if form.is_valid():
            report = form.save(commit=False)
            report.author = request.user
            with transaction.atomic():
                report.save()
                routing.route(report, email=form.cleaned_data["email"], phone=form.cleaned_data["phone"])
            messages.success(request, _("Thank you. The report goes to moderation."))
            return redirect("citymap:report", pk=report.pk)
    return render(request, "citymap/report_new.html", {"form": form})


@pages.route("reports/<int:pk>/", name="report")
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
            with transaction.atomic():
                report.save(update_fields=["status", "duplicate_of"])
                routing.moderated(report)
            messages.success(request, _("Marked as the same problem as report %(id)s.") % {"id": other.pk})
            return redirect("citymap:report", pk=report.pk)
    dupes = nearby_reports(report.lat, report.lon, kind=report.kind, exclude=report.pk)
    history = report.service_request.history.all() if report.service_request else []
    return render(request, "citymap/report.html", {"report": report, "dupes": dupes, "mine": mine,
                                                   "history": history})


@pages.route("moderation/", name="moderation")
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
        with transaction.atomic():
            report.save()
            routing.moderated(report)
        messages.success(request, _("Report %(id)s: %(status)s") % {"id": report.pk,
                                                                   "status": report.get_status_display()})
        return redirect("citymap:moderation")
    pending = [(r, nearby_reports(r.lat, r.lon, kind=r.kind, exclude=r.pk))
               for r in Report.objects.filter(status="pending")]
    return render(request, "citymap/moderation.html", {"pending": pending})
