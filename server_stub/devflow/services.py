"""The device authorization grant (RFC 8628) as plain functions: the terminal's side (start, poll,
cancel) and the phone's (look a user code up, attach the BankID sign-in, approve or deny).

Codes: the device code is 32 random bytes (``secrets.token_urlsafe``), the user code 8 letters of
``ALPHABET`` (20^8 ≈ 2.6·10^10); both are stored only as SHA-256. A user code binds to the first
resident who signs in with it; a device code is exchanged for the identity once. Wrong user codes
are counted per client address (:func:`locked`, :func:`record_wrong_code`).

Nothing here logs a name, a number of a person, an address or a code.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from server_stub.core.identity import IdentityError, normal_rnokpp
from server_stub.terminals.models import Terminal, TerminalCredential

from .models import DeviceAuthorization, WrongUserCode

logger = logging.getLogger(__name__)

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code"
SCOPES = ("identity",)
ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"          # RFC 8628 §6.1: no vowels, no look-alike digits
SLOW_DOWN_STEP_S = 5                       # RFC 8628 §3.5
SLOW_DOWN_SLACK_S = 0.5                    # a poll this much early still counts as on time
KEEP_AFTER_EXPIRY = timedelta(hours=1)     # so the phone can say "expired" rather than "unknown"
ACCESS_TOKEN_TTL_S = 600
# Cyrillic letters that look like the Latin ones of the alphabet (a phone keyboard may be Ukrainian)
_LOOKALIKE = str.maketrans({"В": "B", "С": "C", "Н": "H", "К": "K", "М": "M", "Р": "P", "Т": "T", "Х": "X",
                            "Ь": "B"})
DATA_FIELDS = (("surname", "Прізвище", "Surname"), ("given_name", "Ім'я", "Given name"),
               ("patronymic", "По батькові", "Patronymic"), ("birthdate", "Дата народження", "Date of birth"),
               ("rnokpp", "РНОКПП (ідентифікаційний код)", "Taxpayer number (RNOKPP)"),
               ("document_number", "Номер паспорта або ID-картки", "Passport or ID card number"),
               ("address", "Зареєстроване місце проживання", "Registered address"))


class OAuthError(Exception):
    """An RFC 6749 §5.2 / RFC 8628 §3.5 error: ``{"error": code, "error_description": ...}``."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def normalize_user_code(text: str) -> str | None:
    compact = re.sub(r"[\s\-‐‑–—_.]", "", text or "").upper().translate(_LOOKALIKE)
    if len(compact) != 8 or any(ch not in ALPHABET for ch in compact):
        return None
    return compact


def display_user_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def purge(now: datetime | None = None) -> None:
    """Forget long-expired authorizations and wipe the identity of expired ones."""
    now = now or timezone.now()
    DeviceAuthorization.objects.filter(expires_at__lt=now - KEEP_AFTER_EXPIRY).delete()
    DeviceAuthorization.objects.filter(expires_at__lt=now).exclude(claims=None).update(claims=None)
    WrongUserCode.objects.filter(at__lt=now - timedelta(minutes=settings.DEVICE_CODE_LOCK_MIN)).delete()


# --- the terminal's side ------------------------------------------------------------------------
def start(credential: TerminalCredential, scope: str) -> dict[str, Any]:
    """RFC 8628 §3.1-3.2: a new device code and user code for the credential's terminal."""
    if scope not in SCOPES:
        raise OAuthError("invalid_scope", f"scope must be one of: {' '.join(SCOPES)}")
    now = timezone.now()
    purge(now)
    ttl, interval = settings.DEVICE_CODE_TTL_S, settings.DEVICE_POLL_INTERVAL_S
    for _attempt in range(5):
        device_code = secrets.token_urlsafe(32)
        user_code = "".join(secrets.choice(ALPHABET) for _ in range(8))
        try:
            with transaction.atomic():
                row = DeviceAuthorization.objects.create(
                    device_code_sha256=sha256(device_code), user_code_sha256=sha256(user_code),
                    terminal=credential.terminal, credential=credential, scope=scope, created_at=now,
                    expires_at=now + timedelta(seconds=ttl), interval=interval)
        except IntegrityError:          # a user code still remembered came up again
            continue
        logger.info("device authorization %s started by terminal %s", row.pk, credential.terminal.code)
        return {"device_code": device_code, "user_code": display_user_code(user_code),
                "expires_in": ttl, "interval": interval}
    raise OAuthError("temporarily_unavailable", "could not make a unique user code; try again", 503)


