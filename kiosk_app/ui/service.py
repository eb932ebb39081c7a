"""Service mode for technicians, behind the PIN: device states and consumables, test print and
test scan, counters, emptying the archive box (its manifest on screen), the outbox, recent
errors, and back to resident mode. Every entry attempt is logged as a store event."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .i18n import tr
from .nav import Screen, ScreenId
from .widgets import BigButton, ReflowRow


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


def log_event(shell: Any, event: str, detail: dict[str, Any] | None = None) -> None:
    """A service-mode event in the store's log (through the worker, as every terminal call)."""
    shell.worker.run(lambda progress: shell.t.log_event(None, event, detail or {}), name=event)


class PinScreen(Screen):
    """The technician's PIN on the number pad; wrong PINs count towards a lockout."""

    def build(self) -> None:
        cfg = self.shell.cfg
        self.pin_hash: str = cfg["service.pin_hash"]
        f = self.add_field("number")
        f.setEchoMode(f.EchoMode.Password)
        self.primary.clicked.connect(self.check_pin)
        self.back.clicked.connect(lambda: self.shell.end_session("service: back"))

    def render(self, lang: str) -> None:
        self.title.setText(tr("pin.title", lang))
        self.body.setText(tr("pin.body", lang) if self.pin_hash else tr("pin.unset", lang))
        self.primary.setText(tr("next", lang))
        self.render_error(lang)

    def check_pin(self) -> None:
        assert self.field is not None
        pin = self.field.text()
        self.field.clear()
        shell = self.shell

        def done(result: dict[str, Any]) -> None:
            ok, locked_now, left = result["ok"], result["locked_for"], result["left"]
            if result["refused"]:
                self.set_error(tr("pin.locked", "uk", s=locked_now), tr("pin.locked", "en", s=locked_now))
                log_event(shell, "service_pin_refused", {"locked_for": locked_now})
                return
            if ok:
                log_event(shell, "service_entered")
                self.nav.get(ScreenId.SERVICE, ServiceScreen).enter()
                return
            log_event(shell, "service_locked" if locked_now else "service_pin_failed",
                      {"locked_for": locked_now} if locked_now else {"left": left})
            if locked_now:
                self.set_error(tr("pin.locked", "uk", s=locked_now), tr("pin.locked", "en", s=locked_now))
            else:
                self.set_error(tr("pin.wrong", "uk", n=left), tr("pin.wrong", "en", n=left))

        # the count and the lockout are kept in the terminal store: a restart does not reset them
        shell.worker.run(lambda progress: shell.t.service_pin(pin), done, name="pin")


def _scan_note(r: dict[str, Any]) -> str:
    pages = [{"size": f"{p['width']}x{p['height']}", "labels": p["labels"]} for p in r["pages"]]
    out = {"test_scan": pages, **({"error": r["error"]} if "error" in r else {})}
    return f"Test scan: {json.dumps(out, ensure_ascii=False)[:160]}"


def _box_note(m: dict[str, Any]) -> str:
    rows = [f"Manifest box {m['box']} ({m['opened_at'][:19]}): {m['appeals']} appeals, {m['sheets']} sheets"]
    rows += [f"  {e['document_id']} {e['sheets']} sh. {e['state']}" for e in m["entries"][:8]]
    return "\n".join(rows)


class ServiceScreen(Screen):
    """Device states and counters; test print, test scan, emptying the archive box."""

    def build(self) -> None:
        self.info_data: dict[str, Any] = {}
        self.in_service = False
        self.add_info("service_info")
        grid = ReflowRow(self.scroll.widget(), columns=2)
        self.content.addWidget(grid)
        for key, fn in (("refresh", self.refresh_info), ("test_print", self.test_print),
                        ("test_scan", self.test_scan), ("empty_box", self.empty_box)):
            b = BigButton("", self, on_click=fn)
            b.setObjectName(f"tool_{key}")
            self.choices[key] = b
            grid.add(b)
        self.primary.clicked.connect(lambda: self.shell.end_session("service: exit"))
        self.back.hide()
        assert self.info is not None
        self.info.setStyleSheet("font-size: 26px; font-family: 'DejaVu Sans Mono';")

    def render(self, lang: str) -> None:
        assert self.info is not None
        self.title.setText(tr("svc.title", lang))
        self.body.setText("")
        self.info.setText(service_text(self.info_data, lang))
        for key, b in self.choices.items():
            b.setText(tr(f"svc.{key}", lang))
        self.primary.setText(tr("svc.exit", lang))

    def enter(self) -> None:
        self.in_service = True
        self.refresh_info()
        self.nav.go(ScreenId.SERVICE)

    def reset(self) -> None:
        super().reset()
        if self.in_service:
            self.in_service = False
            self.info_data = {}
            log_event(self.shell, "service_left")

    def _job(self, action: Callable[[Any], Any] | None, note: Callable[[Any], str] | None) -> None:
        shell = self.shell

        def done(out: Any) -> None:
            if not self.in_service:
                return
            self.info_data = out
            if self.nav.current == ScreenId.SERVICE:
                shell.refresh()

        def work(progress: Any) -> Any:
            extra = action(shell.t) if action else None
            info = shell.t.service_summary()
            if extra is not None and note is not None:
                info["note"] = note(extra)
                info["last_action"] = extra
            return info

        shell.worker.run(work, done, lambda err: done({**self.info_data, "note": f"error: {err}"}), name="service")

    def refresh_info(self) -> None:
        self._job(None, None)

    def test_print(self) -> None:
        self._job(lambda t: {"test_print": t.test_print()},
                  lambda r: f"Test print: {json.dumps(r['test_print'], ensure_ascii=False)[:160]}")

    def test_scan(self) -> None:
        self._job(lambda t: t.test_scan(), _scan_note)

    def empty_box(self) -> None:
        self._job(lambda t: {"manifest": t.empty_box("technician (service mode)")}, lambda r: _box_note(r["manifest"]))
