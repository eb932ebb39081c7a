"""Shared by the part-2 instruments: API auth by resident session and person keys (staff operations
check a named permission: server_stub.core.roles.staff_auth).

A *person key* is an HMAC of a stable identifier under the server's secret: rows can be unique per
person (one signature, one vote, one survey answer) without storing who the person is in clear.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from ninja import Schema
from ninja.security import SessionAuth
from pydantic import Field

from server_stub.core.api import ApiError


def person_key(purpose: str, value: str) -> str:
    return salted_hmac(f"city-server.{purpose}", value, algorithm="sha256").hexdigest()


class PaperPerson(Schema):
    """Who filled a paper form, as written on it (server_stub/core/identity.py makes the keys; nothing of it is
    stored in clear but the public name of a petition signer)."""

    full_name: str = Field(min_length=3, max_length=300)
    birthdate: date | None = None
    rnokpp: str = Field("", max_length=14)
    registration: str = Field("", max_length=300, description="the registered address declared on the form")


class PaperBatch(Schema):
    place: str = Field(min_length=2, max_length=120, description="the terminal or office that took the forms")


def resident_name(resident: Any) -> str:
    return " ".join(p for p in (resident.family_name, resident.given_name, resident.middle_name) if p)


class ResidentAuth(SessionAuth):
    """A resident verified through BankID (``request.user.resident``); CSRF-checked like any session."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if not user.is_authenticated:
            raise ApiError(401, "unauthorized", "Sign in with BankID first (/auth/bankid/)")
        if not hasattr(user, "resident"):
            raise ApiError(403, "forbidden", "Only residents verified through BankID may do this")
        return user


class AnyUserAuth(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not request.user.is_authenticated:
            raise ApiError(401, "unauthorized", "Sign in first")
        return request.user


resident_auth = ResidentAuth()
user_auth = AnyUserAuth()
