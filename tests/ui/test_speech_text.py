"""The speech text layer, checked where it matters: in espeak-ng's phonemes for the Ukrainian voice
(what a blind resident hears), on every screen of ``kioskctl speech-transcript``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk_app.core.speech_text import spoken
from tests.support.tools import require_tool

ROOT = Path(__file__).resolve().parents[2]


def uk_phonemes(text: str) -> str:
    exe = require_tool("espeak-ng", "espeak-ng")
    out = subprocess.run([exe, "-v", "uk", "-x", "-q", text], capture_output=True, text=True, check=True, timeout=60)
    return " ".join(out.stdout.split())


@pytest.mark.parametrize("apostrophe", ["ʼ", "'", "’", "`", "‘"])
def test_every_apostrophe_is_heard_as_the_ukrainian_one(apostrophe: str) -> None:
    text = spoken(f"М{apostrophe}ясоїд-Коваль і м{apostrophe}ята", "uk")
    assert text == "М'ясоїд-Коваль і м'ята"                              # one form for the engine
    said = uk_phonemes(text)
    assert "(en)" not in said and "'Em" not in said                    # not "em ejective"
    assert said == uk_phonemes("М'ясоїд-Коваль і м'ята")
    assert "mjas'oid" in said


def test_numbers_abbreviations_dates_and_the_preposition() -> None:
    # a phone number: in digit groups, never "three hundred eighty billion ..."
    said = uk_phonemes(spoken("Телефон: +380671234567", "uk"))
    assert "t'isjatS" not in said and "mil'jard" not in said
    assert said == uk_phonemes("Телефон: плюс 3 8, 0 6 7, 123, 45, 67")
    assert uk_phonemes(spoken("067 123 45 67", "uk")) == uk_phonemes("0 6 7, 123, 45, 67")
    # an appeal number: digit by digit, in its three groups
    said = uk_phonemes(spoken("Номер звернення 001-000001-3", "uk"))
    assert said.count("n'ulj") == 7 and "t'isjatS" not in said
    # abbreviations in words
    said = uk_phonemes(spoken("Ваш РНОКПП, ЦНАП, СЕД", "uk"))
    assert "rn'okpp" not in said and "platn'ika pVd'Atkiv" in said
    assert "administ@-r'Ativnix p'osluh" in said and "dVkumint'oVbihu" in said
    # dates and times in words
    assert spoken("до 28.12.2026.", "uk").endswith("шостого року.")       # a date ending a sentence
    said = uk_phonemes(spoken("до 28.12.2026 о 10:15", "uk"))
    assert "h@-r'udnja" in said and "vVsm'ohV" in said and "SVst'ohV" in said and "@-r'oku" in said
    assert "d;'esjat; h'odin pjatn'Adtsjat; xv'ilin" in said
    assert spoken("до 2026-12-28", "uk") == spoken("до 28.12.2026", "uk")
    assert spoken("by 28.12.2026 at 10:05", "en") == "by 28 December 2026 at 10 oh 5"
    # «Крок 1 з 11»: the preposition, not the letter's name "зе"
    said = uk_phonemes(spoken("Крок 1 з 11", "uk"))
    assert "z'E" not in said and "'iz" in said
    assert "z'E" in uk_phonemes("Крок 1 з 11")                           # what espeak-ng says without the layer


def test_kioskctl_speech_transcript_every_screen(tmp_path: Path) -> None:
    require_tool("espeak-ng", "espeak-ng")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = tmp_path / "speech"
    res = subprocess.run([sys.executable, "-m", "kiosk_app.cli", "speech-transcript", str(out), "--json"],
                         capture_output=True, text=True, cwd=ROOT, env=env, timeout=240)
    assert res.returncode == 0, res.stderr[-2000:]
    from kiosk_app.ui.gallery import SCREENS
    index = json.loads((out / "transcript.json").read_text(encoding="utf-8"))
    assert set(index) == {str(s) for s in SCREENS}
    for sid in SCREENS:
        uk = (out / f"{sid}.uk.txt").read_text(encoding="utf-8").strip()
        en = (out / f"{sid}.en.txt").read_text(encoding="utf-8").strip()
        ph = (out / f"{sid}.uk.phonemes").read_text(encoding="utf-8").strip()
        assert uk and en and ph, sid
        assert uk == index[str(sid)]["uk_spoken"] and ph == index[str(sid)]["uk_phonemes"]
        if sid not in ("pin", "service"):        # the technician's screens name commands (kioskctl set-pin)
            assert "(en)" not in ph, (sid, ph)                             # no English voice mid-Ukrainian
        assert "z'E" not in ph, sid                                        # no lone «з» said as "зе"
        assert "ʼ" not in uk and "РНОКПП" not in uk, sid
    assert index["surname"]["uk_spoken"].startswith("Крок 1 із 11. Ваше прізвище")
    assert index["surname"]["en_spoken"].startswith("Step 1 of 11. Your surname")
    summary = index["summary"]
    assert "Мʼясоїд" in summary["uk"] and "М'ясоїд" in summary["uk_spoken"]
    assert "0 6 7, 123, 45, 67" in summary["uk_spoken"] and "0 6 7, 123, 45, 67" in summary["en_spoken"]
    assert "mjas'oid" in summary["uk_phonemes"]
    assert "Мʼясоїд" not in summary["uk_loudspeaker"] and "М'ясоїд" not in summary["uk_loudspeaker"]
    assert "67" not in summary["uk_loudspeaker"] and "лише в навушники" in summary["uk_loudspeaker"]
    assert "реєстраційний номер облікової картки платника податків" in index["idtype"]["uk_spoken"]
    assert "0 0 1, 0 0 0 0 0 1, 3" in index["number"]["uk_spoken"]
    assert "грудня дві тисячі двадцять шостого року" in index["number"]["uk_spoken"], index["number"]["uk_spoken"]


def test_a_receipt_code_is_spelled_in_ukrainian_without_an_english_voice() -> None:
    text = spoken("Код доступу K7M2Q-9XH4T, QR-код", "uk")
    assert text == "Код доступу кей 7 ем 2 к'ю, 9 ікс ейч 4 ті, к'ю-ар-код"
    assert "(en)" not in uk_phonemes(text)
    assert spoken("code K7M2Q-9XH4T", "en") == "code K 7 M 2 Q, 9 X H 4 T"
