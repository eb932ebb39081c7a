"""Terminal work the screens need beyond :class:`~kiosk_app.core.terminal.Terminal`'s own methods
(the handheld reader, the technician's tools, the service page's facts, store events). Each takes
the terminal first; :mod:`.host` runs the same functions in its helper process. No Qt here."""

from __future__ import annotations

import json
from typing import Any

from devices.errors import DeviceError


def read_barcode(t: Any, timeout: float) -> str | None:
    return t.devices.barcode_reader.read(timeout=timeout)


def open_reader(t: Any) -> None:
    t.devices.barcode_reader.open()


def event(t: Any, document_id: str | None, name: str, detail: dict[str, Any]) -> None:
    t.store.event(document_id, name, detail)


def test_print(t: Any) -> dict[str, Any]:
    from devices.receipt_printer import test_receipt
    try:
        return {"test_print": t.devices.receipt_printer.print_receipt(test_receipt()).as_dict()}
    except DeviceError as err:
        return {"test_print": err.as_dict()}


def test_scan(t: Any) -> dict[str, Any]:
    from kiosk_app.core.imaging import read_labels
    pages: list[dict[str, Any]] = []
    try:
        for img in t.devices.scanner.scan_batch():
            pages.append({"size": f"{img.width}x{img.height}", "labels": [r.text for r in read_labels(img)]})
        return {"test_scan": pages}
    except DeviceError as err:
        return {"test_scan": pages, "error": err.as_dict()}


def empty_box(t: Any, by: str) -> dict[str, Any]:
    return {"manifest": t.empty_box(by)}


def service_info(t: Any) -> dict[str, Any]:
    """Everything the service page shows."""
    db = t.store.db
    outbox = {r["state"]: r["n"] for r in db.query("SELECT state, count(*) AS n FROM outbox GROUP BY state")}
    oldest = next(iter(db.query("SELECT min(created_at) AS t FROM outbox WHERE state='pending'")), {}).get("t")
    errors = list(db.query(
        "SELECT at, event, detail_json FROM events WHERE event IN ('device_fault','receipt_failed','label_check_failed',"
        "'service_pin_failed','service_locked') ORDER BY id DESC LIMIT 6"))
    box = t.box()
    return {"devices": t.device_status(), "box": {k: box[k] for k in ("box", "appeals", "sheets", "not_archived")},
            "outbox": outbox, "outbox_oldest_pending": oldest,
            "appeals": next(iter(db.query("SELECT count(*) AS n FROM appeals")))["n"],
            "errors": [{"at": e["at"], "event": e["event"], **{k: v for k, v in json.loads(e["detail_json"]).items()
                                                              if k in ("device", "code", "sheet")}} for e in errors]}


OPS = {f.__name__: f for f in (read_barcode, open_reader, event, test_print, test_scan, empty_box, service_info)}


def run(t: Any, name: str, *args: Any) -> Any:
    """Call an op on an in-process terminal, or through a :class:`~.host.HostedTerminal`."""
    hosted = getattr(t, "op", None)
    if hosted is not None:
        return hosted(name, *args)
    return OPS[name](t, *args)
