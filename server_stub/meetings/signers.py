"""Pluggable signature verification. The qualified electronic signature of a real deployment plugs in
here; ``ed25519-test`` (PyNaCl) stands in for it in tests and demos.

A verifier checks ``signature`` (hex) over ``payload`` (bytes) against the participant's registered
``public_key`` (hex). Payloads are canonical JSON (:func:`canonical`).
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from django.conf import settings
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey


def canonical(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class Verifier(Protocol):
    name: str

    def verify(self, public_key: str, payload: bytes, signature: str) -> bool: ...


class Ed25519TestVerifier:
    name = "ed25519-test"

    def verify(self, public_key: str, payload: bytes, signature: str) -> bool:
        try:
            VerifyKey(bytes.fromhex(public_key)).verify(payload, bytes.fromhex(signature))
        except (BadSignatureError, ValueError, TypeError):
            return False
        return True


class Ed25519TestSigner:
    """The participant's side of the test signer (what a signing app would do with a qualified key)."""

    def __init__(self, seed: bytes):
        self.key = SigningKey(seed)

    @property
    def public_key(self) -> str:
        return self.key.verify_key.encode().hex()

    def sign(self, payload: bytes) -> str:
        return self.key.sign(payload).signature.hex()


VERIFIERS: dict[str, Verifier] = {"ed25519-test": Ed25519TestVerifier()}


def verifier() -> Verifier:
    return VERIFIERS[settings.MEETINGS_SIGNER]
