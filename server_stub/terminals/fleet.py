"""What the technicians' fleet page shows: per terminal state and computed alerts."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from . import access
from .models import AppealStatus, Heartbeat, Terminal, TerminalEvent


@dataclass
class TerminalView:
    terminal: Terminal
    devices: list[dict[str, Any]] = field(default_factory=list)
    consumables: dict[str, Any] = field(default_factory=dict)
    queue_depth: int | None = None
    oldest_undelivered: dict[str, Any] | None = None
    app_version: str = ""
    package: dict[str, Any] = field(default_factory=dict)  # installed, candidate, pending, last_update
    alerts: list[str] = field(default_factory=list)

    @property
    def update_state(self) -> str:
        """failed | pending | current | unknown: what the fleet page says of this terminal's updates."""
        last = self.package.get("last_update") or {}
        if last.get("result") == "failed":
            return "failed"
        if self.package.get("pending"):
            return "pending"
        return "current" if self.package.get("installed") else "unknown"


def versions(views: list[TerminalView]) -> list[tuple[str, int]]:
    """How many terminals run each installed version (newest heartbeat of each), most common first."""
    counts = Counter(v.package.get("installed") or _("unknown") for v in views)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def fleet_state() -> list[TerminalView]:
    now = timezone.now()
    stale_after = timedelta(seconds=3 * settings.TERMINAL_HEARTBEAT_INTERVAL_S)
    unimported_after = timedelta(minutes=settings.FLEET_UNIMPORTED_ALERT_MIN)
    views = []
    for terminal in Terminal.objects.all():
        hb = terminal.last_heartbeat or {}
        view = TerminalView(terminal, devices=hb.get("devices", []), consumables=hb.get("consumables", {}),
                            queue_depth=hb.get("queue_depth"), oldest_undelivered=hb.get("oldest_undelivered"),
                            app_version=hb.get("app_version", ""), package=hb.get("package") or {})
        if terminal.last_heartbeat_at is None:
            view.alerts.append(_("No heartbeat received yet"))
        elif now - terminal.last_heartbeat_at > stale_after:
            view.alerts.append(_("Stale heartbeat: last one at %(at)s") % {
                "at": timezone.localtime(terminal.last_heartbeat_at).strftime("%Y-%m-%d %H:%M")})
        for dev in view.devices:
            if dev.get("state") in ("fault", "offline"):
                view.alerts.append(_("Device %(device)s: %(state)s %(detail)s") % {
                    "device": dev.get("device"), "state": dev.get("state"), "detail": dev.get("detail", "")})
        last = view.package.get("last_update") or {}
        if last.get("result") == "failed":
            view.alerts.append(_("Update failed at %(at)s: %(detail)s") % {
                "at": _when(last.get("at")), "detail": last.get("detail", "")})
        depths = list(Heartbeat.objects.filter(terminal=terminal).order_by("-sent_at")
                      .values_list("queue_depth", flat=True)[:4])
        if len(depths) >= 3 and all(a > b for a, b in itertools.pairwise(depths)):
            view.alerts.append(_("Queue growing: %(depths)s") % {"depths": " ← ".join(map(str, depths))})
        delivered = (TerminalEvent.objects.filter(terminal=terminal, type="delivered",
                                                  received_at__lt=now - unimported_after)
                     .exclude(number="").values_list("number", flat=True))
        known = set(AppealStatus.objects.filter(number__in=list(delivered)).values_list("number", flat=True))
        for number in sorted(set(delivered) - known):
            view.alerts.append(_("Appeal %(number)s delivered but not imported by the EDMS") % {"number": number})
        for event in TerminalEvent.objects.filter(terminal=terminal, type="alert",
                                                  received_at__gt=now - timedelta(hours=24)).order_by("-received_at")[:5]:
            detail = event.detail or {}
            view.alerts.append(_("Terminal alert: %(code)s %(message)s") % {
                "code": detail.get("code", ""), "message": detail.get("message", "")})
        for locked in access.fleet_entries(terminal):
            view.alerts.append(f"Код чека заблоковано / Receipt code locked: {locked['number']} "
                               f"({locked['door']}, {timezone.localtime(locked['at']):%Y-%m-%d %H:%M})")
        views.append(view)
    return views


def _when(value: Any) -> str:
    at = parse_datetime(str(value or ""))
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else "?"
