"""Cutting an AT command line into commands and arguments (ITU-T V.250 syntax), for the
simulated modem."""

from __future__ import annotations

import re


class CommandError(Exception):
    def __init__(self, kind: str = "", code: int = 0) -> None:
        super().__init__(kind, code)
        self.kind, self.code = kind, code       # kind "" = plain ERROR, "CME" or "CMS"


def split_commands(rest: str) -> list[str]:
    """'E0V1' -> ['E0', 'V1']; '+CMEE=1;+CMGF=0' -> two; a quoted ';' stays inside its argument."""
    out: list[str] = []
    i = 0
    while i < len(rest):
        ch = rest[i]
        if ch in " ;":
            i += 1
            continue
        if ch in "+^$":
            j, quoted = i + 1, False
            while j < len(rest) and (quoted or rest[j] != ";"):
                quoted = quoted != (rest[j] == '"')
                j += 1
            out.append(rest[i:j].strip())
            i = j
        elif ch == "&":
            m = re.match(r"&[A-Za-z]\d*", rest[i:])
            step = len(m.group(0)) if m else 1
            out.append(rest[i:i + step])
            i += step
        else:
            m = re.match(r"[A-Za-z]\d*(=\d*)?", rest[i:])
            if not m:
                raise CommandError()
            out.append(m.group(0).split("=")[0])
            i += len(m.group(0))
    return out


def split_args(arg: str) -> list[str]:
    return [x.strip().strip('"') for x in re.findall(r'"[^"]*"|[^,]+|(?<=,)(?=,)|^(?=,)', arg)]


def decode_chars(s: str, cscs: str) -> str:
    if cscs == "UCS2" and re.fullmatch(r"([0-9A-Fa-f]{4})+", s):
        return bytes.fromhex(s).decode("utf-16-be", errors="replace")
    try:
        return s.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return s
