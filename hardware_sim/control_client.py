"""The one client of a running bench's control API (docs/testers.md): it finds the API through the
bench's ``endpoints.json`` and sends JSON requests. Used by ``hardware-sim``'s own commands,
``kioskctl test-scan --sim`` and the tests, so that the wire format lives in one place.

Errors: :class:`ControlError`, with :class:`BenchNotFound` (no ``endpoints.json`` or no address in
it) and :class:`BenchUnreachable` (nothing answers) below it. An error answer of the API keeps its
HTTP status and the ``code`` of its error envelope.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any


class ControlError(Exception):
    """The control API answered with an error, or could not be reached."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class BenchNotFound(ControlError):
    """No bench is running in that folder (no ``endpoints.json``, or no control address in it)."""


class BenchUnreachable(ControlError):
    """The control API named in ``endpoints.json`` does not answer."""


def control_url(workdir: str | Path) -> str:
    """The control API's base URL (ending in ``/``) of the bench running in ``workdir``."""
    path = Path(workdir) / "endpoints.json"
    try:
        endpoints = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise BenchNotFound(f"no bench running in {workdir} (no endpoints.json); start one with: "
                            f"hardware-sim start --dir {workdir}") from err
    except (OSError, ValueError) as err:
        raise BenchNotFound(f"{path}: cannot read it ({err})") from err
    control = endpoints.get("control") or {}
    url = control.get("url")
    if not url and control.get("port"):
        url = f"http://{control.get('host', '127.0.0.1')}:{control['port']}"
    if not url:
        raise BenchNotFound(f"{path} names no control API address")
    return str(url).rstrip("/") + "/"


class ControlClient:
    """JSON requests to one bench's control API, each with a timeout."""

    def __init__(self, url: str, timeout: float = 15.0) -> None:
        self.url = url.rstrip("/") + "/"
        self.timeout = timeout

    @classmethod
    def for_bench(cls, workdir: str | Path, timeout: float = 15.0) -> ControlClient:
        return cls(control_url(workdir), timeout)

    def call(self, method: str, path: str, body: dict[str, Any] | None = None,
             timeout: float | None = None) -> Any:
        """Send ``body`` as JSON (none for a GET) and return the decoded answer (None when empty)."""
        url = self.url + path.lstrip("/")
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"} if data is not None else {})
        try:
            with urllib.request.urlopen(req, timeout=timeout or self.timeout) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as err:
            try:
                envelope = json.loads(err.read())["error"]
                message, code = str(envelope.get("message", envelope)), envelope.get("code")
            except (ValueError, KeyError, TypeError, AttributeError):
                message, code = f"{method} {path}: HTTP {err.code}", None
            raise ControlError(message, status=err.code, code=code) from err
        except (urllib.error.URLError, OSError) as err:
            raise BenchUnreachable(f"the bench at {self.url} does not answer ({err}); is it running?") from err
        return json.loads(raw) if raw else None

    def get(self, path: str, timeout: float | None = None) -> Any:
        return self.call("GET", path, timeout=timeout)

    def post(self, path: str, body: dict[str, Any] | None = None, timeout: float | None = None) -> Any:
        return self.call("POST", path, {} if body is None else body, timeout=timeout)
