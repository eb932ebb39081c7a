"""Texting the resident, exactly once across crashes: store, record, then send.

For each owed message (``sync_sms``):

1. ``pending``: every part is written to the modem's own storage (``AT+CMGW``), which answers
   with an index per part; the indexes are recorded (state ``stored``) in one transaction.
   A crash before that commit leaves unsent copies in the modem that are never sent.
2. ``stored``: for each part not yet recorded as sent, the modem is asked (``AT+CMGR``) whether
   it still holds it unsent (``STO UNSENT``, stat 2) or already sent it (``STO SENT``, 3);
   unsent parts are sent from storage (``AT+CMSS``) and recorded one by one. A crash after the
   modem sent a part but before it was recorded is seen as ``STO SENT`` on the next pass: no part
   goes twice and none is skipped.
3. When every part is sent: state ``sent`` and an ``sms_sent`` event for the server (no phone
   number); the storage slots are freed (``AT+CMGD``).

A modem fault retries with backoff; after ``sms.alert_after`` the failure is an alert in the
status, after ``sms.give_up_after`` the message is ``failed``. Phone numbers are masked in logs.
Every state change goes through the store's named methods (``store.outbox``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any, Protocol

from devices.errors import DeviceError
from kiosk_app.core import faultpoints
from kiosk_app.core.store import Store

from .state import Backoff, Retrying, iso, parse, utcnow

log = logging.getLogger(__name__)

# Errors that concern the modem or network as a whole: stop the pass (the next one retries).
_WHOLE_MODEM = ("offline", "timeout", "not_found", "no_sim", "pin_locked", "no_network", "weak_signal")


class StoringModem(Protocol):
    def store_sms(self, number: str, text: str) -> list[int]: ...
    def stored_state(self, index: int) -> str | None: ...      # "unsent" | "sent" | None (empty slot)
    def send_stored(self, index: int) -> int: ...              # the message reference (TP-MR)
    def delete_stored(self, index: int) -> None: ...
    # optional: list_stored(stat) -> list[int], cancel_input() -> None


def mask(number: str | None) -> str:
    if not number:
        return "(none)"
    return "+" + "*" * max(0, len(number) - 3) + number[-2:]


def _phone(applicant_json: str | None) -> str | None:
    if not applicant_json:
        return None
    try:
        phone = json.loads(applicant_json).get("phone")
    except (ValueError, AttributeError):
        return None
    return phone if isinstance(phone, str) and phone else None


class SmsSender(Retrying):
    def __init__(self, store: Store, modem: StoringModem | None, *, backoff: Backoff | None = None,
                 alert_after: float = 3600, give_up_after: float = 7 * 86400) -> None:
        super().__init__(store, backoff, alert_after)
        self.modem = modem
        self.give_up_after = give_up_after
        self._input_cancelled = False

    def due(self, now: dt.datetime, limit: int = 50) -> list[tuple[Any, ...]]:
        return self.conn.execute(
            "SELECT s.id, s.document_id, s.kind, s.state, s.text, s.indexes_json, s.parts_sent_json, s.attempts, "
            "s.first_error_at, a.applicant_json FROM sync_sms s JOIN appeals a USING (document_id) "
            "WHERE s.state IN ('pending', 'stored') AND (s.next_attempt_at IS NULL OR s.next_attempt_at <= ?) "
            "ORDER BY s.id LIMIT ?", (iso(now), limit)).fetchall()

    def send_pass(self, now: dt.datetime | None = None) -> int:
        """Send what is due; returns how many messages were completed."""
        now = now or utcnow()
        if self.modem is None:
            return 0
        sent = 0
        rows = self.due(now)
        if rows and not self._input_cancelled:
            try:
                if hasattr(self.modem, "cancel_input"):   # a process killed mid-prompt leaves it waiting
                    self.modem.cancel_input()
                self.reclaim_orphans()
                self._input_cancelled = True
            except DeviceError as err:
                log.warning("modem: %s", err)
        for row in rows:
            sms_id, doc, kind, state, text, indexes_json, parts_json, attempts, first_err, applicant = row
            phone = _phone(applicant)
            if phone is None:
                self._finish_failed(sms_id, doc, kind, "no phone number (or personal data already purged)")
                continue
            try:
                self._send_one(sms_id, state, phone, text, indexes_json, parts_json)
            except ValueError as err:           # devices.sms_pdu.PduError: the text or number cannot be encoded
                self._finish_failed(sms_id, doc, kind, f"cannot encode: {err}")
                continue
            except DeviceError as err:
                self._modem_state(err)
                self._failed_try(sms_id, doc, kind, attempts, first_err, err, now)
                if getattr(err, "code", "") in _WHOLE_MODEM:
                    break
                continue
            self._finish_sent(sms_id, doc, kind)
            self._modem_state(None)
            sent += 1
        self.check_alerts(now)
        return sent

    def reclaim_orphans(self) -> list[int]:
        """Delete unsent messages in the modem's storage that no ``stored`` row refers to: copies
        a crash left between ``AT+CMGW`` and the commit of their indexes (the agent owns the
        modem; nothing else stores messages there). Returns the freed indexes."""
        lister = getattr(self.modem, "list_stored", None)
        if lister is None or self.modem is None:
            return []
        known = {i for (idx,) in self.conn.execute("SELECT indexes_json FROM sync_sms WHERE state='stored' "
                                                   "AND indexes_json IS NOT NULL") for i in json.loads(idx)}
        freed = [i for i in lister(2) if i not in known]
        for index in freed:
            self.modem.delete_stored(index)
        if freed:
            log.info("freed %d modem storage slot(s) left by a crash: %s", len(freed), freed)
        return freed

    def _send_one(self, sms_id: int, state: str, phone: str, text: str, indexes_json: str | None,
                  parts_json: str) -> None:
        assert self.modem is not None
        if state == "pending" or not indexes_json:
            indexes = self.modem.store_sms(phone, text)
            faultpoints.reached("sync.sms_stored")
            self.store.outbox.sms_stored(sms_id, indexes)
            log.info("SMS %d to %s stored in the modem at %s", sms_id, mask(phone), indexes)
            parts_sent: list[int] = []
        else:
            indexes = json.loads(indexes_json)
            parts_sent = json.loads(parts_json)
        for index in indexes:
            if index in parts_sent:
                continue
            st = self.modem.stored_state(index)
            if st == "unsent":
                mr = self.modem.send_stored(index)
                faultpoints.reached("sync.sms_sent")
                log.info("SMS %d part at %d sent (reference %d)", sms_id, index, mr)
            elif st is None:
                # The modem lost its storage (reset, SIM changed): store the message again.
                if parts_sent:
                    log.error("SMS %d: storage slot %d emptied after %d part(s) went; sending the rest again",
                              sms_id, index, len(parts_sent))
                self.store.outbox.sms_storage_lost(sms_id)
                raise _StorageLost(f"modem storage slot {index} is empty", device="modem")
            parts_sent.append(index)
            self.store.outbox.sms_parts_sent(sms_id, parts_sent)
        for index in indexes:
            try:
                self.modem.delete_stored(index)
            except DeviceError as err:
                log.warning("SMS %d: could not free storage slot %d: %s", sms_id, index, err)

    def _modem_state(self, err: DeviceError | None) -> None:
        """What the heartbeat and the status say about the modem: its last outcome."""
        code = getattr(err, "code", "") if err is not None else ""
        state = ("ready" if err is None else "offline" if code in ("offline", "timeout", "not_found")
                 else "warning" if code == "weak_signal" else "fault")
        self.store.outbox.kv_set("modem.status", {"state": state, "detail": code, "at": iso(utcnow()),
                                                  "last_error": None if err is None else {**err.as_dict(),
                                                                                          "at": iso(utcnow())}})

    def _finish_sent(self, sms_id: int, doc: str, kind: str) -> None:
        self.store.outbox.sms_sent(sms_id, doc, kind)

    def _finish_failed(self, sms_id: int, doc: str, kind: str, why: str) -> None:
        slots = self.store.outbox.sms_failed(sms_id, doc, kind, why)
        log.warning("SMS %d for %s (%s) failed: %s", sms_id, doc, kind, why)
        for index in slots:
            try:                                # free the slots: the message will not be sent
                if self.modem is not None:
                    self.modem.delete_stored(index)
            except DeviceError as err:
                log.warning("SMS %d: could not free storage slot %d: %s", sms_id, index, err)

    def _failed_try(self, sms_id: int, doc: str, kind: str, attempts: int, first_err: str | None,
                    err: DeviceError, now: dt.datetime) -> None:
        first = parse(first_err) or now
        if (now - first).total_seconds() > self.give_up_after:
            self._finish_failed(sms_id, doc, kind, f"gave up: {getattr(err, 'code', '')}: {err}")
            return
        delay = self.backoff.delay(attempts + 1)
        self.store.outbox.sms_retry(sms_id, f"{getattr(err, 'code', type(err).__name__)}: {err}", now,
                                    now + dt.timedelta(seconds=delay))
        log.warning("SMS %d for %s: %s; retry in %.0f s", sms_id, doc, err, delay)

    def check_alerts(self, now: dt.datetime | None = None) -> None:
        now = now or utcnow()
        cutoff = iso(now - dt.timedelta(seconds=self.alert_after))
        failing = self.conn.execute(
            "SELECT COUNT(*), MIN(first_error_at) FROM sync_sms WHERE state='failed' OR "
            "(state IN ('pending', 'stored') AND first_error_at IS NOT NULL AND first_error_at <= ?)", (cutoff,)).fetchone()
        if failing[0]:
            self.store.outbox.raise_alert("sms.failing", "sms_failing",
                                          f"{failing[0]} SMS не надіслано (з {failing[1] or '-'}) / {failing[0]} SMS "
                                          f"not sent (since {failing[1] or '-'}); see sync-agent status")
        else:
            self.store.outbox.clear_alert("sms.failing")

    def failures(self, limit: int = 20) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT document_id, kind, state, attempts, first_error_at, last_error FROM sync_sms "
            "WHERE state='failed' OR last_error IS NOT NULL AND state != 'sent' ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [dict(zip(("document_id", "kind", "state", "attempts", "since", "last_error"), r, strict=True)) for r in rows]


class _StorageLost(DeviceError):
    code = "storage_lost"
