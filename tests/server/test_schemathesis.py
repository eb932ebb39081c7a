"""Fuzz the OpenAPI description with schemathesis against the live server: no 5xx, every response
inside the schema (status code, content type, body). Bounded: a few examples per operation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.server.citysrv_helpers import Server

# Part-1 operations; part-2 instruments widen this (e.g. "^/api/(terminal|map|petitions)/").
PATH_REGEX = "^/api/(terminal|map)/"


def test_openapi_fuzz(server: Server, tmp_path: Path) -> None:
    token = server.token("050")  # its own terminal: fuzzed heartbeats do not disturb other tests
    cli = Path(sys.executable).with_name("schemathesis")
    proc = subprocess.run(
        [str(cli), "run", f"{server.url}/api/openapi.json", "-H", f"Authorization: Bearer {token}",
         "--include-path-regex", PATH_REGEX, "-n", "8", "--seed", "7", "--phases", "examples,fuzzing,stateful", "--request-timeout", "10",
         "-c", "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path)
    tail = proc.stdout[-4000:]
    assert proc.returncode == 0, tail
    assert "passed" in tail and "failed" not in tail.split("SUMMARY")[-1].lower().replace("0 failed", ""), tail
