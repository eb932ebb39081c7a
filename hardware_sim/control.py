"""The bench's control API and test-bench page: a small threaded HTTP server (stdlib only).

JSON endpoints (errors are one envelope: ``{"error": {"code": ..., "message": ...}}``):

    GET  /api/state          every device's state and faults, the paper path
    GET  /api/endpoints      where each device listens (the same as endpoints.json)
    POST /api/feed           {"files": ["/abs/sheet1.png", ...], "blank": 0} or multipart files
    POST /api/fault          {"device": "modem", "fault": "no_sim"}  (scanner: optional "after_pages": N)
    POST /api/clear          {"device": "modem", "fault": "no_sim"}   (no fault: clear all)
    GET  /api/receipts       receipts the receipt printer printed (png, txt, text)
    GET  /api/jobs           form printer jobs (pdf, pngs, state)
    GET  /api/sms            SMS the modem sent (one per complete message)
    GET  /api/bin            the archive bin: sets, sheets, their labels
    POST /api/bin/empty      the technician empties the bin
    POST /api/barcode        {"code": "0170001235-01"}: the handheld reader scans it
    POST /api/shutdown       stop the bench (what ``hardware-sim stop`` calls)
    GET  /files/<path>       a file under the bench's folder (receipt PNGs, job pages)
    GET  /                   the test-bench page (HTML forms post to the same endpoints)

A POST with a form body (from the page) answers with a redirect back to ``/``; with JSON, JSON.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import logging
import mimetypes
import threading
import urllib.parse
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from hardware_sim.bench import Bench, BenchError
from hardware_sim.control_page import render_page

log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024 * 1024


class ControlServer:
    def __init__(self, bench: Bench, host: str = "127.0.0.1", port: int = 8765,
                 on_shutdown: Callable[[], None] | None = None) -> None:
        self.bench = bench
        self.on_shutdown = on_shutdown
        handler = type("BoundHandler", (_Handler,), {"server_ref": self})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.host, self.port = self.httpd.server_address[:2]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def start(self) -> None:
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="control-api", daemon=True)
        self._thread.start()
        log.info("control API and test-bench page on %s", self.url)

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


class _Handler(BaseHTTPRequestHandler):
    server_ref: ControlServer
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY: the body, written after the headers, goes at once; with Nagle on it waited on a
    # kept-alive connection for the client's delayed ACK (40 ms an answer)
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    @property
    def bench(self) -> Bench:
        return self.server_ref.bench

    # -- responses ------------------------------------------------------------------------------
    def _send(self, status: int, body: bytes, ctype: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, data: Any, status: int = 200) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False, indent=1, default=str).encode(),
                   "application/json; charset=utf-8")

    def _error(self, status: int, code: str, message: str) -> None:
        if self._is_form():
            self._redirect(message)
            return
        self._json({"error": {"code": code, "message": message}}, status)

    def _redirect(self, message: str = "") -> None:
        loc = "/" + ("?msg=" + urllib.parse.quote(message) if message else "")
        self._send(HTTPStatus.SEE_OTHER, b"", "text/plain", {"Location": loc})

    # -- requests -------------------------------------------------------------------------------
    def _is_form(self) -> bool:
        ctype = self.headers.get("Content-Type", "")
        return self.command == "POST" and (ctype.startswith("application/x-www-form-urlencoded")
                                           or ctype.startswith("multipart/form-data"))

    def _body(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            raise BenchError("request too large", "too_large")
        return self.rfile.read(n) if n else b""

    def _params(self) -> tuple[dict[str, Any], list[tuple[str, bytes]]]:
        """(fields, uploaded files as (filename, bytes)) from JSON, a urlencoded or a multipart body."""
        ctype = self.headers.get("Content-Type", "")
        raw = self._body()
        if ctype.startswith("multipart/form-data"):
            msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + raw)
            fields: dict[str, Any] = {}
            files: list[tuple[str, bytes]] = []
            for part in msg.iter_parts():
                name = part.get_param("name", header="content-disposition")
                filename = part.get_filename()
                payload = part.get_payload(decode=True) or b""
                if filename:
                    if payload:
                        files.append((Path(filename).name, payload))
                elif name:
                    fields[str(name)] = payload.decode("utf-8", "replace")
            return fields, files
        if ctype.startswith("application/x-www-form-urlencoded"):
            return {k: v[-1] for k, v in urllib.parse.parse_qs(raw.decode()).items()}, []
        if not raw.strip():
            return {}, []
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as err:
            raise BenchError(f"the body is not JSON: {err}", "bad_json") from err
        if not isinstance(data, dict):
            raise BenchError("the body must be a JSON object", "bad_json")
        return data, []

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        b = self.bench
        try:
            routes: dict[str, Callable[[], Any]] = {
                "/api/state": b.state, "/api/endpoints": b.endpoints, "/api/receipts": b.receipts,
                "/api/jobs": b.jobs, "/api/sms": b.sms, "/api/bin": b.bin,
            }
            if path in routes:
                self._json(routes[path]())
            elif path == "/":
                query = urllib.parse.parse_qs(url.query)
                html = render_page(b, message=query.get("msg", [""])[0],
                                   refresh=int(query.get("refresh", ["0"])[0] or 0))
                self._send(200, html.encode("utf-8"), "text/html; charset=utf-8")
            elif path.startswith("/files/"):
                self._file(urllib.parse.unquote(path[len("/files/"):]))
            else:
                self._error(404, "not_found", f"no such page: {path}")
        except BenchError as err:
            self._error(400, err.code, str(err))
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as err:
            log.exception("GET %s failed", path)
            self._error(500, "internal", f"{type(err).__name__}: {err}")

    def _file(self, rel: str) -> None:
        root = self.bench.workdir.resolve()
        target = (root / rel).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            self._error(404, "not_found", "no such file")
            return
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        self._send(200, target.read_bytes(), ctype)

    def do_POST(self) -> None:
        path = urllib.parse.urlsplit(self.path).path.rstrip("/")
        b = self.bench
        try:
            params, files = self._params()
            if path == "/api/fault":
                after = params.get("after_pages")
                try:
                    after_pages = float(after) if after not in (None, "") else None
                except (TypeError, ValueError) as err:
                    raise BenchError("after_pages: a number of pages", "bad_request") from err
                result: Any = b.inject(str(params.get("device", "")), str(params.get("fault", "")), after_pages)
                note = f"{params.get('device')}: {params.get('fault')} — увімкнено / injected"
            elif path == "/api/clear":
                fault = params.get("fault") or None
                result = b.clear(str(params.get("device", "")), str(fault) if fault else None)
                note = f"{params.get('device')}: {fault or 'усі / all'} — знято / cleared"
            elif path == "/api/feed":
                result = {"sheets": self._feed(params, files)}
                note = f"Подано аркушів / sheets fed: {len(result['sheets'])}"
            elif path == "/api/bin/empty":
                result = b.empty_bin()
                note = f"Бокс спорожнено / bin emptied: {result['emptied_sheets']}"
            elif path == "/api/barcode":
                result = b.scan_barcode(str(params.get("code", "")).strip())
                note = f"Зчитано / scanned: {result['code']}"
            elif path == "/api/shutdown":
                result, note = {"stopping": True}, "stopping"
                if self.server_ref.on_shutdown is not None:
                    threading.Timer(0.2, self.server_ref.on_shutdown).start()
            else:
                self._error(404, "not_found", f"no such endpoint: POST {path}")
                return
        except BenchError as err:
            self._error(400, err.code, str(err))
            return
        except Exception as err:
            log.exception("POST %s failed", path)
            self._error(500, "internal", f"{type(err).__name__}: {err}")
            return
        if self._is_form():
            self._redirect(note)
        else:
            self._json(result)

    def _feed(self, params: dict[str, Any], files: list[tuple[str, bytes]]) -> list[int]:
        paths: list[str | Path] = []
        listed = params.get("files") or []
        if isinstance(listed, str):
            listed = [listed]
        paths.extend(str(p) for p in listed)
        if files:
            upload = self.bench.workdir / "fed"
            upload.mkdir(parents=True, exist_ok=True)
            for i, (name, data) in enumerate(files):
                target = upload / f"{len(list(upload.iterdir())) + i:04d}-{name}"
                target.write_bytes(data)
                paths.append(target)
        try:
            blank = int(params.get("blank") or 0)
        except ValueError as err:
            raise BenchError("blank: a number of sheets", "bad_request") from err
        if not paths and blank <= 0:
            raise BenchError("nothing to feed: give files (paths or uploads) or blank=N", "bad_request")
        lines = params.get("lines")
        return self.bench.feed(paths, blank=min(blank, 50), lines=lines if isinstance(lines, list) else None)


__all__ = ["ControlServer"]
