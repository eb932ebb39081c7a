"""Sign in with BankID on the resident's phone: the terminal's side of the OAuth 2.0 Device
Authorization Grant (RFC 8628) against the city server (docs/terminal-api.md).

:class:`DeviceFlow` asks the server for a code (:meth:`~DeviceFlow.start`), then polls its token
endpoint (:meth:`~DeviceFlow.poll`, at most one request a call), never sooner than the interval
the server gave; ``slow_down`` adds 5 s to that interval for good (RFC 8628 §3.5); the code
expires at ``expires_in`` even if the server says nothing. Every outcome is a :class:`FlowStatus`
(nothing raises), so that a front end across a pipe gets one plain value:

=============  ============================================================================
``pending``     the resident has not approved yet: poll again in ``next_poll_in`` seconds
``approved``    ``identity`` holds the verified claims (:class:`VerifiedIdentity`)
``denied``      the resident pressed Deny on the phone
``expired``     the code's time ran out (here or at the server)
``invalid``     the server does not know the code any more (used, or not this terminal's)
``refused``     the server refused the terminal (401: credential revoked) or the request
``unavailable`` the server cannot be reached (or failed) or none is configured
``unusable``    the claims came but cannot fill an appeal (e.g. a name in Latin letters)
``cancelled``   the kiosk gave up on the flow (the resident chose to type, or left)
=============  ============================================================================

The claims are personal data: they are never logged (:class:`VerifiedIdentity` prints masked),
never stored by this module, and the flow forgets them once handed over.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .applicant import VERIFIERS, ApplicantInvalid, validate

log = logging.getLogger(__name__)

SLOW_DOWN_S = 5.0           # RFC 8628 §3.5: "the interval MUST be increased by 5 seconds"
DEFAULT_INTERVAL_S = 5.0    # RFC 8628 §3.2: when the server gives none
# The server's OAuth error -> our state (RFC 8628 §3.5).
ERROR_STATES = {"access_denied": "denied", "expired_token": "expired", "invalid_grant": "invalid"}
DONE = ("approved", "denied", "expired", "invalid", "refused", "unavailable", "unusable", "cancelled")


@dataclass(frozen=True, repr=False)
class VerifiedIdentity:
    """The claims of a verified identity, as the server's token response gives them."""

    surname: str
    given_name: str
    patronymic: str
    birthdate: str
    rnokpp: str | None
    document_number: str | None
    address: str
    verified_by: str
    verified_at: str

    def __repr__(self) -> str:                       # never the data itself (logs, tracebacks)
        return f"VerifiedIdentity(<verified by {self.verified_by} at {self.verified_at}>)"

    @classmethod
    def from_claims(cls, claims: Any) -> VerifiedIdentity:
        """Raises ValueError naming the claim that is missing or of the wrong type (not its value)."""
        if not isinstance(claims, dict):
            raise ValueError("identity: not an object")

        def text(key: str, *, optional: bool = False) -> str | None:
            v = claims.get(key)
            if v is None and optional:
                return None
            if not isinstance(v, str):
                raise ValueError(f"identity.{key}: missing or not text")
            return v.strip()

        by = text("verified_by")
        if by not in VERIFIERS:
            raise ValueError("identity.verified_by: not a known verifier")
        rnokpp, doc = text("rnokpp", optional=True) or None, text("document_number", optional=True) or None
        if rnokpp is None and doc is None:
            raise ValueError("identity: neither rnokpp nor document_number")
        return cls(text("surname") or "", text("given_name") or "", text("patronymic", optional=True) or "",
                   text("birthdate") or "", rnokpp, doc, text("address") or "", by or "", text("verified_at") or "")

    def applicant_fields(self) -> dict[str, Any]:
        """What the claims fill of an applicant record (kiosk_app.core.applicant.validate)."""
        out: dict[str, Any] = {"surname": self.surname, "name": self.given_name, "patronymic": self.patronymic,
                               "address": self.address}
        if self.rnokpp:
            out.update(idtype="rnokpp", rnokpp=self.rnokpp)
        else:
            out.update(idtype="passport", passport=self.document_number)
        return out

    def values(self) -> list[str]:
        """Every personal value (for the privacy checks: none may survive the session)."""
        return [v for v in (self.surname, self.given_name, self.patronymic, self.birthdate, self.rnokpp,
                            self.document_number, self.address) if v]

    def problems(self) -> list[str]:
        """The fields an appeal cannot take as they are (the names must be Ukrainian letters...)."""
        try:
            validate({**self.applicant_fields(), "kind": "application", "consent": True})
        except ApplicantInvalid as err:
            return [e.field for e in err.errors]
        return []


@dataclass(frozen=True)
class FlowStatus:
    state: str
    user_code: str = ""
    verification_uri: str = ""
    verification_uri_complete: str = ""
    expires_in: float = 0.0          # seconds the code has left, when this status was made
    next_poll_in: float = 0.0        # pending: poll again after this many seconds
    identity: VerifiedIdentity | None = field(default=None)
    detail: str = ""                 # for logs and technicians: never personal data

    @property
    def done(self) -> bool:
        return self.state in DONE


