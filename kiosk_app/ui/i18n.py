"""Every word on the screens, Ukrainian first, English second (a simple catalogue: key -> (uk, en),
kept in ``i18n.toml`` beside this module).

Fault and wait texts are not here: they come from :mod:`kiosk_app.core.messages`, the one place
that maps device errors to words. ``tr(key, lang, **fields)`` formats with ``str.format``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

LANGS = ("uk", "en")

T: dict[str, tuple[str, str]] = {
    key: (uk, en) for key, (uk, en) in tomllib.loads(Path(__file__).with_name("i18n.toml").read_text(encoding="utf-8")).items()}


def tr(key: str, lang: str = "uk", **fields: object) -> str:
    uk, en = T[key]
    text = uk if lang == "uk" else en
    return text.format(**fields) if fields else text
