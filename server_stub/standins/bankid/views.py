"""OAuth 2.0 (RFC 6749) authorization-code endpoints: /bankid/authorize, /bankid/token, /bankid/userinfo."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import timedelta
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from server_stub.core.pages import Pages

from .models import AccessToken, AuthorizationCode, OAuthClient, TestResident

pages = Pages()


def _h(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _oauth_error(error: str, description: str, status: int = 400) -> JsonResponse:
    response = JsonResponse({"error": error, "error_description": description}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _client_for(client_id: str, redirect_uri: str) -> OAuthClient | None:
    client = OAuthClient.objects.filter(client_id=client_id).first()
    if client is None:
        return None
    prefixes = [p.strip() for p in client.redirect_uri_prefixes.splitlines() if p.strip()]
    return client if any(redirect_uri.startswith(p) for p in prefixes) else None


@pages.route("authorize", name="authorize")
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    params = request.POST if request.method == "POST" else request.GET
    client_id, redirect_uri = params.get("client_id", ""), params.get("redirect_uri", "")
    client = _client_for(client_id, redirect_uri)
    if client is None:  # never redirect to an unregistered URI
        return render(request, "bankid/error.html", {"reason": "unknown client or redirect_uri"}, status=400)
    state = params.get("state", "")
    if params.get("response_type") != "code":
        return HttpResponseRedirect(f"{redirect_uri}?{urlencode({'error': 'unsupported_response_type', 'state': state})}")
    if request.method == "POST":
        if "deny" in request.POST:
            return HttpResponseRedirect(f"{redirect_uri}?{urlencode({'error': 'access_denied', 'state': state})}")
        resident = TestResident.objects.filter(pk=request.POST.get("resident") or 0).first()
        if resident is not None:
            code = secrets.token_urlsafe(32)
            AuthorizationCode.objects.create(code_sha256=_h(code), client=client, resident=resident,
                                             redirect_uri=redirect_uri,
                                             expires_at=timezone.now() + timedelta(minutes=5))
            return HttpResponseRedirect(f"{redirect_uri}?{urlencode({'code': code, 'state': state})}")
    return render(request, "bankid/authorize.html", {
        "residents": TestResident.objects.all(), "client_id": client_id, "redirect_uri": redirect_uri,
        "state": state, "scope": params.get("scope", "")})


def _client_credentials(request: HttpRequest) -> tuple[str, str]:
    header = request.headers.get("Authorization", "")
    if header.startswith("Basic "):
        try:
            cid, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            return cid, secret
        except (ValueError, UnicodeDecodeError):
            return "", ""
    return request.POST.get("client_id", ""), request.POST.get("client_secret", "")


@pages.route("token", name="token")
@csrf_exempt
@require_POST
def token(request: HttpRequest) -> JsonResponse:
    cid, secret = _client_credentials(request)
    client = OAuthClient.objects.filter(client_id=cid).first()
    if client is None or not hmac.compare_digest(client.secret_sha256, _h(secret)):
        return _oauth_error("invalid_client", "client authentication failed", 401)
    if request.POST.get("grant_type") != "authorization_code":
        return _oauth_error("unsupported_grant_type", "only authorization_code")
    code = AuthorizationCode.objects.filter(code_sha256=_h(request.POST.get("code", "")), client=client).first()
    if code is None or code.used or code.expires_at < timezone.now() \
            or code.redirect_uri != request.POST.get("redirect_uri", ""):
        return _oauth_error("invalid_grant", "code is invalid, expired, used, or for another redirect_uri")
    updated = AuthorizationCode.objects.filter(pk=code.pk, used=False).update(used=True)
    if not updated:
        return _oauth_error("invalid_grant", "code already used")
    access = secrets.token_urlsafe(32)
    AccessToken.objects.create(token_sha256=_h(access), client=client, resident=code.resident,
                               expires_at=timezone.now() + timedelta(minutes=10))
    response = JsonResponse({"access_token": access, "token_type": "Bearer", "expires_in": 600,
                             "scope": "openid profile"})
    response["Cache-Control"] = "no-store"
    return response


@pages.route("userinfo", name="userinfo")
@require_GET
def userinfo(request: HttpRequest) -> JsonResponse:
    header = request.headers.get("Authorization", "")
    tok = AccessToken.objects.select_related("resident").filter(
        token_sha256=_h(header[7:] if header.startswith("Bearer ") else ""), expires_at__gt=timezone.now()).first()
    if tok is None:
        response = _oauth_error("invalid_token", "missing or expired token", 401)
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return response
    r = tok.resident
    return JsonResponse({"sub": r.subject, "family_name": r.family_name, "given_name": r.given_name,
                         "middle_name": r.middle_name, "name": str(r),
                         "birthdate": r.birthdate.isoformat() if r.birthdate else None, "address": r.address,
                         "rnokpp": r.rnokpp or None, "document_number": r.document_number or None})
