"""Pages: consultations (document with per-paragraph comments), surveys (form, results as SVG charts)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from server_stub.core.pages import Pages
from server_stub.openbudget.svg import bars

from . import services
from .models import Comment, Consultation, Survey

consultation_pages = Pages()
survey_pages = Pages()


def _resident(request: HttpRequest) -> Any:
    return getattr(request.user, "resident", None) if request.user.is_authenticated else None


@consultation_pages.route("", name="index", kwargs={"model": Consultation, "template": "consult/consultations.html"})
@survey_pages.route("", name="index", kwargs={"model": Survey, "template": "consult/surveys.html"})
def index(request: HttpRequest, model: type[Consultation | Survey], template: str) -> HttpResponse:
    return render(request, template, {"items": model.objects.all()})


@consultation_pages.route("<int:pk>/", name="detail")
def consultation(request: HttpRequest, pk: int) -> HttpResponse:
    c = get_object_or_404(Consultation, pk=pk)
    resident = _resident(request)
    if request.method == "POST" and resident is not None and c.status == "open":
        text = request.POST.get("text", "").strip()
        para = request.POST.get("paragraph") or None
        if text:
            Comment.objects.create(consultation=c, author=resident, text=text[:5000],
                                   paragraph=int(para) if para and para.isdigit() else None)
            messages.success(request, _("Thank you, your comment is published."))
        return redirect("consultations:detail", pk=c.pk)
    comments = list(c.comments.select_related("author"))
    paras = [(i, p, [m for m in comments if m.paragraph == i]) for i, p in enumerate(c.paragraphs(), start=1)]
    return render(request, "consult/consultation.html", {
        "c": c, "paras": paras, "general": [m for m in comments if m.paragraph is None], "resident": resident})


@survey_pages.route("<int:pk>/", name="detail")
def survey(request: HttpRequest, pk: int) -> HttpResponse:
    s = get_object_or_404(Survey, pk=pk)
    resident = _resident(request)
    if request.method == "POST" and resident is not None:
        answers: dict[str, Any] = {}
        for q in s.questions.all():
            key = f"q{q.position}"
            if q.kind == "multiple":
                answers[str(q.position)] = request.POST.getlist(key)
            elif q.kind == "scale":
                answers[str(q.position)] = int(request.POST.get(key) or 0)
            else:
                answers[str(q.position)] = request.POST.get(key, "")
        try:
            services.submit(s, resident, request.POST.get("consent") == "yes", answers)
            messages.success(request, _("Thank you, your answer is recorded."))
        except services.SurveyError as e:
            messages.error(request, e.message)
        return redirect("surveys:detail", pk=s.pk)
    results = services.results(s)
    answered = resident is not None and services.has_answered(s, resident)
    charts = [(r, mark_safe(bars(r["text"], [(c["option"], c["count"]) for c in r["counts"]])))
              for r in results if r["counts"]]
    return render(request, "consult/survey.html", {"s": s, "resident": resident, "charts": charts,
                                                   "questions": s.questions.all(), "results": results,
                                                   "answered": answered})
