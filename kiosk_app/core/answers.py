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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .numbering import AppealNumber
from .store import Store

log = logging.getLogger(__name__)


class AnswerClient(Protocol):
    def appeal(self, number: str) -> dict[str, Any]: ...

    def download(self, url: str, dest: Path, *, sha256: str, size: int | None = None) -> Path: ...


STATUS_WORDS = {
    "committed": ("прийняте терміналом, передається до системи документообігу", "accepted by the terminal, being handed to the council"),
    "delivered": ("передане до системи документообігу", "handed to the council's document system"),
    "imported": ("зареєстроване, розглядається", "registered, under consideration"),
    "registered": ("зареєстроване, розглядається", "registered, under consideration"),
    "in_progress": ("розглядається", "under consideration"),
    "answered": ("надано відповідь", "answered"),
    "rejected": ("не прийняте системою документообігу: зверніться до техніка", "refused by the document system: please ask staff"),
    "unknown": ("невідоме цьому терміналу; спробуйте пізніше", "not known at this terminal; please try later"),
}


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


def server_answer(client: AnswerClient, number: AppealNumber) -> tuple[dict[str, Any], bytes | None]:
    """The server's view of the appeal and, if answered, the answer PDF (checksum verified)."""
    info = client.appeal(number.compact)
    answer = info.get("answer")
    if not answer:
        return info, None
    with tempfile.TemporaryDirectory() as tmp:
        dest = client.download(answer["url"], Path(tmp) / "answer.pdf", sha256=answer["sha256"], size=answer.get("size"))
        return info, dest.read_bytes()
