"""Finding an appeal's answer for the resident who brings the receipt (or types the number).

First this terminal's store: the sync agent has already downloaded answers to appeals taken
here (table ``sync_answers``, files in the spool, checked against their SHA-256). Otherwise the
terminal asks the city server on demand (an appeal taken at another terminal), with short
timeouts: the resident is waiting, and a server that does not answer means "status unknown
here", not a frozen screen.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from . import access
from .access import AccessDenied, AccessLocked
from .messages import STATUS_WORDS
from .numbering import AppealNumber
from .store import Store

log = logging.getLogger(__name__)


class AnswerClient(Protocol):
    def appeal(self, number: str, code: str | None = None) -> dict[str, Any]: ...

    def download(self, url: str, dest: Path, *, sha256: str, size: int | None = None,
                 code: str | None = None) -> Path: ...


# Wrong receipt codes at this terminal (docs/receipt.md): a number locks after NUMBER_TRIES
# within WINDOW_S, the terminal's lookups after TERMINAL_TRIES within WINDOW_S.
NUMBER_TRIES = 5
TERMINAL_TRIES = 20
WINDOW_S = 900.0


class AccessKeys:
    """Checks receipt codes at the terminal and counts the wrong ones (in the store)."""

    def __init__(self, store: Store, clock: Any = time.time) -> None:
        self.store, self.clock = store, clock

    def _locked(self, number: AppealNumber) -> None:
        per_number, total = self.store.access_failures(number.compact, self.clock() - WINDOW_S)
        if per_number >= NUMBER_TRIES or total >= TERMINAL_TRIES:
            raise AccessLocked(number, "locked: too many wrong codes", 0)

    def _failed(self, number: AppealNumber, why: str) -> None:
        per_number, total = self.store.access_failures(number.compact, self.clock() - WINDOW_S)
        scope = "number" if per_number + 1 >= NUMBER_TRIES else "terminal" if total + 1 >= TERMINAL_TRIES else None
        self.store.record_access_failure(number.compact, self.clock(), locked=scope)
        if scope:
            log.warning("receipt code locked for appeal %s (%s)", number.display, scope)
            raise AccessLocked(number, "locked: too many wrong codes", 0)
        raise AccessDenied(number, why, NUMBER_TRIES - per_number - 1)

    def check_format(self, compact: str, code: str) -> None:
        """For an appeal of another terminal (the server checks the code): locked? well-formed?"""
        number = _number(compact)
        self._locked(number)
        try:
            access.normalize(code)
        except access.CodeError:
            self._failed(number, "malformed code")

    def check(self, compact: str, code: str, encoded: str) -> None:
        number = _number(compact)
        self._locked(number)
        if not access.verify(code, encoded):
            self._failed(number, "wrong code")
        self.store.clear_access_failures(compact)

    def succeeded(self, compact: str) -> None:
        self.store.clear_access_failures(compact)

    def server_refused(self, compact: str, refusal: str) -> None:
        number = _number(compact)
        if refusal == "access_locked":
            raise AccessLocked(number, "locked at the server", 0)
        self._failed(number, "wrong code (server)")


def _number(compact: str) -> AppealNumber:
    from .numbering import parse

    return parse(compact)




@dataclass
class AnswerLookup:
    number: AppealNumber
    state: str                        # committed | delivered | imported | registered | answered | unknown
    deadline: dt.date | None
    registration_index: str | None
    pdf: bytes | None                 # the answer, when it has come
    source: str                       # local | server | none
    detail: str = ""                  # why the server could not tell (for the technician's log)

    @property
    def answer_available(self) -> bool:
        return self.pdf is not None

    def words(self, lang: str = "uk") -> str:
        uk, en = STATUS_WORDS.get(self.state, (self.state, self.state))
        return uk if lang == "uk" else en


def local_answer(store: Store, number: AppealNumber) -> bytes | None:
    """The latest answer kept in this terminal's store (None when none is, or it left after printing)."""
    kept = store.outbox.answers(number.compact)
    return store.spool.read(kept[-1]["file"]) if kept else None


def server_answer(client: AnswerClient, number: AppealNumber, code: str | None = None) -> tuple[dict[str, Any], bytes | None]:
    """The server's view of the appeal and, if answered, the answer PDF (checksum verified).
    ``code``: the receipt's access code, which the server asks for another terminal's appeal."""
    info = client.appeal(number.compact, code)
    answer = info.get("answer")
    if not answer:
        return info, None
    with tempfile.TemporaryDirectory() as tmp:
        dest = client.download(answer["url"], Path(tmp) / "answer.pdf", sha256=answer["sha256"], size=answer.get("size"),
                               code=code)
        return info, dest.read_bytes()
