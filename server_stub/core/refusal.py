"""The one exception an instrument's services raise when a rule refuses an action.

The API answers it with its error envelope (``core/api.py``: ``status``, ``code``, ``message``),
so API views call services without translating; HTML views catch it and show ``message``."""

from __future__ import annotations


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def refuse_unless(ok: bool, code: str, message: str, status: int = 409) -> None:
    """Refused(status, code, message) unless ``ok``: a rule checked where the action starts."""
    if not ok:
        raise Refused(status, code, message)
