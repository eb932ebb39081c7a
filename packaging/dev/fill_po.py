"""Fill the Ukrainian catalogue (locale/uk/LC_MESSAGES/django.po) from uk_strings.toml, and report
each message id that has no Ukrainian yet. The catalogue is read and written with polib.

    city-server manage makemessages -l uk -l en         # collect the English message ids
    .venv/bin/python packaging/dev/fill_po.py           # exit 1 and a "missing:" line per id without Ukrainian
                                                        # (another catalogue: give its path)
    city-server manage compilemessages                  # django.po -> django.mo

A developer's tool (polib is a dev dependency): it is not part of the shipped server.
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[2] / "server_stub" / "core" / "locale"
PO = LOCALE / "uk" / "LC_MESSAGES" / "django.po"
_STRINGS = tomllib.loads((LOCALE / "uk_strings.toml").read_text(encoding="utf-8"))
UK: dict[str, str] = _STRINGS["uk"]
PLURALS: dict[str, list[str]] = _STRINGS["plurals"]
WRAP = 79  # the width gettext's tools (and so makemessages) wrap at


def fill(po: polib.POFile, singular: Mapping[str, str] = UK,
         plural: Mapping[str, Sequence[str]] = PLURALS) -> list[str]:
    """Put the Ukrainian of every known id into ``po``; return the ids that have none."""
    missing: list[str] = []
    po.metadata_is_fuzzy = False
    for entry in po:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            forms = plural.get(entry.msgid)
            if not forms:
                missing.append(entry.msgid)
                continue
            entry.msgstr_plural = dict(enumerate(forms))
        else:
            text = singular.get(entry.msgid)
            if text is None:
                missing.append(entry.msgid)
                continue
            entry.msgstr = text
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    return missing


def main(path: Path = PO) -> int:
    po = polib.pofile(str(path), wrapwidth=WRAP)
    missing = fill(po)
    po.save(str(path))
    for msgid in missing:
        print("missing:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else PO))
