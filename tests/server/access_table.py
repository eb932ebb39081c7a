"""Who may reach what: the one table of allowed callers, walked by test_access_table.py.

Every URL pattern of the URL configuration (``PAGES``), every operation of the OpenAPI document
(``API``) and every model in /admin/ (``ADMIN``) has an entry; a new one without an entry fails the
test. An entry names the callers that get past authentication and permission checks; everyone else
must be refused (401, 403, or a redirect to a sign-in page). Object-level rules (a report only for its
author, an unpublished petition only for moderators) answer 404 and are tested where they live.

Callers: ``anonymous``; ``resident`` (signed in through the BankID stand-in); ``terminal`` (a
terminal's bearer token); the staff roles of server_stub/core/roles.py by their demo user names.
"""

from __future__ import annotations

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

# URL patterns (as Django prints them) -> {method: callers let through}
PAGES: dict[str, dict[str, frozenset[str]]] = {
    "": {"GET": EVERYONE},
    "help/": {"GET": EVERYONE},
    "help/<slug:slug>/": {"GET": EVERYONE},  # "x" is no topic: 404, past the checks
    "i18n/setlang/": {"GET": EVERYONE},
    "accounts/login/": {"GET": EVERYONE},
    "accounts/logout/": {"GET": EVERYONE},  # GET answers 405: signing out is a POST
    "auth/bankid/": {"GET": EVERYONE},
    "auth/bankid/callback": {"GET": EVERYONE},  # 400 without a state: nothing to refuse
    "fleet/": {"GET": staff("technician")},
    # sign-in at a terminal with BankID on the phone (RFC 8414 metadata, RFC 8628 device flow)
    ".well-known/oauth-authorization-server": {"GET": EVERYONE},
    "oauth/device_authorization": {"POST": TERMINALS},
    "oauth/device_authorization/cancel": {"POST": TERMINALS},
    "oauth/token": {"POST": TERMINALS},
    "device": {"GET": EVERYONE, "POST": EVERYONE},        # enter the code; a wrong one counts per address
    "device/confirm": {"GET": RESIDENTS, "POST": RESIDENTS},  # approve / deny after the BankID sign-in
    # the receipt's status link: anyone reaches the page, which asks for the access code; the code
    # itself is the object-level gate (tests/server/test_receipt_code.py)
    "a/<str:number>": {"GET": EVERYONE, "POST": EVERYONE},
    "a/<str:number>/": {"GET": EVERYONE, "POST": EVERYONE},
    "edms/": {"GET": staff("official")},
    "edms/<str:number>/": {"GET": staff("official"), "POST": staff("official")},
    "edms/<str:number>/scan.pdf": {"GET": staff("official")},
    "bankid/authorize": {"GET": EVERYONE},
    # the provider's back channel: OAuth client credentials / an access token, none of these callers
    "bankid/token": {"POST": NOBODY},
    "bankid/userinfo": {"GET": NOBODY},
    "contact/": {"GET": EVERYONE},
    "contact/requests/<int:rid>/": {"GET": EVERYONE, "POST": staff("operator")},
    "contact/operator/": {"GET": staff("operator")},
    "contact/reports/": {"GET": staff("operator")},
    # the link in the closing message: the request's secret token is the object-level gate
    "contact/rate/<uuid:token>/": {"GET": EVERYONE, "POST": EVERYONE},
    "open311/v2/^discovery\\.(?P<fmt>json|xml)$": {"GET": EVERYONE},
    "open311/v2/^services\\.(?P<fmt>json|xml)$": {"GET": EVERYONE},
    "open311/v2/^services/(?P<code>[^/]+?)\\.(?P<fmt>json|xml)$": {"GET": EVERYONE},
    "open311/v2/^requests\\.(?P<fmt>json|xml)$": {"GET": EVERYONE},
    "open311/v2/^requests/(?P<rid>[^/]+?)\\.(?P<fmt>json|xml)$": {"GET": EVERYONE},
    "open311/v2/^tokens/(?P<tok>[^/]+?)\\.(?P<fmt>json|xml)$": {"GET": EVERYONE},
    "opendata/": {"GET": EVERYONE},
    "opendata/^catalog\\.(?P<fmt>jsonld|ttl)$": {"GET": EVERYONE},
    "opendata/usage/": {"GET": EVERYONE},
    # a dataset request or a vote: residents; anyone else is sent to sign in with BankID
    "opendata/requests/": {"GET": EVERYONE, "POST": RESIDENTS},
    "opendata/requests/<int:pk>/vote": {"POST": RESIDENTS},
    "opendata/resources/<uuid:rid>/download/<str:filename>": {"GET": EVERYONE},
    "opendata/<slug:name>/": {"GET": EVERYONE},
    "api/3/action/<str:name>": {"GET": EVERYONE},
    "api/action/<str:name>": {"GET": EVERYONE},
    "map/": {"GET": EVERYONE},
    "map/reports/new/": {"GET": SIGNED_IN},
    "map/reports/<int:pk>/": {"GET": SIGNED_IN},
    "map/moderation/": {"GET": staff("moderator"), "POST": staff("moderator")},
    "map/tiles/<int:z>/<int:x>/<int:y>.png": {"GET": EVERYONE},
    "map/objects/<int:pk>/": {"GET": EVERYONE},
    "map/layers/": {"GET": staff("publisher"), "POST": staff("publisher")},
    "map/layers/<slug:slug>/": {"GET": staff("publisher"), "POST": staff("publisher")},
    "map/proposals/new/": {"GET": SIGNED_IN},
    "petitions/": {"GET": EVERYONE},
    "petitions/new/": {"GET": SIGNED_IN},
    # one page, three roles; a POST without an action is a moderator's
    "petitions/moderation/": {"GET": staff("moderator", "operator", "official"), "POST": staff("moderator")},
    "petitions/<int:pk>/": {"GET": EVERYONE},
    "newsletters/": {"GET": EVERYONE},
    "newsletters/confirm/<str:token>/": {"GET": EVERYONE},
    "newsletters/unsubscribe/<str:token>/": {"GET": EVERYONE},
    "newsletters/compose/": {"GET": staff("publisher"), "POST": staff("publisher")},
    "budget/": {"GET": EVERYONE},
    "budget/new/": {"GET": SIGNED_IN},
    "budget/projects/<int:pk>/": {"GET": EVERYONE},
    "consultations/": {"GET": EVERYONE},
    "consultations/<int:pk>/": {"GET": EVERYONE},
    "surveys/": {"GET": EVERYONE},
    "surveys/<int:pk>/": {"GET": EVERYONE},
    "deputies/": {"GET": EVERYONE},
    "deputies/<int:pk>/": {"GET": EVERYONE},
    "votes/": {"GET": EVERYONE},
    "votes/<int:pk>/": {"GET": EVERYONE},
    "meetings/": {"GET": EVERYONE},
    "meetings/<int:pk>/": {"GET": EVERYONE, "POST": staff("secretary")},
    "cabinet/": {"GET": RESIDENTS},
    "cabinet/services/": {"GET": EVERYONE},
    "open-budget/": {"GET": EVERYONE},
    "open-budget/repairs/": {"GET": EVERYONE},
    "open-budget/procurements/": {"GET": EVERYONE},
    "api/": {"GET": EVERYONE},  # django-ninja's root
    "api/openapi.json": {"GET": EVERYONE},
    "api/docs": {"GET": EVERYONE},
    "^api/(?P<rest>.*)$": {"GET": EVERYONE},
    "^media/public/(?P<path>.*)$": {"GET": EVERYONE},
}

