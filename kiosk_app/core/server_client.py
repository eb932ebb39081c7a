"""Client of the city server's terminal API (docs/terminal-api.md) on a ``requests.Session``
handed in from outside, with explicit (connect, read) timeouts on every call and the terminal's
bearer credential. Every call is safe to retry: heartbeats by ``sent_at``, events by their
``Idempotency-Key``, reads are reads.

Errors: :class:`ServerUnavailable` (network, timeout, 5xx: retry later) and :class:`ServerRefused`
(4xx: the request itself is wrong; carries the envelope's ``code``, or the OAuth ``error`` of the
device authorization grant, RFC 8628: ``authorization_pending``, ``slow_down``...).

The device authorization grant ("sign in with BankID on your phone", docs/terminal-api.md) is two
calls here, :meth:`ServerClient.device_authorization` and :meth:`ServerClient.device_token`; the
polling around them (interval, ``slow_down``, expiry) is :mod:`kiosk_app.core.device_flow`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import requests

from .spool import sha256_file

log = logging.getLogger(__name__)

API = "/api/terminal/v1/"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


ACCESS_HEADER = "X-Access-Code"     # the receipt's access code (docs/terminal-api.md)


class ServerError(Exception):
    """Base of the client's errors."""


class ServerUnavailable(ServerError):
    """The server could not be reached or failed (timeout, connection, 5xx): retry later."""


class ServerRefused(ServerError):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"HTTP {status} {code}: {message}")
        self.status = status
        self.code = code


class ChecksumMismatch(ServerError):
    pass


@dataclass(frozen=True)
class Timeouts:
    connect: float = 5.0
    read: float = 20.0
    download: float = 60.0


