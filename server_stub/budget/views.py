"""Pages: the current cycle (projects, voting, results) and one project (photos, milestones)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from server_stub.core.pages import Pages
from server_stub.core.roles import can
from server_stub.core.uploads import PhotoForm

from . import services
from .models import Cycle, Project, Vote

pages = Pages()


@pages.route("", name="index")
def index(request: HttpRequest) -> HttpResponse:
    cycle = Cycle.objects.filter(year=request.GET.get("year") or 0).first() or \
        Cycle.objects.filter(phase="voting").first() or Cycle.objects.first()
    resident = getattr(request.user, "resident", None) if request.user.is_authenticated else None
    if request.method == "POST" and resident is not None:
        p = get_object_or_404(Project, pk=request.POST.get("project") or 0)
        try:
            services.vote(p, resident)
            messages.success(request, _("Your vote is counted."))
        except services.BudgetError as e:
            messages.error(request, e.message)
        return redirect(f"/budget/?year={p.cycle.year}")
    rows, mine = [], set()
    if cycle:
        winners = {p.pk for p, _n in services.select_winners(cycle)}
        rows = [(p, n, p.pk in winners) for p, n in services.results(cycle)]
        if resident:
            mine = set(Vote.objects.filter(cycle=cycle, resident=resident).values_list("project_id", flat=True))
    return render(request, "budget/index.html", {"cycle": cycle, "rows": rows, "mine": mine, "resident": resident,
                                                 "cycles": Cycle.objects.all(),
                                                 "submission": Cycle.objects.filter(phase="submission").first()})


class ProjectForm(PhotoForm, forms.ModelForm):
    # The content decides, not the name: any upload is decoded and re-encoded (core.uploads), so the
    # model field's extension check would only refuse a good photo with an odd name.
    photo = forms.FileField(label=gettext_lazy("photo"), required=False)

    class Meta:
        model = Project
        fields = ["title", "description", "category", "location", "cost", "photo"]


@pages.route("new/", name="new")
@login_required(login_url="/auth/bankid/")
def new(request: HttpRequest) -> HttpResponse:
    cycle = Cycle.objects.filter(phase="submission").first()
    resident = getattr(request.user, "resident", None)
    form = ProjectForm()
    if request.method == "POST" and cycle and resident:
        form = ProjectForm(request.POST, request.FILES)
        if form.is_valid():
            p = form.save(commit=False)
            p.cycle, p.author = cycle, resident
            p.save()
            messages.success(request, _("The project is submitted for review."))
            return redirect("budget:index")
    return render(request, "budget/new.html", {"cycle": cycle, "resident": resident, "form": form})


@pages.route("projects/<int:pk>/", name="project")
def project(request: HttpRequest, pk: int) -> HttpResponse:
    p = get_object_or_404(Project.objects.select_related("cycle"), pk=pk)
    if p.status == "submitted" and not can(request.user, "manage_budget"):
        return render(request, "budget/project.html", {"p": None}, status=404)
    return render(request, "budget/project.html", {"p": p, "votes": p.votes.count()})
