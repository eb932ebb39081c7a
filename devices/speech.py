"""Speech as a device: is there a voice for the resident's language?

The kiosk speaks through Qt's "speechd" engine, that is speech-dispatcher, whose espeak-ng output
module gives the voices (Debian: speech-dispatcher, speech-dispatcher-espeak-ng, espeak-ng). Qt
is silent, and tells nobody, when one of them is missing or espeak-ng has no Ukrainian voice. This
driver checks the three without making a sound, so that ``kioskctl devices``, the heartbeat and
the service screen show it::

    speech = from_config({})
    speech.status()      # READY "uk" with consumables {"engine": "speechd/espeak-ng", "uk_voice": "zle/uk"}

FAULT ``no_ukrainian_voice`` (or ``no_output_module``) is the alert: a blind resident would hear
nothing. OFFLINE ``no_speech_dispatcher``: the daemon is not installed.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from devices.config import declared, read_settings
from devices.errors import DeviceConfigError
from devices.state import DeviceState, DeviceStatus

log = logging.getLogger(__name__)

DEVICE = "speech"

SETTINGS: list[dict[str, Any]] = declared("speech")  # devices/settings.toml


class Speech:
    device = DEVICE

    def __init__(self, *, module: str = "espeak-ng", modules_dir: str = "/usr/lib/speech-dispatcher-modules",
                 language: str = "uk", espeak_ng: str = "espeak-ng", espeak_data: str = "") -> None:
        self.module, self.modules_dir, self.language = module, Path(modules_dir), language
        self.espeak_ng, self.espeak_data = espeak_ng, espeak_data

    def voices(self) -> list[str]:
        """espeak-ng's voice files for the language ("zle/uk"); [] when it has none or fails."""
        cmd = [self.espeak_ng, *(["--path", self.espeak_data] if self.espeak_data else []), f"--voices={self.language}"]
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired) as err:
            log.warning("speech: %s failed: %s", self.espeak_ng, err)
            return []
        found = []
        for line in out.stdout.splitlines()[1:]:
            cols = line.split()
            if len(cols) >= 5 and cols[1] == self.language:
                found.append(cols[4])
        return found

    def status(self) -> DeviceStatus:
        cons: dict[str, Any] = {"engine": f"speechd/{self.module}"}
        if shutil.which("speech-dispatcher") is None:
            return DeviceStatus(DEVICE, DeviceState.OFFLINE, "no_speech_dispatcher", cons,
                                {"code": "no_speech_dispatcher", "message": "speech-dispatcher is not installed"})
        if not (self.modules_dir / f"sd_{self.module}").exists():
            return DeviceStatus(DEVICE, DeviceState.FAULT, "no_output_module", cons,
                                {"code": "no_output_module",
                                 "message": f"no speech-dispatcher module sd_{self.module} in {self.modules_dir}"})
        voices = self.voices()
        cons[f"{self.language}_voice"] = voices[0] if voices else "none"
        if not voices:
            return DeviceStatus(DEVICE, DeviceState.FAULT, f"no_{'ukrainian' if self.language == 'uk' else self.language}_voice",
                                cons, {"code": "no_voice", "message": f"{self.espeak_ng} has no {self.language} voice"})
        return DeviceStatus(DEVICE, DeviceState.READY, self.language, cons, None)

    def close(self) -> None:
        """Nothing is held open."""


def from_config(cfg: Mapping[str, Any]) -> Speech:
    get = read_settings(DEVICE, cfg, SETTINGS)
    try:
        return Speech(**{k: str(get[k]) for k in ("module", "modules_dir", "language", "espeak_ng", "espeak_data")})
    except (TypeError, ValueError) as err:
        raise DeviceConfigError(f"speech: bad setting: {err}", device=DEVICE) from err


__all__ = ["SETTINGS", "Speech", "from_config"]
