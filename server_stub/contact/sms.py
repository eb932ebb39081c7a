"""SMS to residents through a gateway (setting CITY_SERVER_SMS_GATEWAY; docs/server.md "SMS gateway").

The interface is one call, ``send(phone, text) -> message id``, raising :class:`SmsError`. Two
implementations: the stand-in :class:`OutboxGateway` (default: one JSON file per message in
``<data dir>/sms-outbox``, where a tester or a test reads it) and :class:`HttpGateway`, which POSTs
``{"to": "+380...", "text": "..."}`` as JSON with ``Authorization: Bearer <CITY_SERVER_SMS_TOKEN>`` to the
operator's URL and takes the ``id`` of a 2xx JSON answer. Phone numbers are never logged.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import requests
from django.conf import settings


class SmsError(Exception):
    """The gateway did not take the message."""


class SmsGateway(Protocol):
    def send(self, phone: str, text: str) -> str: ...


class OutboxGateway:
    """The stand-in: writes each message atomically as ``<id>.json`` into ``folder``."""

    def __init__(self, folder: Path):
        self.folder = folder

    def send(self, phone: str, text: str) -> str:
        msg_id = uuid.uuid4().hex
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.folder / f".{msg_id}.tmp"
            tmp.write_text(json.dumps({"id": msg_id, "to": phone, "text": text,
                                       "at": datetime.now(UTC).isoformat()}, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.folder / f"{msg_id}.json")
        except OSError as err:
            raise SmsError(type(err).__name__) from err
        return msg_id


class HttpGateway:
    def __init__(self, url: str, token: str, session: requests.Session | None = None, timeout: float = 10):
        self.url, self.token, self.timeout = url, token, timeout
        self.session = session or requests.Session()

    def send(self, phone: str, text: str) -> str:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            r = self.session.post(self.url, json={"to": phone, "text": text}, headers=headers, timeout=self.timeout)
        except requests.RequestException as err:
            raise SmsError(type(err).__name__) from err
        if not 200 <= r.status_code < 300:
            raise SmsError(f"HTTP {r.status_code}")
        try:
            return str(r.json()["id"])
        except (ValueError, KeyError, TypeError) as err:
            raise SmsError("answer without an id") from err


def gateway() -> SmsGateway:
    """The configured gateway; an unknown setting is a configuration error naming the choices."""
    conf = settings.SMS_GATEWAY
    if conf == "outbox":
        return OutboxGateway(Path(settings.DATA_DIR) / "sms-outbox")
    if conf.startswith(("http://", "https://")):
        return HttpGateway(conf, settings.SMS_GATEWAY_TOKEN)
    raise ValueError(f"CITY_SERVER_SMS_GATEWAY: {conf!r} is neither 'outbox' nor an http(s) URL")
