"""What ``sync-agent status`` shows and what the heartbeat carries.

The kiosk owns the paper devices and writes their states to ``<store.dir>/device-status.json``
(setting ``device_status.file``), replaced atomically (temporary + rename), as
``kiosk_app.core.hardware.DeviceSet.publish`` does::

    {"updated_at": "2026-11-28T21:49:10+00:00",
     "devices": {"scanner": <devices.state.DeviceStatus.as_dict()>, ...}}

Also accepted: ``devices`` as a list, ``written_at`` for ``updated_at``, and optional top-level
``consumables`` and ``last_errors``. Without top-level consumables, each device's consumables
are reported as ``<device>_<name>``; each device's ``last_error`` joins ``last_errors``.

The agent adds two devices of its own: ``edms_drop`` (the drop folder) and ``modem``. A file
older than five minutes makes the kiosk's devices ``unknown`` (the kiosk may be down).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from kiosk_app.core.store import Store

from .state import parse, utcnow

log = logging.getLogger(__name__)

STALE_AFTER = 300.0


def read_device_status(path: Path) -> dict[str, Any]:
    empty: dict[str, Any] = {"devices": [], "consumables": {}, "last_errors": []}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {**empty, "note": f"{path} not written yet"}
    except (OSError, ValueError) as err:
        return {**empty, "note": f"{path}: unreadable: {err}"}
    if not isinstance(data, dict):
        return {**empty, "note": f"{path}: not an object"}
    written = parse(data.get("updated_at") or data.get("written_at"))
    raw = data.get("devices") or []
    if isinstance(raw, dict):
        raw = [{"device": k, **v} for k, v in raw.items() if isinstance(v, dict)]
    devices = [d for d in raw if isinstance(d, dict) and d.get("device")]
    consumables = data.get("consumables")
    if not isinstance(consumables, dict):
        consumables = {f"{d['device']}_{k}": v for d in devices for k, v in (d.get("consumables") or {}).items()
                       if isinstance(v, int | float | str) and not isinstance(v, bool)}
    errors = data.get("last_errors")
    if not isinstance(errors, list):
        errors = [{"at": (d["last_error"] or {}).get("at"), "device": d["device"],
                   "code": str((d["last_error"] or {}).get("code", ""))[:64],
                   "message": str((d["last_error"] or {}).get("message", ""))[:500]}
                  for d in devices if isinstance(d.get("last_error"), dict)]
    if written is None or (utcnow() - written).total_seconds() > STALE_AFTER:
        devices = [{**d, "state": "unknown", "detail": "stale device-status.json"} for d in devices]
    return {"devices": devices, "consumables": consumables, "last_errors": [e for e in errors if isinstance(e, dict)][:20]}


def collect(store: Store, *, modem_configured: bool) -> dict[str, Any]:
    """The agent's own status, read from the store (works while the daemon runs elsewhere)."""
    q = store.conn.execute
    kv_get = store.outbox.kv_get
    counts = dict(q("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall())
    oldest = q("SELECT document_id, created_at, state, attempts, last_error FROM outbox "
               "WHERE state IN ('pending', 'delivered') ORDER BY id LIMIT 1").fetchone()
    drop_fault = kv_get("drop.fault")
    errors = [{"document_id": r[0], "state": r[1], "attempts": r[2], "last_error": r[3]} for r in q(
        "SELECT document_id, state, attempts, last_error FROM outbox WHERE last_error IS NOT NULL "
        "ORDER BY id DESC LIMIT 10").fetchall()]
    sms_counts = dict(q("SELECT state, COUNT(*) FROM sync_sms GROUP BY state").fetchall())
    sms_fail = [dict(zip(("document_id", "kind", "state", "attempts", "since", "last_error"), r, strict=True)) for r in q(
        "SELECT document_id, kind, state, attempts, first_error_at, last_error FROM sync_sms WHERE state='failed' "
        "OR (state != 'sent' AND last_error IS NOT NULL) ORDER BY id DESC LIMIT 10").fetchall()]
    answers = dict(q("SELECT state, COUNT(*) FROM sync_answers GROUP BY state").fetchall())
    events_unsent = q("SELECT COUNT(*) FROM sync_events_out WHERE sent_at IS NULL").fetchone()[0]
    return {
        "queue_depth": counts.get("pending", 0) + counts.get("delivered", 0),
        "outbox": {k: counts.get(k, 0) for k in ("pending", "delivered", "imported", "rejected")},
        "oldest_undelivered": None if oldest is None else {
            "number": oldest[0], "since": oldest[1], "state": oldest[2], "attempts": oldest[3], "last_error": oldest[4]},
        "drop_folder": {"state": "fault" if drop_fault else "ready", "fault": drop_fault,
                        "retry_at": kv_get("drop.retry_at")},
        "last_errors": errors,
        "alerts": store.outbox.active_alerts(),
        "sms": {"counts": {k: sms_counts.get(k, 0) for k in ("pending", "stored", "sent", "failed")},
                "failures": sms_fail, "modem_configured": modem_configured, "modem": kv_get("modem.status")},
        "answers": {k: answers.get(k, 0) for k in ("pending", "complete", "failed")},
        "server": {"last_heartbeat": kv_get("server.last_heartbeat"), "last_error": kv_get("server.last_error"),
                   "feed_cursor": kv_get("feed.cursor"), "events_unsent": events_unsent},
    }


def heartbeat_body(store: Store, device_status_file: Path, *, modem_configured: bool) -> dict[str, Any]:
    """The heartbeat of docs/terminal-api.md: the kiosk's devices plus ours, queue, last errors."""
    mine = collect(store, modem_configured=modem_configured)
    kiosk = read_device_status(device_status_file)
    fault = mine["drop_folder"]["fault"]
    devices = list(kiosk["devices"])
    devices.append({"device": "edms_drop", "state": "fault" if fault else "ready",
                    "detail": (fault or {}).get("code", ""), "consumables": {},
                    "last_error": None if not fault else {"code": fault["code"], "message": fault["message"][:400],
                                                          "at": fault.get("since")}})
    modem = mine["sms"]["modem"]
    if modem_configured:
        devices.append({"device": "modem", "state": (modem or {}).get("state", "unknown"),
                        "detail": (modem or {}).get("detail", ""), "consumables": {},
                        "last_error": (modem or {}).get("last_error")})
    last_errors = list(kiosk["last_errors"])
    if fault:
        last_errors.append({"at": fault.get("since"), "device": "edms_drop", "code": fault["code"],
                            "message": fault["message"][:400]})
    for f in mine["sms"]["failures"][:3]:
        last_errors.append({"at": f["since"], "device": "modem", "code": "sms", "message": str(f["last_error"])[:400]})
    oldest = mine["oldest_undelivered"]
    return {
        "devices": devices,
        "consumables": {k: v for k, v in kiosk["consumables"].items() if isinstance(v, int | float | str)},
        "queue_depth": mine["queue_depth"],
        "oldest_undelivered": None if oldest is None else {"number": oldest["number"], "since": oldest["since"]},
        "last_errors": last_errors[-20:],
    }
