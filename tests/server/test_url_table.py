"""The pages' URL table is what url_table.json says, row for row and in order: every pattern, its
kind, name and namespace and the view it calls (written from the URL lists before the pages moved
to ``@pages.route`` declarations, server_stub/core/pages.py). A page added, renamed, moved to
another namespace or tried in another order shows here; write the table again on purpose
(tests/server/url_table.py says how) and review the diff."""

from __future__ import annotations

import json

from tests.server.citysrv_helpers import Server
from tests.server.url_table import EXPECTED


def test_the_resolved_url_table_is_the_recorded_one(server: Server) -> None:
    got = json.loads(server.shell("from tests.server.url_table import dump; dump()"))
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    missing, extra = [r for r in expected if r not in got], [r for r in got if r not in expected]
    assert (missing, extra) == ([], [])
    assert got == expected  # the same rows, tried in the same order