def _own(terminal: Terminal, device_code: str) -> DeviceAuthorization:
    row = DeviceAuthorization.objects.select_for_update().filter(device_code_sha256=sha256(device_code or "")).first()
    if row is None or row.terminal_id != terminal.pk:
        raise OAuthError("invalid_grant", "unknown device_code, or one issued to another terminal")
    return row


def poll(terminal: Terminal, device_code: str) -> dict[str, Any]:
    """RFC 8628 §3.4-3.5: the identity once approved (once only), else an :class:`OAuthError`
    (raised after the transaction, which keeps the poll's time and interval, has committed)."""
    with transaction.atomic():
        result = _poll(terminal, device_code)
    if isinstance(result, OAuthError):
        raise result
    return result


def _poll(terminal: Terminal, device_code: str) -> dict[str, Any] | OAuthError:
    from server_stub.cabinet.services import log_access

    row = _own(terminal, device_code)
    now = timezone.now()
    if row.status in (row.EXCHANGED, row.CANCELLED):
        return OAuthError("invalid_grant", f"this device_code was already {row.status}")
    if row.status == row.DENIED:
        return OAuthError("access_denied", "the resident declined on the phone")
    if now >= row.expires_at:
        DeviceAuthorization.objects.filter(pk=row.pk).update(claims=None)
        return OAuthError("expired_token", "the device_code has expired; start again")
    if row.status == row.PENDING:
        early = row.last_poll_at is not None and \
            (now - row.last_poll_at).total_seconds() < row.interval - SLOW_DOWN_SLACK_S
        row.last_poll_at = now
        if early:
            row.interval += SLOW_DOWN_STEP_S
        row.save(update_fields=["last_poll_at", "interval"])
        if early:
            return OAuthError("slow_down", f"polled faster than the interval; wait {row.interval} s between polls")
        return OAuthError("authorization_pending", "the resident has not approved yet")
    identity, resident = row.claims, row.resident
    DeviceAuthorization.objects.filter(pk=row.pk).update(status=row.EXCHANGED, claims=None, exchanged_at=now)
    when = timezone.localtime(now).strftime("%H:%M")
    log_access([resident], f"Термінал {terminal.code} / Terminal {terminal.code}",
               f"отримав ваші дані особи з BankID о {when} / received your identity at {when}")
    logger.info("device authorization %s: identity handed to terminal %s", row.pk, terminal.code)
    return {"token_type": "Bearer", "access_token": secrets.token_urlsafe(32), "expires_in": ACCESS_TOKEN_TTL_S,
            "scope": row.scope, "identity": identity}


@transaction.atomic
def cancel(terminal: Terminal, device_code: str) -> str:
    """The kiosk session ended: the code can no longer be approved; any identity is wiped."""
    row = _own(terminal, device_code)
    status = row.status if row.status == row.EXCHANGED else row.CANCELLED
    DeviceAuthorization.objects.filter(pk=row.pk).update(status=status, claims=None)
    logger.info("device authorization %s cancelled by terminal %s", row.pk, terminal.code)
    return status


# --- the phone's side ---------------------------------------------------------------------------
def locked(address: str) -> bool:
    since = timezone.now() - timedelta(minutes=settings.DEVICE_CODE_LOCK_MIN)
    return WrongUserCode.objects.filter(address=address, at__gte=since).count() >= settings.DEVICE_CODE_TRIES


