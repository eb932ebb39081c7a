"""/api/cabinet/: a signed-in resident's summary, following appeals, booking appointments; staff slots."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from server_stub.core.api import errors, found
from server_stub.core.roles import staff_auth
from server_stub.petitions.access import resident_auth

from . import services
from .models import Booking, Official, Service, Slot

router = Router(tags=["resident cabinet"])


class NumberIn(Schema):
    number: str
    code: str = Field("", max_length=40, description="the receipt's access code (docs/receipt.md)")


class BookingIn(Schema):
    slot: int
    purpose: str = Field(min_length=3, max_length=500)
    email: str = ""


class SlotIn(Schema):
    official: int
    starts_at: datetime
    capacity: int = Field(1, ge=1, le=50)


@router.get("/me", auth=resident_auth, summary="My appeals, petitions signed, votes, bookings, who saw my data")
def me(request: HttpRequest) -> dict[str, Any]:
    return services.summary(request.user.resident)


@router.post("/appeals", auth=resident_auth, response={201: dict, **errors(401, 403, 422, 429)},
             summary="Follow an appeal by its number and the receipt's access code")
def follow(request: HttpRequest, body: NumberIn) -> tuple[int, dict[str, Any]]:
    services.follow(request.user.resident, body.number, body.code)
    return 201, {"appeals": services.appeals(request.user.resident)}


@router.get("/services", auth=None, summary="Catalogue of services")
def catalogue(request: HttpRequest) -> list[dict[str, Any]]:
    return [{"title": s.title, "category": s.category, "description": s.description, "where": s.where}
            for s in Service.objects.all()]


@router.get("/slots", auth=None, summary="Free appointment slots with officials")
def slots(request: HttpRequest) -> list[dict[str, Any]]:
    return [services.slot_dict(s) for s in Slot.objects.select_related("official")
            .filter(starts_at__gt=timezone.now())]


@router.post("/slots", auth=staff_auth("manage_appointments"), response={201: dict, **errors(401, 403, 404)}, summary="Open a slot (staff)")
def add_slot(request: HttpRequest, body: SlotIn) -> tuple[int, dict[str, Any]]:
    official = found(Official.objects.filter(pk=body.official).first(), "Official not known")
    return 201, services.slot_dict(Slot.objects.create(official=official, starts_at=body.starts_at,
                                                       capacity=body.capacity))


@router.get("/slots/{pk}/bookings", auth=staff_auth("manage_appointments"), response={200: list[dict], **errors(401, 403, 404)},
            summary="Who booked a slot (staff; logged in each resident's data access log)")
def slot_bookings(request: HttpRequest, pk: int) -> list[dict[str, Any]]:
    slot = found(Slot.objects.filter(pk=pk).first(), "Slot not known")
    active = list(slot.bookings.filter(cancelled_at=None).select_related("resident"))
    services.log_access([b.resident for b in active], request.user.get_username(),
                        f"список записаних на прийом ({slot.official.name})")
    return [{"name": str(b.resident), "purpose": b.purpose} for b in active]


@router.post("/bookings", auth=resident_auth, response={201: dict, **errors(401, 403, 404, 409)},
             summary="Book an appointment")
def book(request: HttpRequest, body: BookingIn) -> tuple[int, dict[str, Any]]:
    slot = found(Slot.objects.select_related("official").filter(pk=body.slot).first(), "Slot not known")
    b = services.book(slot, request.user.resident, body.purpose, body.email.strip())
    return 201, services.booking_dict(b)


@router.post("/bookings/{pk}/cancel", auth=resident_auth, response={200: dict, **errors(401, 403, 404, 409)},
             summary="Cancel my booking")
def cancel(request: HttpRequest, pk: int) -> dict[str, Any]:
    b = found(Booking.objects.select_related("slot__official").filter(pk=pk, resident=request.user.resident).first(), "Booking not known")
    services.cancel(b)
    return services.booking_dict(b)
