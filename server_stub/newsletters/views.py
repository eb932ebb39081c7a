"""Pages: subscribe by topic, confirm (the link of the e-mail), unsubscribe (one click), compose (staff)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from server_stub.core.pages import Pages
from server_stub.core.roles import staff_required

from . import services
from .models import Issue, Topic

pages = Pages()


@pages.route("", name="index")
def index(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        email = request.POST.get("email", "").strip()
        chosen = request.POST.getlist("topic")
        if "@" not in email or not chosen:
            messages.error(request, _("Enter your e-mail and choose at least one topic."))
        else:
            try:
                ok = services.request_subscription(email, chosen)
            except (ValueError, services.TooMany):
                ok = False
            if ok:
                messages.success(request, _("We have sent a confirmation link to your e-mail. "
                                            "Nothing is sent to you until you open it."))
            else:
                messages.error(request, _("The confirmation e-mail could not be sent; please try again later."))
        return redirect("newsletters:index")
    return render(request, "newsletters/index.html", {
        "topics": Topic.objects.all(), "issues": Issue.objects.select_related("topic").exclude(sent_at=None)[:20]})


@pages.route("confirm/<str:token>/", name="confirm")
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    sub = services.confirm(token)
    return render(request, "newsletters/done.html", {
        "ok": sub is not None, "title": _("Subscription confirmed") if sub else _("The link is not valid"),
        "topics": sub.topics.all() if sub else []}, status=200 if sub else 404)


@pages.route("unsubscribe/<str:token>/", name="unsubscribe")
@csrf_exempt  # RFC 8058 one-click POST from the mail client carries no CSRF token; the signed token authorises
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    topic = request.GET.get("topic") or request.POST.get("topic") or None
    if request.method == "POST":
        ok = services.unsubscribe(token, None if request.POST.get("all") else topic)
        return render(request, "newsletters/done.html", {
            "ok": ok, "title": _("You are unsubscribed") if ok else _("The link is not valid")},
            status=200 if ok else 404)
    return render(request, "newsletters/unsubscribe.html", {"token": token, "topic": topic,
                                                             "topic_obj": Topic.objects.filter(slug=topic).first()})


@pages.route("compose/", name="compose")
@staff_required("send_newsletters")
def compose(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        topic = Topic.objects.filter(slug=request.POST.get("topic")).first()
        subject, body = request.POST.get("subject", "").strip(), request.POST.get("body", "").strip()
        if topic and subject and body:
            issue = Issue.objects.create(topic=topic, subject=subject, body=body, created_by=request.user)
            sent, failed = services.send_issue(issue)
            messages.success(request, _("Sent: %(s)s, failed: %(f)s.") % {"s": sent, "f": failed})
        else:
            messages.error(request, _("Choose a topic and fill in the subject and the text."))
        return redirect("newsletters:compose")
    return render(request, "newsletters/compose.html", {"topics": Topic.objects.all()})
