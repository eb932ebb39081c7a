"""The page behind the receipt's status link (``/a/<number>?k=<code>``) and the SMS's
(``/a/<number>``, which asks for the code): status, deadline and whether the answer is ready,
never personal data, and only for the holder of the receipt's code (docs/receipt.md).

A code that opens the page is remembered in the visitor's session for that number and the
browser is sent on to the address without it, so the code does not stay in the address bar,
the history or a Referer.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from server_stub.core import numbers
from server_stub.core.pages import Pages

from . import access
from .models import AppealStatus

SESSION_KEY = "appeal_access"
STATUS_WORDS: dict[str, tuple[str, str]] = {
    k: (uk, en) for k, (uk, en) in tomllib.loads(
        Path(__file__).with_name("status_words.toml").read_text(encoding="utf-8"))["status"].items()}

pages = Pages()


def _applicant(request: HttpRequest, number: str) -> bool:
    """A resident signed in through BankID whom the server knows as this appeal's applicant."""
    resident = getattr(request.user, "resident", None) if request.user.is_authenticated else None
    if resident is None:
        return False
    from server_stub.petitions.models import Petition

    return Petition.objects.filter(author=resident, appeal_number=number).exists()


@pages.route("<str:number>", name="status")
@pages.route("<str:number>/")
def status(request: HttpRequest, number: str) -> HttpResponse:
    try:
        compact = numbers.validate(number)
    except numbers.InvalidNumber:
        return render(request, "terminals/status.html", {"bad_number": True}, status=404)
    allowed = set(request.session.get(SESSION_KEY, []))
    code = request.POST.get("code") if request.method == "POST" else request.GET.get(access.QUERY_KEY)
    ctx: dict[str, object] = {"number": numbers.display(compact), "compact": compact}
    if compact not in allowed and not _applicant(request, compact):
        if code is None:
            return render(request, "terminals/status.html", {**ctx, "ask": True})
        try:
            access.check(compact, code, door="status_page")
        except access.AccessRefused as err:
            return render(request, "terminals/status.html", {**ctx, "ask": True, "refused": err.code},
                          status=err.status)
        request.session[SESSION_KEY] = sorted(allowed | {compact})[-50:]
        return redirect("appeal_status:status", number=compact)
    if code is not None:
        return redirect("appeal_status:status", number=compact)
    st = AppealStatus.objects.select_related("answer").filter(number=compact).first()
    state = st.status if st else "unknown"
    uk, en = STATUS_WORDS.get(state, (state, state))
    overdue = bool(st and st.deadline and state not in ("answered", "rejected") and st.deadline < timezone.localdate())
    response = render(request, "terminals/status.html", {
        **ctx, "state": state, "status_uk": uk, "status_en": en, "deadline": st.deadline if st else None,
        "overdue": overdue, "answer_ready": bool(st and st.answer_id), "registration_index":
        st.registration_index if st else ""})
    return response
