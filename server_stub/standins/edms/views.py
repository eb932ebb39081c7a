"""Officials' pages of the EDMS stand-in: the register with deadlines, one card, answering."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from server_stub.core import numbers
from server_stub.core.pages import Pages
from server_stub.core.roles import staff_required

from . import services
from .models import ExecutiveBody, Registration

pages = Pages()


class AnswerForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Answer text"), required=False, widget=forms.Textarea)
    pdf = forms.FileField(label=gettext_lazy("…or an answer PDF"), required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("text") and not data.get("pdf"):
            raise forms.ValidationError(_("Write the answer or attach a PDF."))
        return data


class ExtendForm(forms.Form):
    deadline = forms.DateField(label=gettext_lazy("New deadline (at most 45 days in all)"),
                               widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=gettext_lazy("Reason for extension"), max_length=500)


def visible(user: object) -> QuerySet[Registration]:
    """The cards an official may read: those routed to an executive body the official belongs to, and
    the ones not routed yet for the officials of the body receiving those (superusers: every card)."""
    if getattr(user, "is_superuser", False):
        return Registration.objects.all()
    bodies = ExecutiveBody.objects.filter(officials=user)
    routed = Q(executive_body__in=bodies)
    if bodies.filter(receives_unrouted=True).exists():
        routed |= Q(executive_body__isnull=True)
    return Registration.objects.filter(routed)


def _card(request: HttpRequest, number: str) -> Registration:
    try:
        return get_object_or_404(visible(request.user), number=numbers.validate(number))
    except numbers.InvalidNumber as err:
        raise Http404(str(err)) from err


@pages.route("", name="register")
@staff_required("answer_appeals")
def register(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = list(visible(request.user).select_related("executive_body")[:500])
    only = request.GET.get("show", "")
    for r in rows:
        r.overdue = services.is_overdue(r, today)  # type: ignore[attr-defined]
        r.display_number = numbers.display(r.number)  # type: ignore[attr-defined]
    if only == "overdue":
        rows = [r for r in rows if r.overdue]  # type: ignore[attr-defined]
    elif only == "open":
        rows = [r for r in rows if r.status != "answered"]
    return render(request, "edms/register.html", {"rows": rows, "show": only, "today": today})


def _apply(form: forms.Form, field: str, act: Callable[[dict[str, Any]], object]) -> bool:
    """``act`` on the valid form's data; False (the form showing why) when the form is invalid
    or the service refuses with a ValueError, shown on ``field``."""
    if not form.is_valid():
        return False
    try:
        act(form.cleaned_data)
    except ValueError as err:
        form.add_error(field, str(err))
        return False
    return True


def _back(request: HttpRequest, reg: Registration, done: str) -> HttpResponse:
    """Say what was done and show the card again."""
    messages.success(request, done)
    return redirect("edms:card", number=reg.number)


@pages.route("<str:number>/", name="card")
@staff_required("answer_appeals")
def card(request: HttpRequest, number: str) -> HttpResponse:
    reg = _card(request, number)
    answer_form, extend_form = AnswerForm(), ExtendForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "answer":
            answer_form = AnswerForm(request.POST, request.FILES)

            def publish(d: dict[str, Any]) -> None:
                if d.get("pdf"):
                    services.answer_with_pdf(reg, d["pdf"].read(), request.user)
                else:
                    services.answer_with_text(reg, d["text"], request.user)

            if _apply(answer_form, "pdf", publish):
                return _back(request, reg, _("The answer is published; the terminal will be told."))
        elif action == "extend":
            extend_form = ExtendForm(request.POST)
            if _apply(extend_form, "deadline", lambda d: services.extend(reg, d["deadline"], d["reason"])):
                return _back(request, reg, _("Deadline extended."))
        elif action == "quick":
            services.set_study(reg, needs_study=False)
            return _back(request, reg, _("No extra study needed: deadline set to 15 days."))
        elif action == "forward":
            body = get_object_or_404(ExecutiveBody, pk=request.POST.get("body") or 0)
            reg.executive_body = body
            reg.save(update_fields=["executive_body"])
            messages.success(request, _("Forwarded to %(body)s.") % {"body": body.name})
            return redirect("edms:register")
        elif action == "progress":
            services.set_in_progress(reg)
            return _back(request, reg, _("Status: in progress."))
    limit: date = services.max_deadline(timezone.localtime(reg.registered_at).date())
    return render(request, "edms/card.html", {
        "reg": reg, "display_number": numbers.display(reg.number), "overdue": services.is_overdue(reg),
        "answer_form": answer_form, "extend_form": extend_form, "limit": limit,
        "bodies": ExecutiveBody.objects.all()})


@pages.route("<str:number>/scan.pdf", name="scan")
@staff_required("answer_appeals")
def scan(request: HttpRequest, number: str) -> FileResponse:
    reg = _card(request, number)
    return FileResponse(open(Path(reg.pdf_path), "rb"), content_type="application/pdf",
                        filename=f"{reg.number}.pdf")
