"""The technician's PIN: PBKDF2-SHA256 with a random salt, stored as
``pbkdf2_sha256$<iterations>$<salt hex>$<hash hex>`` in ``service.pin_hash``; lockout after
``service.max_pin_attempts`` wrong PINs for ``service.lockout`` seconds. No Qt here."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

ITERATIONS = 200_000


def hash_pin(pin: str, *, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    if not (pin.isdigit() and 4 <= len(pin) <= 12):
        raise ValueError("the PIN must be 4 to 12 digits")
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, iterations)
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        algo, iters, salt_hex, hash_hex = stored.split("$")
        if algo != "pbkdf2_sha256":
            return False
        digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt_hex), int(iters))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest.hex(), hash_hex)


@dataclass
class PinGate:
    max_attempts: int
    lockout_s: float
    failures: int = 0
    locked_until: float = 0.0

    def locked_for(self, now: float | None = None) -> int:
        left = self.locked_until - (now if now is not None else time.monotonic())
        return max(0, round(left + 0.49)) if left > 0 else 0

    def record(self, ok: bool, now: float | None = None) -> None:
        if ok:
            self.failures = 0
            return
        self.failures += 1
        if self.failures >= self.max_attempts:
            self.locked_until = (now if now is not None else time.monotonic()) + self.lockout_s
            self.failures = 0

    @property
    def left(self) -> int:
        return self.max_attempts - self.failures
