"""The cabinet page (sign-in through BankID required) and the public catalogue of services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from server_stub.core.pages import Pages

from . import services
from .models import Booking, Service, Slot

pages = Pages()


@pages.route("", name="index")
@login_required(login_url="/auth/bankid/")
def index(request: HttpRequest) -> HttpResponse:
    resident = getattr(request.user, "resident", None)
    if resident is None:
        return render(request, "cabinet/index.html", {"resident": None}, status=403)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "follow":
                services.follow(resident, request.POST.get("number", ""), request.POST.get("code", ""))
                messages.success(request, _("The appeal is added to your cabinet."))
            elif action == "book":
                slot = get_object_or_404(Slot, pk=request.POST.get("slot") or 0)
                services.book(slot, resident, request.POST.get("purpose", "").strip()[:500] or "—",
                              request.POST.get("email", "").strip())
                messages.success(request, _("You are booked."))
            elif action == "cancel":
                services.cancel(get_object_or_404(Booking, pk=request.POST.get("booking") or 0, resident=resident))
                messages.success(request, _("The booking is cancelled."))
        except services.CabinetError as e:
            messages.error(request, e.message)
        return redirect("cabinet:index")
    slots = [services.slot_dict(s) for s in Slot.objects.select_related("official").filter(starts_at__gt=timezone.now())]
    return render(request, "cabinet/index.html", {"resident": resident, "me": services.summary(resident),
                                                  "slots": [s for s in slots if s["free"] > 0]})


@pages.route("services/", name="services")
def services_page(request: HttpRequest) -> HttpResponse:
    return render(request, "cabinet/services.html", {"services": Service.objects.all()})