def record_wrong_code(address: str) -> None:
    WrongUserCode.objects.create(address=address)
    if locked(address):
        logger.warning("user code entry locked for a client address after %d wrong codes", settings.DEVICE_CODE_TRIES)


def by_user_code(user_code: str) -> DeviceAuthorization | None:
    return DeviceAuthorization.objects.select_related("terminal", "credential").filter(
        user_code_sha256=sha256(user_code)).first()


def state(row: DeviceAuthorization, resident: Any = None) -> str:
    """What the phone may do with this authorization: ``ok`` (sign in / decide), or why not:
    ``ended`` (the kiosk session ended), ``revoked``, ``expired``, ``used``, ``approved``, ``denied``."""
    if row.status == row.CANCELLED:
        return "ended"
    if TerminalCredential.objects.filter(pk=row.credential_id, revoked_at__isnull=False).exists():
        return "revoked"
    if row.resident_id is not None and (resident is None or row.resident_id != resident.pk):
        return "used"
    if row.status in (row.APPROVED, row.EXCHANGED):
        return "approved" if resident is not None else "used"
    if row.status == row.DENIED:
        return "denied" if resident is not None else "used"
    if timezone.now() >= row.expires_at:
        return "expired"
    return "ok"


def identity(claims: dict[str, Any], at: datetime) -> dict[str, Any]:
    """The contract's identity object from the provider's userinfo claims."""
    def text(*names: str) -> str:
        return next((str(claims[n]).strip()[:300] for n in names if claims.get(n)), "")

    try:        # the one RNOKPP check of the server (python-stdnum: ten digits and the check digit)
        rnokpp = normal_rnokpp(text("rnokpp", "inn"))
    except IdentityError:
        rnokpp = None
    born = text("birthdate")
    try:
        born = date.fromisoformat(born).isoformat()
    except ValueError:
        born = ""
    return {"surname": text("family_name"), "given_name": text("given_name"), "patronymic": text("middle_name"),
            "birthdate": born or None, "rnokpp": rnokpp,
            "document_number": text("document_number")[:32] or None, "address": " ".join(text("address").split()),
            "verified_by": "bankid", "verified_at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}


@transaction.atomic
def attach(pk: int, resident: Any, claims: dict[str, Any]) -> str:
    """The resident signed in through BankID for this authorization: bind it to them (the first
    one only) and keep their identity until they decide. Returns :func:`state`."""
    row = DeviceAuthorization.objects.select_for_update().filter(pk=pk).first()
    if row is None:
        return "expired"
    now_state = state(row, resident)
    if now_state == "ok":
        now = timezone.now()
        DeviceAuthorization.objects.filter(pk=row.pk).update(resident=resident, claims=identity(claims, now),
                                                             signed_in_at=now)
        logger.info("device authorization %s: resident signed in on the phone", row.pk)
    return now_state


@transaction.atomic
def decide(pk: int, resident: Any, approve: bool) -> str:
    """Approve or deny on the phone; returns ``approved`` / ``denied``, or :func:`state` when not possible."""
    row = DeviceAuthorization.objects.select_for_update().filter(pk=pk).first()
    if row is None:
        return "expired"
    now_state = state(row, resident)
    if now_state != "ok" or row.resident_id != resident.pk or row.claims is None:
        return now_state if now_state != "ok" else "signin"
    if approve:
        DeviceAuthorization.objects.filter(pk=row.pk).update(status=row.APPROVED, decided_at=timezone.now())
    else:
        DeviceAuthorization.objects.filter(pk=row.pk).update(status=row.DENIED, claims=None, decided_at=timezone.now())
    logger.info("device authorization %s %s on the phone", row.pk, "approved" if approve else "denied")
    return "approved" if approve else "denied"
