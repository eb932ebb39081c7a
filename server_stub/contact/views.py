"""Contact-centre pages: residents file and follow requests; operators register calls and move statuses."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from server_stub.core.pages import Pages
from server_stub.core.roles import can, require, staff_required

from . import reports, services
from .models import STATUSES, Category, Notice, Rating, ServiceRequest

pages = Pages()


class RequestForm(forms.Form):
    category = forms.ModelChoiceField(label=gettext_lazy("What happened"), queryset=Category.objects.all())
    description = forms.CharField(label=gettext_lazy("Description"), widget=forms.Textarea, max_length=4000)
    address = forms.CharField(label=gettext_lazy("Address"), max_length=300)
    phone = forms.CharField(label=gettext_lazy("Phone for a call back and SMS about the request (optional)"),
                            max_length=40, required=False)
    email = forms.EmailField(label=gettext_lazy("E-mail for news of the request (optional)"), required=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("New status"), choices=STATUSES)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500, required=False)


@pages.route("", name="index")
def index(request: HttpRequest) -> HttpResponse:
    form = RequestForm()
    if request.method == "POST":
        form = RequestForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            channel = "operator" if can(request.user, "handle_requests") else "resident"
            r = services.create(d["category"], description=d["description"], address=d["address"],
                                phone=d["phone"], email=d["email"], channel=channel, author=request.user)
            messages.success(request, _("Request No %(id)s registered.") % {"id": r.request_id})
            return redirect("contact:detail", rid=r.pk)
    now = timezone.now()
    notices = Notice.objects.filter(starts_at__lte=now + timezone.timedelta(days=7)).exclude(ends_at__lt=now)
    return render(request, "contact/index.html", {"form": form, "notices": notices,
                                                  "recent": ServiceRequest.objects.select_related("category")[:10]})


@pages.route("requests/<int:rid>/", name="detail")
def detail(request: HttpRequest, rid: int) -> HttpResponse:
    r = get_object_or_404(ServiceRequest.objects.select_related("category"), pk=rid)
    form = StatusForm(initial={"status": r.status})
    if request.method == "POST":
        require(request.user, "handle_requests")
        form = StatusForm(request.POST)
        if form.is_valid():
            services.change_status(r, form.cleaned_data["status"], form.cleaned_data["note"], request.user)
            messages.success(request, _("Status changed."))
            return redirect("contact:detail", rid=r.pk)
    return render(request, "contact/detail.html", {"r": r, "form": form, "overdue": services.is_overdue(r),
                                                   "history": r.history.all()})


@pages.route("operator/", name="operator")
@staff_required("handle_requests")
def operator(request: HttpRequest) -> HttpResponse:
    rows = list(ServiceRequest.objects.select_related("category").exclude(status="closed")[:300])
    for r in rows:
        r.overdue = services.is_overdue(r)  # type: ignore[attr-defined]
    return render(request, "contact/operator.html", {"rows": rows, "form": RequestForm()})


def _date_param(value: str | None) -> datetime | None:
    try:
        day = parse_date(value) if value else None
    except ValueError:  # well-formed but no such day
        day = None
    return timezone.make_aware(datetime.combine(day, time.min)) if day else None


@pages.route("reports/", name="reports")
@staff_required("report_requests")
def report(request: HttpRequest) -> HttpResponse:
    since = _date_param(request.GET.get("since"))
    until = _date_param(request.GET.get("until"))
    rows = reports.figures(since, until + timedelta(days=1) if until else None)
    return render(request, "contact/reports.html", {"rows": rows, "agencies": reports.by_agency(rows),
                                                    "since": request.GET.get("since", ""),
                                                    "until": request.GET.get("until", "")})


class RatingForm(forms.ModelForm):
    class Meta:
        model = Rating
        fields = ["score", "comment"]
        widgets = {"score": forms.RadioSelect}
        labels = {"score": gettext_lazy("How well was your request answered? (1 = badly, 5 = very well)"),
                  "comment": gettext_lazy("Comment (optional)")}


@pages.route("rate/<uuid:token>/", name="rate")
def rate(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the closing message: the request's token is the resident's key (never shown publicly)."""
    r = get_object_or_404(ServiceRequest.objects.select_related("category"), token=token)
    existing = Rating.objects.filter(request=r).first()
    form = RatingForm(instance=existing)
    if request.method == "POST" and r.status == "closed":
        form = RatingForm(request.POST, instance=existing)
        if form.is_valid():
            rating = form.save(commit=False)
            rating.request = r
            rating.save()
            messages.success(request, _("Thank you for your rating."))
            return redirect("contact:rate", token=r.token)
    return render(request, "contact/rate.html", {"r": r, "form": form, "rating": existing})
