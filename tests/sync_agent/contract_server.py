"""TEST FIXTURE: a small local HTTP server that follows docs/terminal-api.md (the parts the sync
agent uses), so that the client can be tested without the city server. It is not the city
server: it keeps everything in memory and records every request for the tests to inspect.

Knobs: ``fail_next`` (answer 503 to the next N requests), ``cut_after`` (send only that many
bytes of an answer PDF, then close the connection, once), ``delay`` (sleep before answering),
``tampered`` (answer id -> other bytes served under the published answer's headers and SHA-256,
as a man in the middle would).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

API = "/api/terminal/v1/"


class ContractServer:
    def __init__(self, token: str = "tc_017_test") -> None:
        self.token = token
        self.requests: list[dict[str, Any]] = []
        self.heartbeats: dict[str, str] = {}
        self.events: dict[str, tuple[int, str]] = {}
        self.feed_items: list[dict[str, Any]] = []
        self.answers: dict[str, bytes] = {}
        self.tampered: dict[str, bytes] = {}
        self.fail_next = 0
        self.cut_after: int | None = None
        self.delay = 0.0
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # the body goes at once, not after the client's delayed ACK (40 ms)

            def log_message(self, *a: Any) -> None:
                pass

            def do_GET(self) -> None:
                outer._handle(self, "GET")

            def do_POST(self) -> None:
                outer._handle(self, "POST")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.handle_error = lambda *a: None  # type: ignore[method-assign]  # a client that timed out
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> ContractServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- publishing (what the city would do) ------------------------------------------------------
    def publish_status(self, number: str, status: str, index: str | None = None) -> None:
        self._item("status", number, status, index, None)

    def publish_answer(self, number: str, pdf: bytes, answer_id: str = "a" * 32) -> str:
        self.answers[answer_id] = pdf
        self._item("answer", number, "answered", "К-1", {
            "id": answer_id, "url": f"{API}answers/{answer_id}.pdf", "sha256": hashlib.sha256(pdf).hexdigest(),
            "size": len(pdf), "published_at": "2026-11-30T09:00:00Z", "summary": "Відповідь надано."})
        return answer_id

    def _item(self, type_: str, number: str, status: str, index: str | None, answer: dict[str, Any] | None) -> None:
        with self.lock:
            seq = len(self.feed_items) + 1
            self.feed_items.append({"seq": seq, "type": type_, "number": number, "display_number": number,
                                    "status": status, "registration_index": index, "registered_at": None,
                                    "deadline": "2026-12-28", "at": "2026-11-30T09:00:00Z", "answer": answer})

    # -- the protocol -----------------------------------------------------------------------------
    def _send(self, h: BaseHTTPRequestHandler, code: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        h.send_response(code)
        h.send_header("Content-Type", "application/json" if not isinstance(body, bytes) else "application/pdf")
        h.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)

    def _error(self, h: BaseHTTPRequestHandler, code: int, name: str, message: str) -> None:
        self._send(h, code, {"error": {"code": name, "message": message, "details": []}})

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        url = urlparse(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        with self.lock:
            self.requests.append({"method": method, "path": url.path, "query": parse_qs(url.query),
                                  "headers": dict(h.headers), "body": raw})
            fail = self.fail_next > 0
            if fail:
                self.fail_next -= 1
        if self.delay:
            time.sleep(self.delay)
        if fail:
            self._error(h, 503, "server_error", "try later")
            return
        if h.headers.get("Authorization") != f"Bearer {self.token}":
            self._error(h, 401, "unauthorized", "bad credential")
            return
        path = url.path
        if method == "POST" and path == API + "heartbeat":
            body = json.loads(raw)
            prior = self.heartbeats.get(body["sent_at"])
            if prior is not None and prior != raw.decode():
                self._error(h, 409, "idempotency_conflict", "same sent_at, other body")
                return
            self.heartbeats[body["sent_at"]] = raw.decode()
            self._send(h, 200, {"accepted": True, "duplicate": prior is not None, "server_time": "x",
                                "heartbeat_interval_s": 60})
        elif method == "POST" and path == API + "events":
            key = h.headers.get("Idempotency-Key")
            if not key:
                self._error(h, 400, "bad_request", "Idempotency-Key is required")
                return
            prior_ev = self.events.get(key)
            if prior_ev is not None:
                if prior_ev[1] != raw.decode():
                    self._error(h, 409, "idempotency_conflict", "other body")
                    return
                self._send(h, 200, {"id": prior_ev[0], "duplicate": True, "received_at": "x"})
                return
            self.events[key] = (len(self.events) + 1, raw.decode())
            self._send(h, 201, {"id": len(self.events), "duplicate": False, "received_at": "x"})
        elif method == "GET" and path == API + "feed":
            q = parse_qs(url.query)
            cursor = int((q.get("cursor") or ["0"])[0] or 0)
            limit = int((q.get("limit") or ["100"])[0])
            items = [i for i in self.feed_items if i["seq"] > cursor][:limit]
            nxt = items[-1]["seq"] if items else cursor
            self._send(h, 200, {"items": items, "next_cursor": str(nxt),
                                "has_more": any(i["seq"] > nxt for i in self.feed_items)})
        elif method == "GET" and path.startswith(API + "answers/") and path.endswith(".pdf"):
            self._answer(h, path[len(API + "answers/"):-4])
        else:
            self._error(h, 404, "not_found", path)

    def _answer(self, h: BaseHTTPRequestHandler, answer_id: str) -> None:
        pdf = self.answers.get(answer_id)
        if pdf is None:
            self._error(h, 404, "not_found", answer_id)
            return
        sha = hashlib.sha256(pdf).hexdigest()
        headers = {"Accept-Ranges": "bytes", "ETag": f'"{sha}"', "X-Content-SHA256": sha}
        start = 0
        rng = h.headers.get("Range")
        if rng and (h.headers.get("If-Range") in (None, f'"{sha}"')):
            start = int(rng.split("=")[1].split("-")[0])
            if start >= len(pdf):
                self._send(h, 416, b"", {"Content-Range": f"bytes */{len(pdf)}"})
                return
        body = self.tampered.get(answer_id, pdf)[start:]
        code = 206 if start else 200
        if start:
            headers["Content-Range"] = f"bytes {start}-{len(pdf) - 1}/{len(pdf)}"
        if self.cut_after is not None:
            cut, self.cut_after = self.cut_after, None
            h.send_response(code)
            h.send_header("Content-Type", "application/pdf")
            h.send_header("Content-Length", str(len(body)))
            for k, v in headers.items():
                h.send_header(k, v)
            h.end_headers()
            h.wfile.write(body[:cut])
            h.wfile.flush()
            h.close_connection = True
            return
        self._send(h, code, body, headers)
