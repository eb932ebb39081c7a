"""Fuzz every operation of the OpenAPI description (all of /api/) with schemathesis against the live
server, once per kind of caller: anonymous, a resident signed in through BankID, staff (the
administrator, who holds every permission) and a terminal. No 5xx; every response inside the
schema (status code, content type, body). Bounded: a few examples per operation."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.server.citysrv_helpers import Server, resident_session, staff_session

PATH_REGEX = "^/api/"
EXAMPLES = "4"


def _session_headers(s: requests.Session, server: Server) -> list[str]:
    if "csrftoken" not in s.cookies:
        s.get(server.url + "/accounts/login/", timeout=20)
    cookies = "; ".join(f"{k}={v}" for k, v in s.cookies.items() if k in ("sessionid", "csrftoken"))
    return ["-H", f"Cookie: {cookies}", "-H", f"X-CSRFToken: {s.cookies['csrftoken']}"]


@pytest.mark.parametrize("caller", ["anonymous", "resident", "staff", "terminal"])
def test_openapi_fuzz(server: Server, tmp_path: Path, caller: str) -> None:
    if caller == "terminal":  # its own terminal: fuzzed heartbeats do not disturb other tests
        headers = ["-H", f"Authorization: Bearer {server.token('050')}"]
    elif caller == "resident":
        headers = _session_headers(resident_session(server, "test-0003"), server)
    elif caller == "staff":
        headers = _session_headers(staff_session(server, "admin"), server)
    else:
        headers = []
    cli = Path(sys.executable).with_name("schemathesis")
    proc = subprocess.run(
        [str(cli), "run", f"{server.url}/api/openapi.json", *headers, "--include-path-regex", PATH_REGEX,
         "-n", EXAMPLES, "--seed", "7", "--phases", "examples,fuzzing", "--request-timeout", "20",
         "-c", "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    tail = proc.stdout[-6000:]
    assert proc.returncode == 0, tail
    operations = requests.get(server.url + "/api/openapi.json", timeout=20).json()["paths"]
    count = sum(1 for item in operations.values() for m in item if m in ("get", "post", "put", "patch", "delete"))
    summary = tail.split("SUMMARY")[-1]
    assert re.search(rf"Selected: {count}/{count}\b", summary) and re.search(rf"Tested: {count}\b", summary), tail
    assert "❌" not in summary and re.search(r"\d+ generated, (\d+) passed", summary), tail