# OpenAPI operations -> callers let through
API: dict[tuple[str, str], frozenset[str]] = {
    ("POST", "/api/terminal/v1/heartbeat"): TERMINALS,
    ("GET", "/api/terminal/v1/feed"): TERMINALS,
    ("GET", "/api/terminal/v1/appeals/{number}"): TERMINALS,
    ("GET", "/api/terminal/v1/answers/{answer_id}.pdf"): TERMINALS,
    ("POST", "/api/terminal/v1/events"): TERMINALS,
    ("GET", "/api/map/layers"): EVERYONE,
    ("GET", "/api/map/layers/{slug}.geojson"): EVERYONE,
    ("GET", "/api/map/reports.geojson"): EVERYONE,
    ("GET", "/api/map/reports/nearby"): EVERYONE,
    ("GET", "/api/petitions/"): EVERYONE,
    ("POST", "/api/petitions/"): RESIDENTS,
    ("GET", "/api/petitions/moderation"): staff("moderator"),
    ("GET", "/api/petitions/export.json"): EVERYONE,
    ("GET", "/api/petitions/export.csv"): EVERYONE,
    ("GET", "/api/petitions/{pk}"): EVERYONE,
    ("POST", "/api/petitions/{pk}/moderate"): staff("moderator"),
    ("POST", "/api/petitions/{pk}/signature"): RESIDENTS,
    ("DELETE", "/api/petitions/{pk}/signature"): RESIDENTS,
    ("GET", "/api/petitions/{pk}/signatures"): EVERYONE,
    ("POST", "/api/petitions/{pk}/paper"): staff("operator"),
    ("POST", "/api/petitions/{pk}/response"): staff("official"),
    ("GET", "/api/petitions/{pk}/jobs"): EVERYONE,
    ("GET", "/api/petitions/{pk}/export.json"): EVERYONE,
    ("GET", "/api/petitions/{pk}/export.csv"): EVERYONE,
    ("GET", "/api/newsletters/topics"): EVERYONE,
    ("POST", "/api/newsletters/subscriptions"): EVERYONE,
    ("POST", "/api/newsletters/confirm"): EVERYONE,
    ("POST", "/api/newsletters/unsubscribe"): EVERYONE,
    ("GET", "/api/newsletters/issues"): EVERYONE,
    ("POST", "/api/newsletters/issues"): staff("publisher"),
    ("POST", "/api/newsletters/issues/{pk}/send"): staff("publisher"),
    ("GET", "/api/budget/cycles"): EVERYONE,
    ("POST", "/api/budget/cycles"): staff("budget"),
    ("GET", "/api/budget/cycles/{year}"): EVERYONE,
    ("POST", "/api/budget/cycles/{year}/phase"): staff("budget"),
    ("GET", "/api/budget/cycles/{year}/projects"): EVERYONE,
    ("POST", "/api/budget/cycles/{year}/projects"): RESIDENTS,
    ("POST", "/api/budget/projects/{pk}/photo"): RESIDENTS,
    ("POST", "/api/budget/projects/{pk}/review"): staff("budget"),
    ("POST", "/api/budget/projects/{pk}/vote"): RESIDENTS,
    ("POST", "/api/budget/cycles/{year}/paper"): staff("operator"),
    ("POST", "/api/budget/projects/{pk}/milestones/{index}/photo"): staff("budget"),
    ("POST", "/api/budget/projects/{pk}/milestones"): staff("budget"),
    ("GET", "/api/consult/consultations"): EVERYONE,
    ("POST", "/api/consult/consultations"): staff("publisher"),
    ("GET", "/api/consult/consultations/{pk}"): EVERYONE,
    ("POST", "/api/consult/consultations/{pk}/comments"): RESIDENTS,
    ("POST", "/api/consult/consultations/{pk}/summary"): staff("publisher"),
    ("GET", "/api/consult/surveys"): EVERYONE,
    ("POST", "/api/consult/surveys"): staff("publisher"),
    ("GET", "/api/consult/surveys/{pk}"): EVERYONE,
    ("POST", "/api/consult/surveys/{pk}/responses"): RESIDENTS,
    ("POST", "/api/consult/surveys/{pk}/paper"): staff("operator"),
    ("POST", "/api/consult/surveys/{pk}/close"): staff("publisher"),
    ("GET", "/api/consult/surveys/{pk}/results"): EVERYONE,
    ("GET", "/api/consult/surveys/{pk}/results.csv"): EVERYONE,
    ("GET", "/api/council/deputies"): EVERYONE,
    ("GET", "/api/council/deputies/by-address"): EVERYONE,
    ("GET", "/api/council/deputies/{pk}"): EVERYONE,
    ("POST", "/api/council/deputies/{pk}/reports"): staff("secretary"),
    ("GET", "/api/council/factions"): EVERYONE,
    ("GET", "/api/council/vote-events"): EVERYONE,
    ("GET", "/api/council/vote-events/{pk}"): EVERYONE,
    ("GET", "/api/council/popolo.json"): EVERYONE,
    ("GET", "/api/council/standard/{resource}.csv"): EVERYONE,
    ("POST", "/api/council/import/popolo"): staff("secretary"),
    ("POST", "/api/council/import/standard"): staff("secretary"),
    ("GET", "/api/meetings/"): EVERYONE,
    ("POST", "/api/meetings/"): staff("secretary"),
    ("GET", "/api/meetings/{pk}"): EVERYONE,
    ("GET", "/api/meetings/{pk}/to-sign"): EVERYONE,
    ("POST", "/api/meetings/{pk}/register"): EVERYONE,  # the deputy's signature is the authorisation
    ("POST", "/api/meetings/{pk}/items/{pos}/open"): staff("secretary"),
    ("POST", "/api/meetings/{pk}/items/{pos}/ballots"): EVERYONE,  # signed by the deputy
    ("POST", "/api/meetings/{pk}/items/{pos}/close"): staff("secretary"),
    ("GET", "/api/meetings/{pk}/ballots"): EVERYONE,
    ("GET", "/api/meetings/{pk}/verify"): EVERYONE,
    ("POST", "/api/meetings/{pk}/close"): staff("secretary"),
    ("GET", "/api/meetings/{pk}/minutes.pdf"): EVERYONE,
    ("GET", "/api/cabinet/me"): RESIDENTS,
    ("POST", "/api/cabinet/appeals"): RESIDENTS,
    ("GET", "/api/cabinet/services"): EVERYONE,
    ("GET", "/api/cabinet/slots"): EVERYONE,
    ("POST", "/api/cabinet/slots"): staff("operator"),
    ("GET", "/api/cabinet/slots/{pk}/bookings"): staff("operator"),
    ("POST", "/api/cabinet/bookings"): RESIDENTS,
    ("POST", "/api/cabinet/bookings/{pk}/cancel"): RESIDENTS,
    ("POST", "/api/open-budget/import/budget"): staff("publisher"),
    ("POST", "/api/open-budget/import/repairs"): staff("publisher"),
    ("GET", "/api/open-budget/years/{year}"): EVERYONE,
    ("GET", "/api/open-budget/over-years"): EVERYONE,
    ("GET", "/api/open-budget/repairs"): EVERYONE,
}