class DeviceFlow:
    """One device authorization, from the code to the claims. ``client``: a
    :class:`~kiosk_app.core.server_client.ServerClient`; ``clock``: seconds, monotonic."""

    def __init__(self, client: Any, *, clock: Callable[[], float] = time.monotonic, scope: str = "identity") -> None:
        self.client, self.clock, self.scope = client, clock, scope
        self.device_code = ""
        self.public: dict[str, str] = {}
        self.interval = DEFAULT_INTERVAL_S
        self.expires_at = 0.0
        self.next_at = 0.0
        self.polls = 0
        self.final: FlowStatus | None = None

    def start(self) -> FlowStatus:
        from .server_client import ServerRefused, ServerUnavailable

        try:
            got = self.client.device_authorization(self.scope)
        except ServerUnavailable as err:
            return self._end("unavailable", type(err).__name__)
        except ServerRefused as err:
            return self._end("refused", f"HTTP {err.status} {err.code}")
        try:
            self.device_code = str(got["device_code"])
            self.public = {k: str(got[k]) for k in ("user_code", "verification_uri", "verification_uri_complete")}
            expires_in = float(got["expires_in"])
            self.interval = float(got.get("interval") or DEFAULT_INTERVAL_S)
        except (KeyError, TypeError, ValueError):
            return self._end("unavailable", "malformed device authorization response")
        if not self.device_code or expires_in <= 0 or self.interval <= 0:
            return self._end("unavailable", "malformed device authorization response")
        now = self.clock()
        self.expires_at = now + expires_in
        self.next_at = now + self.interval
        log.info("device authorization: code issued, expires in %.0f s, interval %.0f s", expires_in, self.interval)
        return self._status("pending")

    def poll(self) -> FlowStatus:
        """At most one token request; none before the interval has passed since the last answer."""
        from .server_client import ServerRefused, ServerUnavailable

        if self.final is not None:
            return self.final
        now = self.clock()
        if now >= self.expires_at:
            return self._end("expired", "the code's time ran out at the terminal")
        if now < self.next_at:
            return self._status("pending")
        self.polls += 1
        try:
            got = self.client.device_token(self.device_code)
        except ServerUnavailable as err:
            return self._end("unavailable", type(err).__name__)
        except ServerRefused as err:
            if err.status == 401:
                return self._end("refused", "HTTP 401: the terminal's credential was refused")
            if err.code in ("authorization_pending", "slow_down"):
                if err.code == "slow_down":
                    self.interval += SLOW_DOWN_S
                    log.info("device authorization: slow_down, interval now %.0f s", self.interval)
                self.next_at = self.clock() + self.interval
                return self._status("pending")
            return self._end(ERROR_STATES.get(err.code, "refused"), f"HTTP {err.status} {err.code}")
        try:
            identity = VerifiedIdentity.from_claims(got.get("identity"))
        except ValueError as err:
            return self._end("unusable", str(err))
        bad = identity.problems()
        if bad:
            return self._end("unusable", f"claims the appeal cannot take: {', '.join(sorted(set(bad)))}")
        return self._end("approved", f"verified by {identity.verified_by}", identity)

    def wait(self, sleep: Callable[[float], None] = time.sleep) -> FlowStatus:
        """Poll until done, sleeping as told (``kioskctl``, tests); the kiosk polls from a timer."""
        status = self.poll()
        while not status.done:
            sleep(status.next_poll_in)
            status = self.poll()
        return status

    def cancel(self) -> FlowStatus:
        """Give up at the terminal; the server is told (best effort) so that the phone says so."""
        if self.final is not None:
            return self.final
        from .server_client import ServerError

        code = self.device_code
        status = self._end("cancelled", "cancelled at the terminal")
        try:
            self.client.device_cancel(code)
        except ServerError as err:
            log.info("telling the server the sign-in was cancelled failed: %s", type(err).__name__)
        return status

    # -- internals -------------------------------------------------------------------------------
    def _status(self, state: str, detail: str = "", identity: VerifiedIdentity | None = None) -> FlowStatus:
        now = self.clock()
        left = max(0.0, self.expires_at - now)
        return FlowStatus(state, self.public.get("user_code", ""), self.public.get("verification_uri", ""),
                          self.public.get("verification_uri_complete", ""), left,
                          min(max(0.0, self.next_at - now), left) if state == "pending" else 0.0, identity, detail)

    def _end(self, state: str, detail: str, identity: VerifiedIdentity | None = None) -> FlowStatus:
        """The flow is over: forget the device code; the status keeps the claims for the caller only."""
        self.device_code = ""
        if state != "approved":
            log.info("device authorization ended: %s (%s)", state, detail)
        else:
            log.info("device authorization approved after %d poll(s)", self.polls)
        status = FlowStatus(state, identity=identity, detail=detail)    # the code is gone from the screen too
        self.final = FlowStatus(state, detail=detail)                    # without the claims
        return status
