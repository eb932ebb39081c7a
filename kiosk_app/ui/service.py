"""Service mode for technicians, behind the PIN: device states and consumables, test print and
test scan, counters, emptying the archive box (its manifest on screen), the outbox, recent
errors, and back to resident mode. Every entry attempt is logged as a store event."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from . import ops
from .i18n import tr
from .pages import Page
from .pin import PinGate, verify_pin
from .qt import QGridLayout
from .widgets import BigButton

if TYPE_CHECKING:
    from .window import KioskWindow


def service_text(info: dict[str, Any], lang: str) -> str:
    uk = lang == "uk"
    lines = ["Пристрої:" if uk else "Devices:"]
    for kind, s in info.get("devices", {}).items():
        cons = ", ".join(f"{k} {v}" for k, v in (s.get("consumables") or {}).items())
        lines.append(f"  {kind}: {s.get('state')} {s.get('detail', '')} {cons}".rstrip())
    b = info.get("box", {})
    lines.append(f"Скринька № {b.get('box')}: звернень {b.get('appeals')}, аркушів {b.get('sheets')}" if uk else
                  f"Archive box {b.get('box')}: {b.get('appeals')} appeals, {b.get('sheets')} sheets")
    ob = info.get("outbox", {})
    lines.append(("Черга передачі: " if uk else "Outbox: ") + (", ".join(f"{k} {v}" for k, v in sorted(ob.items())) or "0")
                 + (f" ({'найстаріше' if uk else 'oldest'} {info['outbox_oldest_pending']})" if info.get("outbox_oldest_pending") else ""))
    lines.append(("Звернень у терміналі: " if uk else "Appeals in the store: ") + str(info.get("appeals", 0)))
    errs = info.get("errors", [])
    lines.append(("Останні помилки:" if uk else "Recent errors:") + ("" if errs else (" немає" if uk else " none")))
    for e in errs:
        lines.append(f"  {e['at'][:19]} {e['event']} {e.get('device', '')} {e.get('code', '')}".rstrip())
    if info.get("note"):
        lines.append(info["note"])
    return "\n".join(lines)


class ServiceScreens:
    def init_service(self: KioskWindow, cfg: Any) -> None:
        self.pin_hash = cfg["service.pin_hash"]
        self.gate = PinGate(cfg["service.max_pin_attempts"], cfg["service.lockout"])
        self.service_info: dict[str, Any] = {}
        self.in_service = False

    def log_event(self: KioskWindow, event: str, detail: dict[str, Any] | None = None) -> None:
        self.worker.run(lambda progress: ops.run(self.t, "event", None, event, detail or {}), name=event)

    def open_service(self: KioskWindow) -> None:
        self.session.clear()
        self.go("pin")

    def leave_service(self: KioskWindow) -> None:
        if self.in_service:
            self.in_service = False
            self.service_info = {}
            self.log_event("service_left")

    def build_service_page(self: KioskWindow, sid: str, p: Page) -> None:
        if sid == "pin":
            p.add_field("number")
            p.field.setEchoMode(p.field.EchoMode.Password)
            p.primary.clicked.connect(self.check_pin)
            p.back.clicked.connect(lambda: self.end_session("service: back"))

            def render(lang: str) -> None:
                p.title.setText(tr("pin.title", lang))
                p.body.setText(tr("pin.body", lang) if self.pin_hash else tr("pin.unset", lang))
                p.primary.setText(tr("next", lang))
                err = p.property("err")
                p.error.setText(err[0] if err and lang == "uk" else err[1] if err else "")

            p.render = render
            return
        p.add_info()
        grid = QGridLayout()
        grid.setSpacing(14)
        p.content.addLayout(grid)
        for i, (key, fn) in enumerate((("refresh", self.refresh_service), ("test_print", self.test_print),
                                       ("test_scan", self.test_scan), ("empty_box", self.empty_box))):
            b = BigButton("", p, on_click=fn)
            b.setObjectName(f"tool_{key}")
            p.choices[key] = b
            grid.addWidget(b, i // 2, i % 2)
        p.primary.clicked.connect(lambda: self.end_session("service: exit"))
        p.back.hide()

        def render_service(lang: str) -> None:
            p.title.setText(tr("svc.title", lang))
            p.body.setText("")
            p.info.setText(service_text(self.service_info, lang))
            for key, b in p.choices.items():
                b.setText(tr(f"svc.{key}", lang))
            p.primary.setText(tr("svc.exit", lang))

        p.render = render_service
        p.info.setStyleSheet("font-size: 26px; font-family: 'DejaVu Sans Mono';")

    def check_pin(self: KioskWindow) -> None:
        p = self.pages["pin"]
        pin = p.field.text()
        p.field.clear()
        locked = self.gate.locked_for()
        if locked:
            self.set_error(p, tr("pin.locked", "uk", s=locked), tr("pin.locked", "en", s=locked))
            self.log_event("service_pin_refused", {"locked_for": locked})
            return
        stored = self.pin_hash

        def done(ok: bool) -> None:
            self.gate.record(ok)
            if ok:
                self.log_event("service_entered")
                self.in_service = True
                self.refresh_service()
                self.go("service")
                return
            locked_now = self.gate.locked_for()
            self.log_event("service_locked" if locked_now else "service_pin_failed",
                           {"locked_for": locked_now} if locked_now else {"left": self.gate.left})
            if locked_now:
                self.set_error(p, tr("pin.locked", "uk", s=locked_now), tr("pin.locked", "en", s=locked_now))
            else:
                self.set_error(p, tr("pin.wrong", "uk", n=self.gate.left), tr("pin.wrong", "en", n=self.gate.left))

        self.worker.run(lambda progress: bool(stored) and verify_pin(pin, stored), done, name="pin")

    def _service_job(self: KioskWindow, fn: Any, note: Any) -> None:
        def done(out: Any) -> None:
            if not self.in_service:
                return
            self.service_info = out
            if self.current == "service":
                self.refresh()

        def work(progress: Any) -> Any:
            extra = fn() if fn else None
            info = ops.run(self.t, "service_info")
            if extra is not None:
                info["note"] = note(extra)
                info["last_action"] = extra
            return info

        self.worker.run(work, done, lambda err: done({**self.service_info, "note": f"error: {err}"}), name="service")

    def refresh_service(self: KioskWindow) -> None:
        self._service_job(None, None)

    def test_print(self: KioskWindow) -> None:
        self._service_job(lambda: ops.run(self.t, "test_print"),
                          lambda r: f"Test print: {json.dumps(r['test_print'], ensure_ascii=False)[:160]}")

    def test_scan(self: KioskWindow) -> None:
        self._service_job(lambda: ops.run(self.t, "test_scan"),
                          lambda r: f"Test scan: {json.dumps(r, ensure_ascii=False)[:160]}")

    def empty_box(self: KioskWindow) -> None:
        def note(r: dict[str, Any]) -> str:
            m = r["manifest"]
            rows = [f"Manifest box {m['box']} ({m['opened_at'][:19]}): {m['appeals']} appeals, {m['sheets']} sheets"]
            rows += [f"  {e['document_id']} {e['sheets']} sh. {e['state']}" for e in m["entries"][:8]]
            return "\n".join(rows)
        self._service_job(lambda: ops.run(self.t, "empty_box", "technician (service mode)"), note)
