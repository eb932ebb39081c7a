"""The technician's PIN: the hashing and the lockout live in :mod:`kiosk_app.core.pin` (the
lockout is kept in the terminal store); re-exported here for the UI and ``kioskctl set-pin``."""

from kiosk_app.core.pin import ITERATIONS, PinGate, hash_pin, verify_pin

__all__ = ["ITERATIONS", "PinGate", "hash_pin", "verify_pin"]
