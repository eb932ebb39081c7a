"""Fill locale/uk/LC_MESSAGES/django.po from uk_strings.py and report what is missing.

    python server_stub/core/locale/fill_po.py && msgfmt ... (or city-server manage compilemessages)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from uk_strings import PLURALS, UK

PO = Path(__file__).parent / "uk" / "LC_MESSAGES" / "django.po"


def unquote(lines: list[str]) -> str:
    return "".join(re.match(r'^(?:msgid(?:_plural)?|msgstr(?:\[\d\])?)?\s*"(.*)"$', ln).group(1) for ln in lines)


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main() -> int:
    blocks = PO.read_text(encoding="utf-8").split("\n\n")
    missing, out = [], []
    for block in blocks:
        lines = block.splitlines()
        idx = next((i for i, ln in enumerate(lines) if ln.startswith("msgid ")), None)
        if idx is None:
            out.append(block)
            continue
        end = next(i for i in range(idx + 1, len(lines)) if not lines[i].startswith('"'))
        msgid = unquote(lines[idx:end]).encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
        head = [ln for ln in lines[:idx] if not ln.startswith("#, fuzzy")]
        if msgid == "":
            out.append(block.replace("#, fuzzy\n", ""))
            continue
        if lines[end].startswith("msgid_plural"):
            forms = PLURALS.get(msgid)
            if not forms:
                missing.append(msgid)
                out.append(block)
                continue
            body = lines[idx:end + 1] + [f"msgstr[{i}] {quote(f)}" for i, f in enumerate(forms)]
            out.append("\n".join(head + body))
            continue
        text = UK.get(msgid)
        if text is None:
            missing.append(msgid)
            out.append(block)
            continue
        out.append("\n".join(head + lines[idx:end] + [f"msgstr {quote(text)}"]))
    PO.write_text("\n\n".join(out), encoding="utf-8")
    for m in missing:
        print("missing:", m)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
