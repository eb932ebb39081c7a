"""The SMS gateway interface (server_stub/contact/sms.py): the HTTP gateway against a local HTTP server
speaking the documented wire format, and the stand-in outbox."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from server_stub.contact.sms import HttpGateway, OutboxGateway, SmsError


class _Gateway(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # the name http.server calls
        got = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.got.append((self.headers.get("Authorization"), got))  # type: ignore[attr-defined]
        status = 200 if got["to"].startswith("+380") else 422
        out = json.dumps({"id": "gw-1"} if status == 200 else {"error": "bad number"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture()
def gateway_url() -> Iterator[tuple[str, list[Any]]]:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Gateway)
    srv.got = []  # type: ignore[attr-defined]
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_port}/send", srv.got  # type: ignore[attr-defined]
    srv.shutdown()
    t.join(5)


def test_http_gateway_posts_json_with_the_token(gateway_url: tuple[str, list[Any]]) -> None:
    url, got = gateway_url
    assert HttpGateway(url, "s3cret").send("+380501234567", "Заявка № 5: в роботі.") == "gw-1"
    assert got == [("Bearer s3cret", {"to": "+380501234567", "text": "Заявка № 5: в роботі."})]
    with pytest.raises(SmsError, match="HTTP 422"):
        HttpGateway(url, "s3cret").send("12345", "x")
    with pytest.raises(SmsError):
        HttpGateway("http://127.0.0.1:9/send", "", timeout=2).send("+380501234567", "x")


def test_outbox_writes_one_file_per_message(tmp_path: Path) -> None:
    box = OutboxGateway(tmp_path / "sms-outbox")
    first = box.send("+380501234567", "Заявка № 1: зареєстровано.")
    box.send("+380501234567", "Заявка № 1: в роботі.")
    files = sorted((tmp_path / "sms-outbox").iterdir())
    assert len(files) == 2 and not [f for f in files if f.name.startswith(".")]
    one = json.loads((tmp_path / "sms-outbox" / f"{first}.json").read_text(encoding="utf-8"))
    assert (one["to"], one["text"]) == ("+380501234567", "Заявка № 1: зареєстровано.")
