"""The technician's PIN: PBKDF2-SHA256 with a random salt, stored as
``pbkdf2_sha256$<iterations>$<salt hex>$<hash hex>`` in ``service.pin_hash``; lockout after
``service.max_pin_attempts`` wrong PINs for ``service.lockout`` seconds. The count and the end of
the lockout (wall-clock time) are kept in the terminal store (:func:`attempt`, called through
``Terminal.service_pin``), so restarting the kiosk does not reset them."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

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
        # never longer than one lockout, even if the clock was set back meanwhile
        left = min(self.locked_until - (now if now is not None else time.time()), self.lockout_s)
        return max(0, round(left + 0.49)) if left > 0 else 0

    def record(self, ok: bool, now: float | None = None) -> None:
        if ok:
            self.failures = 0
            return
        self.failures += 1
        if self.failures >= self.max_attempts:
            self.locked_until = (now if now is not None else time.time()) + self.lockout_s
            self.failures = 0

    @property
    def left(self) -> int:
        return self.max_attempts - self.failures


def attempt(store: Any, pin: str, stored: str, max_attempts: int, lockout_s: float) -> dict[str, Any]:
    """One PIN try against the lockout kept in ``store`` (``Store.pin_lockout``): returns
    ``{"ok", "locked_for", "left", "refused"}``; ``refused``: locked before the PIN was checked."""
    gate = PinGate(max_attempts, lockout_s)
    gate.failures, gate.locked_until = store.pin_lockout()
    locked = gate.locked_for()
    if locked:
        return {"ok": False, "locked_for": locked, "left": 0, "refused": True}
    ok = bool(stored) and verify_pin(pin, stored)
    gate.record(ok)
    store.set_pin_lockout(gate.failures, gate.locked_until)
    return {"ok": ok, "locked_for": gate.locked_for(), "left": gate.left, "refused": False}
