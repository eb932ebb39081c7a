"""The one error envelope of every non-2xx JSON answer: ``{"error": {"code", "message",
"details"}}`` (pinned by tests/server/test_error_envelope.py), the exception a view raises to
answer with it, and its OpenAPI schema."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from ninja import Schema


class ErrorDetail(Schema):
    loc: list[str | int] = []
    msg: str = ""


class ErrorBody(Schema):
    code: str
    message: str
    details: list[ErrorDetail] = []


class ErrorEnvelope(Schema):
    error: ErrorBody


class ApiError(Exception):
    """Raise from a view to answer with the envelope: ``ApiError(404, "not_found", "...")``."""

    def __init__(self, status: int, code: str, message: str, details: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or []


_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
          409: "conflict", 413: "payload_too_large", 416: "range_not_satisfiable", 422: "validation_error",
          429: "too_many_requests"}


def error_response(status: int, code: str, message: str, details: list[dict[str, Any]] | None = None,
                   headers: dict[str, str] | None = None) -> HttpResponse:
    body = {"error": {"code": code, "message": message, "details": details or []}}
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status,
                            content_type="application/json; charset=utf-8")
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def errors(*statuses: int) -> dict[int, type[ErrorEnvelope]]:
    """The ``response=`` entries that document error statuses with the envelope."""
    return dict.fromkeys(statuses, ErrorEnvelope)
