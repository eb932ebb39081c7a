"""The one JSON API (django-ninja, OpenAPI at /api/openapi.json) and its one error envelope.

Every non-2xx JSON answer is ``{"error": {"code", "message", "details"}}`` (pinned by
tests/server/test_error_envelope.py). Instrument apps register routers by declaring
``api_prefix`` on their AppConfig and exposing ``router`` in ``<app>/api.py``.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any, TypeVar

from django.apps import apps
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from .envelope import _CODES, ApiError, ErrorEnvelope, error_response
from .envelope import errors as errors  # the API's face: views take ApiError, errors and found from here
from .limits import LimitedParser, too_large
from .refusal import Refused

logger = logging.getLogger(__name__)


T = TypeVar("T")


def found(obj: T | None, message: str) -> T:
    """``obj``, or the 404 ``not_found`` envelope with ``message`` when the lookup found nothing."""
    if obj is None:
        raise ApiError(404, "not_found", message)
    return obj


def ensure_storable(value: Any, loc: str = "body") -> None:
    """422 for text no database column can hold: NUL characters or lone UTF-16 surrogates
    (PostgreSQL refuses both; SQLite would store garbage)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ApiError(422, "validation_error", "NUL characters are not allowed", [{"loc": [loc], "msg": "NUL"}])
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as err:
            raise ApiError(422, "validation_error", "Text is not valid Unicode",
                           [{"loc": [loc], "msg": "lone surrogate"}]) from err
    elif isinstance(value, dict):
        for key, item in value.items():
            ensure_storable(key, loc)
            ensure_storable(item, loc)
    elif isinstance(value, list | tuple):
        for item in value:
            ensure_storable(item, loc)


class CityApi(NinjaAPI):
    """NinjaAPI whose OpenAPI documents the shared error envelope on every operation: 400 (body not
    parsable) and 422 (validation) always, 401 and 403 (a role without the permission, another
    terminal's appeal, a failed CSRF check) where the operation needs credentials, so that
    each app's routes are described truthfully without repeating it."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        ref = {"$ref": "#/components/schemas/ErrorEnvelope"}
        schema.setdefault("components", {}).setdefault("schemas", {}).setdefault(
            "ErrorEnvelope", ErrorEnvelope.model_json_schema(ref_template="#/components/schemas/{model}"))
        for defs_name, defs in ErrorEnvelope.model_json_schema(
                ref_template="#/components/schemas/{model}").get("$defs", {}).items():
            schema["components"]["schemas"].setdefault(defs_name, defs)
        schema["components"]["schemas"]["ErrorEnvelope"].pop("$defs", None)
        for path_item in schema.get("paths", {}).values():
            for method, op in path_item.items():
                if method not in ("get", "post", "put", "patch", "delete"):
                    continue
                responses = op.setdefault("responses", {})
                wanted = ["400", "422"] + (["401", "403"] if op.get("security") else [])
                for status in wanted:
                    responses.setdefault(status, {"description": _DESCRIPTIONS[status], "content": {
                        "application/json": {"schema": ref}}})
        return schema


_DESCRIPTIONS = {"400": "Bad request (body not parsable)", "401": "Credentials missing or invalid",
                 "403": "Not allowed for these credentials (e.g. a role without the permission)",
                 "422": "Validation error"}

api = CityApi(
    parser=LimitedParser(),
    title="City server API",
    version="1",
    description="Terminal API (docs/terminal-api.md), open map GeoJSON and more. "
    "Errors: {\"error\": {\"code\", \"message\", \"details\"}}.",
    urls_namespace="api",
    docs_url="/docs",
)


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error_response(exc.status, exc.code, exc.message, exc.details)


@api.exception_handler(Refused)
def _refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    """A service's rule refused the action (core/refusal.py): its status, code and message."""
    return error_response(exc.status, exc.code, exc.message)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = []
    for err in exc.errors:
        loc = [str(x) if not isinstance(x, int) else x for x in err.get("loc", [])]
        details.append({"loc": loc, "msg": str(err.get("msg", ""))})
    return error_response(422, "validation_error", "The request does not match the schema", details)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(401, "unauthorized", "A valid terminal credential is required (Authorization: Bearer …)",
                          headers={"WWW-Authenticate": 'Bearer realm="city-server"'})


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, ApiError):  # the body parser's own answer (JSON too deep: 422), re-raised as 400
        return _api_error(request, exc.__cause__)
    return error_response(exc.status_code, _CODES.get(exc.status_code, "error"), str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, "not_found", str(exc) or "Not found")


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return too_large()


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("unhandled API error on %s %s", request.method, request.path)
    return error_response(500, "server_error", "Internal server error")


_registered = False


def register_routers() -> NinjaAPI:
    """Mount every app's router once (called from the URLconf)."""
    global _registered
    if not _registered:
        for config in apps.get_app_configs():
            prefix = getattr(config, "api_prefix", None)
            if prefix is None:
                continue
            module = importlib.import_module(f"{config.name}.api")
            api.add_router(prefix, module.router)
        _registered = True
    return api
