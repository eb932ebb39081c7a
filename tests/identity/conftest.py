"""The terminal's side of "sign in with BankID on your phone" against the real city server (a
process on an ephemeral port, short codes and polls) and the resident's phone as a second HTTP
client going through the BankID stand-in (tests/server/test_device_flow.py's ``Phone``)."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk_app.core.config import load_kiosk_config
from kiosk_app.core.device_flow import FlowStatus
from kiosk_app.core.terminal import Terminal
from tests.server.citysrv_helpers import Server, run_server

TTL, INTERVAL = 12, 1         # the server's code lifetime and poll interval in these tests (s)
FAST = {"CITY_SERVER_DEVICE_CODE_TTL": str(TTL), "CITY_SERVER_DEVICE_POLL_INTERVAL": str(INTERVAL),
        "CITY_SERVER_EDMS_INTERVAL": "0"}
_n = itertools.count()


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with run_server(tmp_path_factory.mktemp("city"), [], FAST) as srv:
        yield srv


def kiosk_env(tmp: Path, srv: Server, code: str, token: str | None = None) -> dict[str, str]:
    """The terminal's settings for ``srv``: its code, the server and the credential's file."""
    n = next(_n)
    tok = tmp / f"token-{code}-{n}"
    tok.write_text((token or srv.token(code)) + "\n")
    return {"KIOSK_STORE_DIR": str(tmp / f"store-{code}-{n}"), "KIOSK_SERVER_URL": srv.url,
            "KIOSK_SERVER_TOKEN_FILE": str(tok), "KIOSK_TERMINAL_CODE": str(int(code)),
            "KIOSK_SERVER_READ_TIMEOUT": "5", "KIOSK_INTAKE_OCR": "false"}


@pytest.fixture
def terminal_for(tmp_path: Path) -> Iterator[Callable[..., Terminal]]:
    """An open Terminal (no device is touched) whose server is ``srv``."""
    opened: list[Terminal] = []

    def make(srv: Server, code: str = "017", token: str | None = None) -> Terminal:
        opened.append(Terminal(load_kiosk_config("/nonexistent/kiosk.toml", env=kiosk_env(tmp_path, srv, code, token))))
        return opened[-1]

    yield make
    for t in opened:
        t.close()


def poll_until_done(t: Any, timeout: float = 30) -> tuple[FlowStatus, int]:
    """Poll as the kiosk's screen does (after each status's ``next_poll_in``); the end and the polls."""
    deadline = time.monotonic() + timeout
    polls = 0
    while time.monotonic() < deadline:
        st = t.identity_poll()
        polls += 1
        if st.done:
            return st, polls
        time.sleep(st.next_poll_in)
    raise AssertionError("the sign-in did not end")
