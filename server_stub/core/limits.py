"""Hostile request bodies answer 4xx in the error envelope, never 500.

- a body larger than ``MAX_REQUEST_BODY`` (declared by Content-Length, or found while reading a
  chunked one) gets ``413 payload_too_large`` before any view runs;
- JSON nested deeper than ``MAX_JSON_DEPTH`` (or too deep for the parser itself) gets
  ``422 validation_error``: :func:`loads` is the one JSON reader of request bodies (the API's
  parser and the JSON views use it).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja.parser import Parser

from .envelope import ApiError, error_response


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind the reverse proxy (a request from one of
    PROXY_IPS) the last X-Forwarded-For entry, the one the proxy itself appended."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
    if remote in settings.PROXY_IPS and forwarded:
        return forwarded.split(",")[-1].strip()[:64]
    return remote


class TooDeep(ValueError):
    """The JSON document is nested deeper than MAX_JSON_DEPTH."""


def too_large() -> HttpResponse:
    limit = settings.MAX_REQUEST_BODY
    return error_response(413, "payload_too_large", f"The request body is larger than {limit // (1024 * 1024)} MB",
                          [{"loc": ["body"], "msg": f"at most {limit} bytes"}])


def depth(value: Any) -> int:
    """How deeply lists and objects nest in ``value`` (without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            deepest = max(deepest, level)
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, level)
            stack.extend((v, level + 1) for v in item)
    return deepest


def loads(raw: bytes | str) -> Any:
    """``json.loads`` that raises :class:`TooDeep` for documents nested deeper than MAX_JSON_DEPTH."""
    try:
        value = json.loads(raw)
    except RecursionError as err:
        raise TooDeep("JSON nested too deeply for the parser") from err
    if depth(value) > settings.MAX_JSON_DEPTH:
        raise TooDeep(f"JSON nested deeper than {settings.MAX_JSON_DEPTH} levels")
    return value


def too_deep(err: TooDeep) -> Exception:
    return ApiError(422, "validation_error", str(err), [{"loc": ["body"], "msg": "nesting too deep"}])


class LimitedParser(Parser):
    """django-ninja's parser with the depth limit (body too large: 413 via RequestDataTooBig)."""

    def parse_body(self, request: HttpRequest) -> Any:
        try:
            return loads(request.body)
        except TooDeep as err:
            raise too_deep(err) from err


class BodyLimitMiddleware:
    """First in the chain: 413 for a declared Content-Length over the limit, and for
    RequestDataTooBig raised anywhere below (bodies without a length)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > settings.MAX_REQUEST_BODY:
            return too_large()
        try:
            return self.get_response(request)
        except RequestDataTooBig:
            return too_large()

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return too_large() if isinstance(exception, RequestDataTooBig) else None


def schema_problem(validator: Any, document: Any, top: str = "(document)") -> str | None:
    """``"where: what"`` for the first place ``document`` breaks a jsonschema ``validator``, or None.
    Hostile or personal values are never echoed: the text names the rule broken; a missing property's
    message only names the property."""
    errors = sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.path])
    if not errors:
        return None
    first = errors[0]
    where = "/".join(str(p) for p in first.path) or top
    if first.validator in ("required", "additionalProperties"):
        detail = first.message[:200]
    else:
        rule = first.validator_value if isinstance(first.validator_value, str | int | bool) else "…"
        detail = f"the value breaks '{first.validator}' ({str(rule)[:60]})"
    return f"{where}: {detail}"