# /admin/: the index lets in every staff user; each model's list (GET .../<model>/) only the roles
# holding its view permission (Django's own check of the role's model permissions).
ADMIN_INDEX = frozenset(ROLES)
ADMIN: dict[str, frozenset[str]] = {
    "auth.user": staff(), "auth.group": staff(),
    "axes.accessattempt": staff(), "axes.accesslog": staff(), "axes.accessfailurelog": staff(),
    "core.resident": staff(),
    "terminals.terminal": staff("technician"), "terminals.terminalcredential": staff("technician"),
    "terminals.terminalevent": staff("technician"), "terminals.appealstatus": staff(),
    "edms.registration": staff(), "edms.additionaldocument": staff(), "edms.importrecord": staff(),
    "edms.executivebody": staff(),
    "bankid.testresident": staff(), "bankid.oauthclient": staff(),
    "contact.servicerequest": staff("operator"), "contact.category": staff("operator"),
    "contact.notice": staff("operator"), "contact.apikey": staff(),
    "opendata.dataset": staff("publisher"), "opendata.group": staff("publisher"), "opendata.tag": staff("publisher"),
    "opendata.resource": staff("publisher"), "opendata.datasetrequest": staff("publisher"),
    "opendata.apitoken": staff(),  # tokens are issued by city-server issue-api-token; the admin sees and revokes
    "citymap.layer": staff("publisher"), "citymap.report": staff("moderator"),
}
