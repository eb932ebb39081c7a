"""``kioskctl`` subcommands of the touchscreen app: screenshots of every screen, and the
technician's PIN. Registered by ``kiosk_app.cli._load_extra_commands``."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from kiosk_app.cli import args, command, emit


@command("screenshots", "Render every screen of the touchscreen app (Ukrainian, English, high contrast) as PNGs",
         "kioskctl screenshots docs/screens")
@args(lambda p: (p.add_argument("dir", help="folder for the PNGs (<screen>.<uk|en|uk-hc>.png)"),
                 p.add_argument("--width", type=int, default=960, help="scale to this width in pixels (0: as rendered)"),
                 p.add_argument("--size", default="1920x1080", help="the panel, WIDTHxHEIGHT (1920x1080, 1280x1024)"),
                 p.add_argument("--text-scale", type=float, default=1.0, help="text size: 1 (100 %%) or 2 (200 %%)"),
                 p.add_argument("--no-banner", action="store_true", help="without the idle warning banner"),
                 p.add_argument("--json", action="store_true", help="JSON output")))
def _screenshots(ns: argparse.Namespace) -> int:
    """Every screen with the idle banner showing; anything clipped or overlapping is listed and
    makes the exit status 1."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from kiosk_app.ui.gallery import screenshots

    w, _, h = ns.size.partition("x")
    found: list[str] = []
    paths = screenshots(Path(ns.dir), width=ns.width, size=(int(w), int(h)), text_scale=ns.text_scale,
                        banner=not ns.no_banner, check=found)
    text = "\n".join([f"{len(paths)} screenshots in {ns.dir}", *found])
    emit({"ok": not found, "files": [str(p) for p in paths], "problems": found}, ns.json, text)
    return 1 if found else 0


@command("speech-transcript", "Write, for every screen, the words the kiosk speaks (uk, en) and espeak-ng's "
         "phonemes for the Ukrainian", "kioskctl speech-transcript /tmp/speech")
@args(lambda p: (p.add_argument("dir", help="folder for <screen>.uk.txt, <screen>.en.txt, <screen>.uk.phonemes "
                                            "and transcript.json"),
                 p.add_argument("--json", action="store_true", help="JSON output")))
def _speech_transcript(ns: argparse.Namespace) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from kiosk_app.ui.transcript import write_transcript

    try:
        paths = write_transcript(Path(ns.dir))
    except FileNotFoundError as err:
        print(f"kioskctl: {err}", file=sys.stderr)
        return 1
    emit({"ok": True, "files": [str(p) for p in paths]}, ns.json, f"{len(paths)} files in {ns.dir}")
    return 0


@command("set-pin", "Hash a technician's PIN for service mode and print the TOML line for kiosk.toml",
         "kioskctl set-pin --pin-stdin < pin.txt")
@args(lambda p: p.add_argument("--pin-stdin", action="store_true", help="read the PIN from standard input instead of asking"))
def _set_pin(ns: argparse.Namespace) -> int:
    from kiosk_app.ui.pin import hash_pin

    if ns.pin_stdin:
        pin = sys.stdin.readline().strip()
    else:
        pin = getpass.getpass("PIN (4-12 digits): ")
        if getpass.getpass("Again: ") != pin:
            print("kioskctl: the two PINs differ", file=sys.stderr)
            return 1
    try:
        line = hash_pin(pin)
    except ValueError as err:
        print(f"kioskctl: {err}", file=sys.stderr)
        return 2
    print("[service]")
    print(f'pin_hash = "{line}"')
    return 0
