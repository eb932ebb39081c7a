"""Words for the resident: every fault and wait as a plain sentence and what to do next,
Ukrainian first. The technician's view and the logs keep the device detail; this module is the
one place that maps error codes to words (the UI, kioskctl and the tests read it); the words
themselves are in ``messages.toml`` beside it."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from devices.errors import DeviceError


@dataclass(frozen=True)
class Message:
    code: str
    uk: str
    en: str
    action_uk: str = ""
    action_en: str = ""
    staff: bool = False          # the resident cannot fix it: a technician is called

    def text(self, lang: str = "uk", sheet: int | None = None) -> str:
        """The sentence and what to do; ``{sheet}`` in it becomes the sheet's number."""
        main, action = (self.uk, self.action_uk) if lang == "uk" else (self.en, self.action_en)
        out = f"{main} {action}".strip()
        if "{sheet}" in out:
            out = out.replace("{sheet}", str(sheet) if sheet is not None else "?")
        return out


Words = dict[str, tuple[str, str]]


def _load() -> tuple[dict[tuple[str, str], Message], Words, Words, tuple[str, str]]:
    """``messages.toml`` beside this module: the messages by (device, fault), the steps, an
    appeal's states, and what to do when a technician has been called."""
    words = tomllib.loads(Path(__file__).with_name("messages.toml").read_text(encoding="utf-8"))
    actions = words["actions"]
    messages = {}
    for device, faults in words["faults"].items():
        for fault, m in faults.items():
            action = actions[m["action"]] if isinstance(m["action"], str) else m["action"]
            messages[device, fault] = Message(m["code"], *m["text"], *action, staff=m.get("staff", False))
    steps, status = ({k: (uk, en) for k, (uk, en) in words[table].items()} for table in ("steps", "status"))
    return messages, steps, status, tuple(actions["called"])


# (device, fault) -> message; device "*" matches any device. STEPS: the waits the resident sees;
# STATUS_WORDS: an appeal's state as the answer screen says it.
_MESSAGES, STEPS, STATUS_WORDS, _CALLED = _load()

GENERIC = Message("device_error", "Сталася несправність пристрою.", "A device fault occurred.", *_CALLED, staff=True)


def for_code(device: str, code: str) -> Message:
    return _MESSAGES.get((device, code)) or _MESSAGES.get(("*", code)) or GENERIC


def for_error(err: BaseException, device: str = "") -> Message:
    if isinstance(err, DeviceError):
        return for_code(err.device or device, err.code)
    return GENERIC
