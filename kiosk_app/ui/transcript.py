"""``kioskctl speech-transcript DIR``: for every screen (with the gallery's made-up data), the exact
words the kiosk gives the speech engine in Ukrainian and English (with headphones in; without
them, ``transcript.json`` has the loudspeaker's words, personal data left out), and espeak-ng's phoneme string
for the Ukrainian (``espeak-ng -v uk -x -q``), so that a person can check what a blind resident hears."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from kiosk_app.core.speech_text import spoken

from .gallery import SCREENS, demo_window, stage
from .qt import QApplication


def phonemes(text: str, voice: str = "uk") -> str:
    """espeak-ng's phoneme mnemonics for ``text`` (one line; espeak-ng breaks lines at clauses)."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise FileNotFoundError("espeak-ng is not installed (Debian package espeak-ng)")
    out = subprocess.run([exe, "-v", voice, "-x", "-q", text], capture_output=True, text=True, check=True, timeout=60)
    return " ".join(out.stdout.split())


def screen_texts(win: Any) -> dict[str, dict[str, str]]:
    """{screen: {"uk": shown, "uk_spoken": ..., "en": ..., "en_spoken": ...}} for every screen."""
    app = QApplication.instance()
    out: dict[str, dict[str, str]] = {}
    for lang in ("uk", "en"):
        for sid in SCREENS:
            win.lang = lang
            stage(win, sid)
            app.processEvents()
            screen = win.nav.screen(sid)
            text = screen.speech_text(personal=True)            # headphones in: everything
            entry = out.setdefault(str(sid), {})
            entry[lang] = text
            entry[f"{lang}_spoken"] = spoken(text, lang)
            entry[f"{lang}_loudspeaker"] = spoken(screen.speech_text(personal=False), lang)
    win.end_session("transcript done")
    return out


def write_transcript(outdir: Path) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    with demo_window() as win:
        texts = screen_texts(win)
    written: list[Path] = []
    for sid, t in texts.items():
        t["uk_phonemes"] = phonemes(t["uk_spoken"])
        for name, key in (("uk.txt", "uk_spoken"), ("en.txt", "en_spoken"), ("uk.phonemes", "uk_phonemes")):
            path = outdir / f"{sid}.{name}"
            path.write_text(t[key] + "\n", encoding="utf-8")
            written.append(path)
    index = outdir / "transcript.json"
    index.write_text(json.dumps(texts, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    written.append(index)
    return written
