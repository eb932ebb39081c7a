"""The terminal API client lives in :mod:`kiosk_app.core.server_client`: the kiosk looks answers
up with it too, and the kiosk may not import the sync agent. This name stays for scripts."""

from kiosk_app.core.server_client import (
    ChecksumMismatch,
    ServerClient,
    ServerError,
    ServerRefused,
    ServerUnavailable,
    Timeouts,
    read_token,
)

__all__ = ["ChecksumMismatch", "ServerClient", "ServerError", "ServerRefused", "ServerUnavailable", "Timeouts", "read_token"]
