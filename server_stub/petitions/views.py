"""Pages of e-petitions: list, submit, detail (sign / withdraw), moderation with paper entry and responses."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from server_stub.core.pages import Pages
from server_stub.core.roles import can, require, staff_required

from . import services
from .api import PUBLIC
from .models import REJECT_REASONS, Petition, Signature

pages = Pages()


@pages.route("", name="index")
def index(request: HttpRequest) -> HttpResponse:
    rows = [(p, services.counted(p)) for p in Petition.objects.select_related("author").filter(status__in=PUBLIC)]
    return render(request, "petitions/index.html", {"rows": rows})


@pages.route("new/", name="new")
@login_required(login_url="/auth/bankid/")
def new(request: HttpRequest) -> HttpResponse:
    resident = getattr(request.user, "resident", None)
    error = ""
    if request.method == "POST" and resident is not None:
        title, text = request.POST.get("title", "").strip(), request.POST.get("text", "").strip()
        if len(title) < 5 or len(text) < 20:
            error = _("The title needs at least 5 characters and the text at least 20.")
        else:
            p = Petition.objects.create(title=title[:200], text=text, author=resident)
            messages.success(request, _("The petition is submitted for moderation."))
            return redirect("petitions:detail", pk=p.pk)
    return render(request, "petitions/new.html", {"resident": resident, "error": error})


@pages.route("moderation/", name="moderation")
@staff_required("moderate_petitions", "enter_paper", "respond_petitions")
def moderation(request: HttpRequest) -> HttpResponse:
    """One page for three roles: the queue (moderators), paper signatures (operators), responses (officials)."""
    if request.method == "POST":
        action = request.POST.get("action")
        require(request.user, {"publish": "moderate_petitions", "reject": "moderate_petitions", "paper": "enter_paper",
                               "respond": "respond_petitions"}.get(action or "", "moderate_petitions"))
        p = get_object_or_404(Petition, pk=request.POST.get("petition") or 0)
        try:
            if action == "publish":
                services.publish(p, request.user)
            elif action == "reject":
                services.reject(p, request.user, request.POST.get("reason") or "other", request.POST.get("note", ""))
            elif action == "paper":
                when = _paper_date(request.POST.get("date"))
                rows = [{**paper_line(line), "signed_at": when}
                        for line in request.POST.get("names", "").splitlines() if line.strip()]
                res = services.add_paper(p, rows, request.user, request.POST.get("place", "").strip()[:120] or "—")
                messages.success(request, _("Paper signatures: %(a)s accepted, %(d)s duplicates, %(o)s outside the "
                                            "period.") % {"a": res.accepted, "d": len(res.duplicates),
                                                          "o": len(res.outside_period)})
                for refusal in res.refused:
                    messages.error(request, f"{refusal['row'] + 1}: {refusal['message']}")
            elif action == "respond":
                services.respond(p, request.POST.get("text", ""))
        except services.RuleError as err:
            messages.error(request, err.message)
        return redirect("petitions:moderation")
    pending = []
    if can(request.user, "moderate_petitions"):  # authors' names: only moderators see (and are logged)
        from server_stub.cabinet.services import log_access

        pending = list(Petition.objects.select_related("author").filter(status="moderation"))
        log_access({p.author for p in pending}, request.user.get_username(), "модерація петицій (автор петиції)")
    return render(request, "petitions/moderation.html", {
        "pending": pending,
        "collecting": Petition.objects.filter(status__in=("collecting", "review")),
        "reasons": REJECT_REASONS})


@pages.route("<int:pk>/", name="detail")
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    p = get_object_or_404(Petition.objects.select_related("author"), pk=pk)
    resident = getattr(request.user, "resident", None) if request.user.is_authenticated else None
    if p.status not in PUBLIC and not (can(request.user, "moderate_petitions")
                                       or (resident and resident.pk == p.author_id)):
        return render(request, "petitions/detail.html", {"missing": True}, status=404)
    if request.method == "POST" and resident is not None:
        try:
            if request.POST.get("action") == "withdraw":
                services.withdraw(p, resident)
                messages.success(request, _("Your signature is withdrawn."))
            else:
                email = request.POST.get("email", "").strip()[:254]
                services.sign(p, resident, email if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email) else "",
                              request.POST.getlist("notify"))
                messages.success(request, _("Thank you, your signature is counted."))
        except services.RuleError as err:
            messages.error(request, _("Not done: %(why)s") % {"why": err.message})
        return redirect("petitions:detail", pk=p.pk)
    count = services.counted(p)
    signed = resident is not None and Signature.objects.filter(petition=p, resident=resident).exists()
    percent = min(100, round(100 * count / p.threshold)) if p.threshold else 0
    return render(request, "petitions/detail.html", {
        "p": p, "count": count, "percent": percent, "signed": signed, "resident": resident,
        "open": services.is_open(p, timezone.now()), "signers": Signature.objects.filter(petition=p)[:500]})


def paper_line(line: str) -> dict[str, Any]:
    """'Full name; date of birth (DD.MM.YYYY); RNOKPP; registered address' -> a paper row (the page's format)."""
    parts = [x.strip() for x in line.split(";")] + ["", "", ""]
    born = None
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            born = datetime.strptime(parts[1], fmt).date()
            break
        except ValueError:
            continue
    return {"full_name": " ".join(parts[0].split())[:300], "birthdate": born, "rnokpp": parts[2][:14],
            "registration": ";".join(parts[3:]).strip("; ")[:300]}


def _paper_date(value: str | None) -> datetime:
    if value:
        try:
            return timezone.make_aware(datetime.fromisoformat(value).replace(hour=12))
        except ValueError:
            pass
    return timezone.now()
