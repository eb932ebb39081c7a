"""The device flow's polling arithmetic (kiosk_app.core.device_flow), unit level: when the terminal
asks, how the interval grows on ``slow_down``, when a code is over at the terminal. The clock is
a test clock and the server a small scripted HTTP server (TEST FIXTURE, never used end to end:
tests/identity/test_device_flow_server.py runs the same flow against the real city server)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests

from kiosk_app.core.device_flow import DeviceFlow
from kiosk_app.core.server_client import ServerClient, Timeouts

CLAIMS = {"surname": "Бондаренко", "given_name": "Іван", "patronymic": "Миколайович", "birthdate": "1985-07-21",
          "rnokpp": "3124845676", "document_number": "004512345", "address": "м. Дніпро, просп. Поля, 10",
          "verified_by": "bankid", "verified_at": "2026-12-05T17:00:00Z"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Scripted:
    """Answers the token endpoint from a script, one answer a request; records the clock at each."""

    def __init__(self, clock: Clock, expires_in: int = 300, interval: int = 5) -> None:
        self.clock, self.expires_in, self.interval = clock, expires_in, interval
        self.script: list[tuple[int, dict[str, Any]]] = []
        self.polls: list[float] = []
        self.cancelled: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:
                pass

            def do_POST(self) -> None:
                form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
                if self.headers.get("Authorization") != "Bearer tc_017_test":
                    status, body = 401, {"error": "invalid_client", "error_description": "no"}
                elif self.path == "/oauth/device_authorization":
                    status, body = 200, {"device_code": "d" * 43, "user_code": "BDFH-KMNP",
                                         "verification_uri": "http://x/device",
                                         "verification_uri_complete": "http://x/device?user_code=BDFH-KMNP",
                                         "expires_in": outer.expires_in, "interval": outer.interval}
                elif self.path == "/oauth/device_authorization/cancel":
                    outer.cancelled.append(form["device_code"][0])
                    status, body = 200, {"status": "cancelled"}
                else:
                    assert form["device_code"] == ["d" * 43]
                    outer.polls.append(outer.clock.now)
                    status, body = outer.script.pop(0) if outer.script else (400, {"error": "authorization_pending",
                                                                                   "error_description": "wait"})
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def error(code: str) -> tuple[int, dict[str, Any]]:
    return 400, {"error": code, "error_description": code}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def server(clock: Clock) -> Iterator[Scripted]:
    s = Scripted(clock)
    yield s
    s.stop()


def flow_for(server: Scripted, clock: Clock, token: str = "tc_017_test") -> DeviceFlow:
    client = ServerClient(requests.Session(), server.url, token, timeouts=Timeouts(2, 2, 2))
    return DeviceFlow(client, clock=clock)


def test_never_sooner_than_the_interval_and_slow_down_adds_five_seconds_for_good(server: Scripted, clock: Clock) -> None:
    server.script = [error("authorization_pending"), error("slow_down"), error("authorization_pending"),
                     (200, {"token_type": "Bearer", "access_token": "x", "expires_in": 600, "scope": "identity",
                            "identity": CLAIMS})]
    flow = flow_for(server, clock)
    st = flow.start()
    assert (st.state, st.user_code, st.next_poll_in, st.expires_in) == ("pending", "BDFH-KMNP", 5.0, 300.0)
    for t in (0.0, 1.0, 4.9):                      # asked early: nothing goes to the server
        clock.now = 1000.0 + t
        st = flow.poll()
        assert st.state == "pending" and st.next_poll_in == pytest.approx(5.0 - t)
    assert server.polls == []
    clock.now = 1005.0
    assert flow.poll().next_poll_in == 5.0 and server.polls == [1005.0]        # authorization_pending
    clock.now = 1010.0
    st = flow.poll()                                                            # slow_down: 5 + 5
    assert (st.state, st.next_poll_in, flow.interval) == ("pending", 10.0, 10.0)
    clock.now = 1015.0
    assert flow.poll().next_poll_in == 5.0 and len(server.polls) == 2           # not yet: 10 s now
    clock.now = 1020.0
    st = flow.poll()                                                            # pending again: still 10 s
    assert (st.state, st.next_poll_in, server.polls) == ("pending", 10.0, [1005.0, 1010.0, 1020.0])
    clock.now = 1030.0
    st = flow.poll()
    assert st.state == "approved" and st.identity is not None and st.identity.surname == "Бондаренко"
    assert "Бондаренко" not in repr(st) and "3124845676" not in repr(st)       # a log line shows no claims
    again = flow.poll()                                                         # once only, and no request
    assert again.state == "approved" and again.identity is None and len(server.polls) == 4


def test_wait_sleeps_exactly_the_intervals(server: Scripted, clock: Clock) -> None:
    server.script = [error("authorization_pending"), error("slow_down"), error("access_denied")]
    flow = flow_for(server, clock)
    flow.start()
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        clock.now += s

    assert flow.wait(sleep).state == "denied"
    assert slept == [5.0, 5.0, 10.0]
    assert server.polls == [1005.0, 1010.0, 1020.0]


def test_the_code_ends_at_its_expiry_at_the_terminal_without_asking(server: Scripted, clock: Clock) -> None:
    server.expires_in = 12
    flow = flow_for(server, clock)
    assert flow.start().expires_in == 12
    clock.now = 1010.0
    st = flow.poll()
    assert st.state == "pending" and st.next_poll_in == 2.0                   # capped at the code's end
    clock.now = 1012.0
    assert flow.poll().state == "expired"
    assert server.polls == [1010.0]                                            # none at the end


@pytest.mark.parametrize("answer, state", [(error("access_denied"), "denied"), (error("expired_token"), "expired"),
                                           (error("invalid_grant"), "invalid"), (error("invalid_request"), "refused"),
                                           ((401, {"error": "invalid_client", "error_description": "x"}), "refused"),
                                           ((503, {}), "unavailable"),
                                           ((200, {"identity": {**CLAIMS, "surname": "Smith"}}), "unusable"),
                                           ((200, {"identity": {**CLAIMS, "verified_by": "someone"}}), "unusable")])
def test_each_end_of_a_flow(server: Scripted, clock: Clock, answer: tuple[int, dict[str, Any]], state: str) -> None:
    server.script = [answer]
    flow = flow_for(server, clock)
    flow.start()
    clock.now = 1005.0
    st = flow.poll()
    assert st.state == state and st.done and st.identity is None
    assert flow.device_code == ""                              # forgotten
    clock.now = 1100.0
    assert flow.poll().state == state and len(server.polls) == 1


def test_the_server_going_away_mid_poll(server: Scripted, clock: Clock) -> None:
    flow = flow_for(server, clock)
    flow.start()
    clock.now = 1005.0
    assert flow.poll().state == "pending"
    server.stop()
    clock.now = 1010.0
    st = flow.poll()
    assert st.state == "unavailable" and "ServerUnavailable" in st.detail and flow.device_code == ""


def test_a_refused_terminal_gets_no_code(server: Scripted, clock: Clock) -> None:
    st = flow_for(server, clock, token="tc_017_revoked").start()
    assert st.state == "refused" and st.user_code == "" and "401" in st.detail


def test_cancel_tells_the_server_once(server: Scripted, clock: Clock) -> None:
    flow = flow_for(server, clock)
    flow.start()
    assert flow.cancel().state == "cancelled"
    assert flow.cancel().state == "cancelled"
    assert server.cancelled == ["d" * 43]
    clock.now = 1005.0
    assert flow.poll().state == "cancelled" and server.polls == []
