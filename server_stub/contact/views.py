"""Contact-centre pages: residents file and follow requests; operators register calls and move statuses."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from server_stub.core.roles import can, require, staff_required

from . import services
from .models import STATUSES, Category, Notice, ServiceRequest


class RequestForm(forms.Form):
    category = forms.ModelChoiceField(label=gettext_lazy("What happened"), queryset=Category.objects.all())
    description = forms.CharField(label=gettext_lazy("Description"), widget=forms.Textarea, max_length=4000)
    address = forms.CharField(label=gettext_lazy("Address"), max_length=300)
    phone = forms.CharField(label=gettext_lazy("Phone for a call back (optional)"), max_length=40, required=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("New status"), choices=STATUSES)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500, required=False)


def index(request: HttpRequest) -> HttpResponse:
    form = RequestForm()
    if request.method == "POST":
        form = RequestForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            channel = "operator" if can(request.user, "handle_requests") else "resident"
            r = services.create(d["category"], description=d["description"], address=d["address"],
                                phone=d["phone"], channel=channel, author=request.user)
            messages.success(request, _("Request No %(id)s registered.") % {"id": r.request_id})
            return redirect("contact:detail", rid=r.pk)
    now = timezone.now()
    notices = Notice.objects.filter(starts_at__lte=now + timezone.timedelta(days=7)).exclude(ends_at__lt=now)
    return render(request, "contact/index.html", {"form": form, "notices": notices,
                                                  "recent": ServiceRequest.objects.select_related("category")[:10]})


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


@staff_required("handle_requests")
def operator(request: HttpRequest) -> HttpResponse:
    rows = list(ServiceRequest.objects.select_related("category").exclude(status="closed")[:300])
    for r in rows:
        r.overdue = services.is_overdue(r)  # type: ignore[attr-defined]
    return render(request, "contact/operator.html", {"rows": rows, "form": RequestForm()})
