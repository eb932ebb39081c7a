"""Sign-in with BankID: the OAuth 2.0 authorization-code flow as a client.

The provider is configurable (``CITY_SERVER_BANKID_URL``); by default it is this server's own
stand-in at ``/bankid/``. The same code talks to a real provider: authorize redirect, token
exchange server-to-server with client credentials, then the userinfo endpoint.

After each sign-in :data:`signed_in` is sent with the request, the resident and the provider's
claims (never stored here beyond the names): the device flow (server_stub/devflow) takes the
verified identity for a terminal from it. Session keys named in :data:`KEEP_ACROSS_SIGN_IN`
survive the sign-in even when it replaces another person's session.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.dispatch import Signal
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from .models import Resident
from .pages import Pages

logger = logging.getLogger(__name__)
TIMEOUT = (5, 10)
signed_in = Signal()                     # sender=None; request, resident, claims
KEEP_ACROSS_SIGN_IN: set[str] = set()

pages = Pages()


def _provider(request: HttpRequest, server_side: bool) -> str:
    base = settings.BANKID_PROVIDER_URL.rstrip("/")
    if base:
        return base
    # The stand-in on this very server: the browser gets a relative URL, the server an absolute one.
    return request.build_absolute_uri("/bankid").rstrip("/") if server_side else "/bankid"


@pages.route("auth/bankid/", name="bankid-start")
def start(request: HttpRequest) -> HttpResponse:
    state = secrets.token_urlsafe(24)
    nxt = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = "/"
    request.session["bankid_state"] = state
    request.session["bankid_next"] = nxt
    query = urlencode({
        "response_type": "code",
        "client_id": settings.BANKID_CLIENT_ID,
        "redirect_uri": request.build_absolute_uri("/auth/bankid/callback"),
        "scope": "openid profile",
        "state": state,
    })
    return HttpResponseRedirect(f"{_provider(request, server_side=False)}/authorize?{query}")


@pages.route("auth/bankid/callback", name="bankid-callback")
def callback(request: HttpRequest) -> HttpResponse:
    expected = request.session.pop("bankid_state", None)
    if not expected or request.GET.get("state") != expected:
        return HttpResponseBadRequest(_("Sign-in failed: the state does not match. Please try again."))
    if "error" in request.GET or "code" not in request.GET:
        return render(request, "core/signin_failed.html", {"reason": request.GET.get("error", "no code")}, status=400)
    base = _provider(request, server_side=True)
    try:
        token = requests.post(
            f"{base}/token",
            data={"grant_type": "authorization_code", "code": request.GET["code"],
                  "redirect_uri": request.build_absolute_uri("/auth/bankid/callback")},
            auth=(settings.BANKID_CLIENT_ID, settings.BANKID_CLIENT_SECRET),
            timeout=TIMEOUT,
        )
        token.raise_for_status()
        access = token.json()["access_token"]
        info = requests.get(f"{base}/userinfo", headers={"Authorization": f"Bearer {access}"}, timeout=TIMEOUT)
        info.raise_for_status()
        claims = info.json()
    except (requests.RequestException, KeyError, ValueError) as err:
        logger.warning("BankID exchange failed: %s", type(err).__name__)
        return render(request, "core/signin_failed.html", {"reason": "provider"}, status=502)
    user = _user_for(claims)
    nxt = request.session.pop("bankid_next", "/") or "/"
    kept = {key: request.session[key] for key in KEEP_ACROSS_SIGN_IN if key in request.session}
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session.update(kept)
    signed_in.send(sender=None, request=request, resident=user.resident, claims=claims)
    return HttpResponseRedirect(nxt)


def _user_for(claims: dict[str, str]) -> Any:
    from . import identity

    subject = str(claims["sub"])
    try:
        who = identity.from_claims(claims)
        keys = {"identity_key": who.identity_key, "name_key": who.name_key}
    except (identity.IdentityError, ValueError):
        keys = {"identity_key": "", "name_key": ""}  # signs in, but cannot sign, vote or answer (docs/server.md)
    keys["locality"] = identity.locality(claims.get("address"))[:100]
    resident = Resident.objects.select_related("user").filter(subject=subject).first()
    if resident is None:
        user_model = get_user_model()
        user = user_model.objects.create_user(username=f"bankid-{subject}"[:150], password=None,
                                              first_name=claims.get("given_name", "")[:150],
                                              last_name=claims.get("family_name", "")[:150])
        resident = Resident.objects.create(user=user, subject=subject,
                                           family_name=claims.get("family_name", ""),
                                           given_name=claims.get("given_name", ""),
                                           middle_name=claims.get("middle_name", ""),
                                           verified_at=timezone.now(), **keys)
    else:
        resident.verified_at = timezone.now()
        for field, value in keys.items():
            setattr(resident, field, value)
        resident.save(update_fields=["verified_at", *keys])
    return resident.user
