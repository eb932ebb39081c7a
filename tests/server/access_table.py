"""Who may reach what: the one table of allowed callers (``access_table.toml``), walked by
test_access_table.py.

Every URL pattern of the URL configuration (``PAGES``), every operation of the OpenAPI document
(``API``) and every model in /admin/ (``ADMIN``) has an entry; a new one without an entry fails the
test. An entry names the callers that get past authentication and permission checks; everyone else
must be refused (401, 403, or a redirect to a sign-in page). Object-level rules (a report only for its
author, an unpublished petition only for moderators) answer 404 and are tested where they live.

Callers: ``anonymous``; ``resident`` (signed in through the BankID stand-in); ``terminal`` (a
terminal's bearer token); the staff roles of server_stub/core/roles.py by their demo user names.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

ANON, RESIDENT, TERMINAL = "anonymous", "resident", "terminal"
ROLES = ("moderator", "official", "budget", "operator", "publisher", "secretary", "technician", "admin")
CALLERS = (ANON, RESIDENT, TERMINAL, *ROLES)

EVERYONE = frozenset(CALLERS)
NOBODY: frozenset[str] = frozenset()
SIGNED_IN = frozenset({RESIDENT, *ROLES})  # any session (a terminal has none)
RESIDENTS = frozenset({RESIDENT})
TERMINALS = frozenset({TERMINAL})


def staff(*roles: str) -> frozenset[str]:
    """The roles named, and the administrator (who holds every permission)."""
    unknown = set(roles) - set(ROLES)
    assert not unknown, unknown
    return frozenset({*roles, "admin"})


# Example values for path parameters (missing objects answer 404, which is past the checks).
PATH_VALUES = {"pk": "1", "year": "2026", "number": "0170000011", "answer_id": "0" * 32, "slug": "x",
               "pos": "1", "index": "1", "resource": "motions", "rid": "1", "token": "x", "name": "x",
               "filename": "x.csv", "fmt": "json", "code": "x", "tok": "x", "rest": "nothing-here",
               "path": "nothing-here.png", "z": "14", "x": "9787", "y": "5625"}
UUID = "00000000-0000-4000-8000-000000000000"

# /admin/: the index lets in every staff user; each model's list (GET .../<model>/) only the roles
# holding its view permission (Django's own check of the role's model permissions).
ADMIN_INDEX = frozenset(ROLES)
GROUPS = {"everyone": EVERYONE, "nobody": NOBODY, "signed in": SIGNED_IN, "residents": RESIDENTS,
          "terminals": TERMINALS, "staff": ADMIN_INDEX}


def callers(entry: Any) -> frozenset[str]:
    """A group's name, or a list of staff roles (with the administrator)."""
    if isinstance(entry, str):
        return GROUPS[entry]
    return staff(*entry)


_TABLE = tomllib.loads((Path(__file__).with_name("access_table.toml")).read_text(encoding="utf-8"))
# URL patterns (as Django prints them) -> {method: callers let through}
PAGES: dict[str, dict[str, frozenset[str]]] = {
    route: {method: callers(who) for method, who in methods.items()} for route, methods in _TABLE["pages"].items()}
# OpenAPI operations (method, path) -> callers let through
API: dict[tuple[str, str], frozenset[str]] = {
    tuple(operation.split(" ", 1)): callers(who) for operation, who in _TABLE["api"].items()}  # type: ignore[misc]
ADMIN: dict[str, frozenset[str]] = {model: callers(who) for model, who in _TABLE["admin"].items()}