class ServerClient:
    def __init__(self, session: requests.Session, base_url: str, token: str, *, timeouts: Timeouts | None = None,
                 app_version: str = "0.1.0", verify: bool = True) -> None:
        self.session = session
        self.base = base_url.rstrip("/") + "/"
        self.token = token
        self.timeouts = timeouts or Timeouts()
        self.app_version = app_version
        self.verify = verify

    # -- plumbing --------------------------------------------------------------------------------
    def url(self, path: str) -> str:
        return urljoin(self.base, path.lstrip("/")) if not path.startswith("http") else path

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        h = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        h.update(extra or {})
        return h

    def _request(self, method: str, path: str, *, read: float | None = None, headers: dict[str, str] | None = None,
                 **kw: Any) -> requests.Response:
        try:
            resp = self.session.request(method, self.url(path), headers=self._headers(headers), verify=self.verify,
                                        timeout=(self.timeouts.connect, read or self.timeouts.read), **kw)
        except requests.RequestException as err:
            raise ServerUnavailable(f"{method} {path}: {type(err).__name__}: {err}") from err
        if resp.status_code >= 500:
            raise ServerUnavailable(f"{method} {path}: HTTP {resp.status_code}")
        if resp.status_code >= 400:
            try:
                env = resp.json()["error"]
                if isinstance(env, str):         # OAuth 2.0 (RFC 6749 §5.2): {"error": "...", "error_description"}
                    code, message = env, str(resp.json().get("error_description", ""))
                else:
                    code, message = str(env.get("code", "")), str(env.get("message", ""))
            except (ValueError, KeyError, TypeError, AttributeError):
                code, message = "http_error", resp.text[:200]
            raise ServerRefused(resp.status_code, code, message)
        return resp

    def _json(self, resp: requests.Response) -> dict[str, Any]:
        try:
            data = resp.json()
        except ValueError as err:
            raise ServerUnavailable(f"not JSON from {resp.url}") from err
        if not isinstance(data, dict):
            raise ServerUnavailable(f"unexpected JSON from {resp.url}")
        return data

    # -- calls -----------------------------------------------------------------------------------
    def heartbeat(self, body: dict[str, Any]) -> dict[str, Any]:
        payload = {"app_version": self.app_version, **body}
        return self._json(self._request("POST", API + "heartbeat", json=payload))

    def feed(self, cursor: str | None, limit: int = 100) -> dict[str, Any]:
        return self._json(self._request("GET", API + "feed", params={"cursor": cursor or "", "limit": limit}))

    def appeal(self, number: str, code: str | None = None) -> dict[str, Any]:
        """An appeal's status; ``code`` (the receipt's access code) goes in the ``X-Access-Code``
        header, never in the URL, and is required for another terminal's appeal."""
        headers = {ACCESS_HEADER: code} if code else None
        return self._json(self._request("GET", API + f"appeals/{number}", headers=headers))

    def post_event(self, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        return self._json(self._request("POST", API + "events", json=body,
                                        headers={"Idempotency-Key": idempotency_key}))

    def device_authorization(self, scope: str = "identity") -> dict[str, Any]:
        """RFC 8628 §3.1-3.2: a device code, the user code and where the resident enters it."""
        return self._json(self._request("POST", "oauth/device_authorization", data={"scope": scope}))

    def device_token(self, device_code: str) -> dict[str, Any]:
        """RFC 8628 §3.4-3.5: one poll. Pending, ``slow_down``, denial, expiry and a used or foreign
        code are :class:`ServerRefused` with that ``code``; the grant's claims come once."""
        return self._json(self._request("POST", "oauth/token",
                                        data={"grant_type": DEVICE_GRANT, "device_code": device_code}))

    def device_cancel(self, device_code: str) -> dict[str, Any]:
        """The city server's extension (docs/terminal-api.md): the kiosk session ended, so the phone
        is told so and an approval there reaches nobody."""
        return self._json(self._request("POST", "oauth/device_authorization/cancel", data={"device_code": device_code}))

    def download(self, url: str, dest: Path, *, sha256: str, size: int | None = None,
                 progress: Any = None, code: str | None = None) -> Path:
        """Download to ``dest``, resuming from its current length with ``Range``/``If-Range``;
        the whole file is checked against ``sha256`` (and ``X-Content-SHA256``). A mismatch
        removes ``dest`` and raises :class:`ChecksumMismatch`."""
        have = dest.stat().st_size if dest.exists() else 0
        if size is not None and have > size:
            dest.unlink()
            have = 0
        headers = {"Accept": "application/pdf", **({ACCESS_HEADER: code} if code else {})}
        if have and (size is None or have < size):
            headers.update({"Range": f"bytes={have}-", "If-Range": f'"{sha256}"'})
        if size is None or have < size:
            resp = self._request("GET", url, read=self.timeouts.download, headers=headers, stream=True)
            with resp:
                if resp.status_code == 200 and have:
                    log.info("server sent the whole answer again (no resume)")
                    have = 0
                declared = resp.headers.get("X-Content-SHA256")
                if declared and declared.lower() != sha256.lower():
                    raise ChecksumMismatch(f"server says {declared}, feed said {sha256}")
                mode = "ab" if have else "wb"
                with open(dest, mode) as f:
                    try:
                        for chunk in _chunks(resp):
                            f.write(chunk)
                            if progress is not None:
                                progress(len(chunk))
                    except requests.RequestException as err:
                        f.flush()
                        os.fsync(f.fileno())
                        raise ServerUnavailable(f"download interrupted at {f.tell()} bytes: {err}") from err
                    f.flush()
                    os.fsync(f.fileno())
        digest = sha256_file(dest)
        if digest != sha256.lower():
            dest.unlink(missing_ok=True)
            raise ChecksumMismatch(f"answer download: SHA-256 {digest} != {sha256}")
        return dest


def _chunks(resp: requests.Response) -> Iterator[bytes]:
    yield from resp.iter_content(chunk_size=16 * 1024)


def read_token(path: str | Path) -> str:
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8").strip()
    except OSError as err:
        raise ServerError(f"{p}: cannot read the terminal credential: {err.strerror}") from err
