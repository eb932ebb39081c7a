"""The terminal's endpoints of the device authorization grant, in OAuth's own wire format (form
bodies in, RFC 6749 §5.2 errors out), and the RFC 8414 metadata that publishes them.

    GET  /.well-known/oauth-authorization-server
    POST /oauth/device_authorization            (RFC 8628 §3.1)
    POST /oauth/token                           (RFC 8628 §3.4)
    POST /oauth/device_authorization/cancel     (ours: the kiosk session ended)

Terminals authenticate exactly as on /api/terminal/v1/: ``Authorization: Bearer <terminal token>``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from server_stub.core.pages import Pages
from server_stub.terminals.models import TerminalCredential
from server_stub.terminals.services import active_credential

from . import services
from .services import OAuthError

pages = Pages()


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def verification_uri(request: HttpRequest) -> str:
    """Where the phone goes: CITY_SERVER_DEVICE_VERIFICATION_URL, or /device on the address the
    terminal reached."""
    return settings.DEVICE_VERIFICATION_URL or f"{base_url(request)}/device"


def _json(body: dict[str, Any], status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


def _error(err: OAuthError) -> JsonResponse:
    response = _json({"error": err.error, "error_description": err.description}, err.status)
    if err.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="city-server", error="invalid_token"'
    return response


def terminal_endpoint(view: Callable[[HttpRequest, TerminalCredential], dict[str, Any]]
                      ) -> Callable[[HttpRequest], HttpResponse]:
    """POST only, no CSRF (no cookies here), the terminal's bearer credential or 401, OAuth errors."""
    @csrf_exempt
    @require_POST
    def wrapped(request: HttpRequest) -> HttpResponse:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        credential = active_credential(token.strip()) if scheme.lower() == "bearer" else None
        try:
            if credential is None:
                raise OAuthError("invalid_client", "a terminal's active credential is required "
                                 "(Authorization: Bearer ...)", 401)
            return _json(view(request, credential))
        except OAuthError as err:
            return _error(err)
    wrapped.__name__ = wrapped.__qualname__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@pages.route(".well-known/oauth-authorization-server", name="oauth-metadata")
@require_GET
def metadata(request: HttpRequest) -> JsonResponse:
    """RFC 8414 §2-3."""
    base = base_url(request)
    response = JsonResponse({
        "issuer": base,
        "device_authorization_endpoint": f"{base}/oauth/device_authorization",
        "token_endpoint": f"{base}/oauth/token",
        "grant_types_supported": [services.GRANT_TYPE],
        "scopes_supported": list(services.SCOPES),
        "response_types_supported": [],
        "token_endpoint_auth_methods_supported": ["bearer_terminal_credential"],
        "device_authorization_cancel_endpoint": f"{base}/oauth/device_authorization/cancel",
    })
    response["Cache-Control"] = "public, max-age=3600"
    return response


@pages.route("oauth/device_authorization", name="oauth-device-authorization")
@terminal_endpoint
def device_authorization(request: HttpRequest, credential: TerminalCredential) -> dict[str, Any]:
    """RFC 8628 §3.1-3.2."""
    started = services.start(credential, request.POST.get("scope", "identity").strip() or "identity")
    uri = verification_uri(request)
    return {"device_code": started["device_code"], "user_code": started["user_code"], "verification_uri": uri,
            "verification_uri_complete": f"{uri}?user_code={started['user_code']}",
            "expires_in": started["expires_in"], "interval": started["interval"]}


@pages.route("oauth/device_authorization/cancel", name="oauth-device-cancel")
@terminal_endpoint
def cancel(request: HttpRequest, credential: TerminalCredential) -> dict[str, Any]:
    """The kiosk session ended (the resident left, cancelled, or took the typed path)."""
    if not request.POST.get("device_code"):
        raise OAuthError("invalid_request", "device_code is required")
    return {"status": services.cancel(credential.terminal, request.POST["device_code"])}


@pages.route("oauth/token", name="oauth-token")
@terminal_endpoint
def token(request: HttpRequest, credential: TerminalCredential) -> dict[str, Any]:
    """RFC 8628 §3.4-3.5: errors while pending, then the identity, once."""
    if request.POST.get("grant_type") != services.GRANT_TYPE:
        raise OAuthError("unsupported_grant_type", f"grant_type must be {services.GRANT_TYPE}")
    if not request.POST.get("device_code"):
        raise OAuthError("invalid_request", "device_code is required")
    return services.poll(credential.terminal, request.POST["device_code"])
