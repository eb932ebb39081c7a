"""Residents' map reports go to the contact centre: each becomes a service request (channel "map") in the
category of its kind, with the resident's e-mail and phone for news; the request's statuses are the
report's from then on. The moderator's decision on publication closes the request when the report is
rejected or is a duplicate (the resident is told, as of every status change)."""

from __future__ import annotations

from typing import Any

from server_stub.contact import services
from server_stub.contact.models import Category

from .models import Report

# report kind -> the contact centre's category (created with these defaults when missing)
CATEGORIES: dict[str, dict[str, Any]] = {
    "illegal_construction": {"code": "construction", "name": "Незаконне будівництво",
                             "description": "Будівництво без дозволу, самочинні споруди, кіоски на газонах",
                             "group": "Містобудування", "agency": "Департамент архітектури та містобудування",
                             "deadline_hours": 240},
    "unlicensed_trade": {"code": "trade", "name": "Незаконна торгівля",
                         "description": "Стихійна торгівля, торгівля без дозволу", "group": "Торгівля",
                         "agency": "Управління торгівлі та побутового обслуговування", "deadline_hours": 72},
}


def category_for(kind: str) -> Category:
    spec = dict(CATEGORIES[kind])
    code = spec.pop("code")
    return Category.objects.get_or_create(code=code, defaults={**spec, "keywords": spec["group"].lower()})[0]


def route(report: Report, *, email: str = "", phone: str = "") -> None:
    """Register the report as a contact-centre request (once)."""
    if report.service_request_id:
        return
    report.service_request = services.create(
        category_for(report.kind), description=report.description, lat=report.lat, lon=report.lon,
        channel="map", author=report.author, email=email, phone=phone)
    report.save(update_fields=["service_request"])


def moderated(report: Report) -> None:
    """A rejected or duplicate report closes its request with the reason."""
    r = report.service_request
    if r is None or r.status == "closed" or report.status not in ("rejected", "duplicate"):
        return
    if report.status == "duplicate" and report.duplicate_of and report.duplicate_of.service_request_id:
        note = f"Дублікат заявки № {report.duplicate_of.service_request_id} / duplicate of request No " \
               f"{report.duplicate_of.service_request_id}"
    elif report.status == "duplicate":
        note = "Дублікат іншого повідомлення / a duplicate of another report"
    else:
        note = "Повідомлення відхилено модератором / the report was rejected by the moderator"
    if report.moderation_note:
        note += f": {report.moderation_note}"
    services.change_status(r, "closed", note)
