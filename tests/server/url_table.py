"""The city server's resolved URL table, as Django matches it: one row per URL pattern, in order.

Run inside the server's Django (``manage shell -c``), as tests/server/test_url_table.py and
test_access_table.py do. A row is
``[route, kind, name, namespace, view]``: the full pattern string (prefixes joined), ``path`` or
``re_path``, the URL name, the namespace path (``"edms"``, ``None``) and the view's dotted name.
Django's admin and django-ninja's API are mounts of their own, listed as one ``include`` row each
(their insides are pinned by test_access_table.py against the admin registry and the OpenAPI document).

After a deliberate change of the pages, write the table again (and review its diff):

    .venv/bin/python -m server_stub.cli manage shell -c "from tests.server.url_table import write; write()"
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

EXPECTED = Path(__file__).with_name("url_table.json")
OWN_MOUNTS = ("admin", "ninja")  # app_name of the includes walked no further


def _walk(patterns: list[Any], prefix: str, namespace: str | None, whole: bool) -> Iterator[list[str | None]]:
    from django.urls import URLResolver
    from django.urls.resolvers import RegexPattern

    for p in patterns:
        route = prefix + str(p.pattern)
        kind = "re_path" if isinstance(p.pattern, RegexPattern) else "path"
        if isinstance(p, URLResolver):
            inner = ":".join(n for n in (namespace, p.namespace) if n) or None
            if p.app_name in OWN_MOUNTS and not whole:
                yield [route, "include", None, inner, p.app_name]
            else:
                yield from _walk(p.url_patterns, route, inner, whole)
        else:
            yield [route, kind, p.name, namespace, p.lookup_str]


def table(whole: bool = False) -> list[list[str | None]]:
    """Every row of the URL configuration, in the order Django tries them (``whole``: the admin's and
    the API's rows too)."""
    from django.urls import get_resolver

    return list(_walk(get_resolver().url_patterns, "", None, whole))


def dump() -> None:
    """Print the table for a test in another process, after a ``@@`` marker."""
    print("@@" + json.dumps(table()))


def write(path: Path = EXPECTED) -> None:
    """The table as url_table.json, one row a line."""
    path.write_text("[\n" + ",\n".join(json.dumps(row, ensure_ascii=False) for row in table()) + "\n]\n",
                    encoding="utf-8")
