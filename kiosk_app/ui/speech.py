"""Speech on request: every screen and message read aloud in Ukrainian or English through Qt
TextToSpeech (speech-dispatcher + espeak-ng on the terminal; Qt's "mock" engine in tests).

``Speaker.spoken`` records each utterance (language asked, locale the engine used, text), so the
deaf-friendly text and the spoken words can be checked to be the same words."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from kiosk_app.core.speech_text import spoken

from .qt import QObject, text_to_speech

log = logging.getLogger(__name__)
DEFAULT_VOLUME = 0.7
LOCALES = {"uk": ("uk_UA", "uk"), "en": ("en_GB", "en_US", "en")}


@dataclass(frozen=True)
class Utterance:
    lang: str
    locale: str            # the engine's locale while saying it ("" if it has no voice for the language)
    text: str              # the words shown
    spoken: str = ""       # what the engine was given (kiosk_app.core.speech_text.spoken of text)
    route: str = "loudspeaker"   # or "headphones": where the sound went


class Speaker(QObject):
    def __init__(self, engine: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.engine_name = engine
        self._tts: Any = None
        self.spoken: list[Utterance] = []
        self.error = ""
        self.volume = DEFAULT_VOLUME
        self.route = "loudspeaker"     # the sound card sends it to the headphones while they are in the jack

    def set_volume(self, volume: float) -> None:
        """0.0-1.0, in steps the keypad's volume keys make; applied to the engine at once."""
        self.volume = min(1.0, max(0.1, round(volume, 2)))
        if self._tts is not None:
            self._tts.setVolume(self.volume)

    def reset_volume(self) -> None:
        self.set_volume(DEFAULT_VOLUME)

    def _engine(self) -> Any:
        if self._tts is None:
            cls = text_to_speech()
            engines = list(cls.availableEngines())
            name = self.engine_name if self.engine_name in engines else ("speechd" if "speechd" in engines else "")
            self.engine_name = name
            self._tts = cls(name, self) if name else cls(self)
            self._tts.setVolume(self.volume)
        return self._tts

    def locale_for(self, lang: str) -> str:
        tts = self._engine()
        have = {loc.name(): loc for loc in tts.availableLocales()}
        for want in LOCALES.get(lang, ()):
            for name, loc in have.items():
                if name == want or name.split("_")[0] == want:
                    tts.setLocale(loc)
                    return name
        return ""

    def say(self, text: str, lang: str) -> Utterance:
        tts = self._engine()
        tts.stop()
        locale = self.locale_for(lang)
        u = Utterance(lang, locale, text, spoken(text, lang), self.route)
        self.spoken.append(u)
        if not locale:
            # No voice for this language: saying Ukrainian with an English voice helps nobody.
            self.error = f"no {lang} voice in engine {self.engine_name!r}"
            log.warning("speech: %s", self.error)
            return u
        tts.say(u.spoken)
        return u

    def stop(self) -> None:
        if self._tts is not None:
            self._tts.stop()

    def state(self) -> str:
        return self._engine().state().name
