"""The agent's times and its retry delay (capped exponential backoff with jitter).

Times are the store's one format (UTC, milliseconds: :func:`kiosk_app.core.store_base.iso`); the
agent's durable state (key/value, alerts, events owed to the server) lives in the store and is
changed through ``store.outbox`` (:mod:`kiosk_app.core.outbox`).
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass

from kiosk_app.core.store import Store
from kiosk_app.core.store_base import iso, parse_time, utcnow

parse = parse_time

__all__ = ["Backoff", "Retrying", "iso", "parse", "utcnow"]


@dataclass(frozen=True)
class Backoff:
    base: float = 5.0
    cap: float = 600.0
    jitter: float = 0.2

    def delay(self, attempts: int, rng: random.Random | None = None) -> float:
        """Delay before the next try after ``attempts`` failures (1 -> base)."""
        raw = min(self.cap, self.base * (2 ** max(0, min(attempts - 1, 40))))
        r = (rng or random).uniform(-self.jitter, self.jitter)
        return max(0.0, min(self.cap, raw * (1 + r)))


class Retrying:
    """What the agent's retrying workers share (the drop-folder delivery, the SMS sender): the
    store they work from, the delay between tries and how long a failure may last before it is
    an alert."""

    def __init__(self, store: Store, backoff: Backoff | None, alert_after: float) -> None:
        self.store = store
        self.backoff = backoff or Backoff()
        self.alert_after = alert_after

    @property
    def conn(self) -> sqlite3.Connection:
        return self.store.conn
