"""Recognition settings: the DashScope realtime parameters, one to one, validated.

The same object configures every engine, so "max sentence silence" or "noise threshold"
means the same thing whether the cloud or the on-device engine listens. It is frozen and
validated on construction: an out-of-range value cannot exist, and the error names the
field and the allowed range.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from captioner.errors import ParameterError

AUDIO_FORMATS = ("pcm", "wav", "mp3", "opus", "speex", "aac", "amr")

#: Language codes the realtime service documents (Fun-ASR's long list plus Paraformer's).
LANGUAGES = (
    "zh",
    "en",
    "ja",
    "yue",
    "ko",
    "vi",
    "th",
    "id",
    "ms",
    "tl",
    "hi",
    "ar",
    "fr",
    "de",
    "es",
    "pt",
    "ru",
    "it",
    "nl",
    "sv",
    "da",
    "fi",
    "no",
    "el",
    "pl",
    "cs",
    "hu",
    "ro",
    "bg",
    "hr",
    "sk",
)

#: Languages offered per model family in pickers (the service's own documented lists; a
#: model not named here gets its family's, by name prefix). Fun-ASR reads only the first
#: hint, Paraformer all of them (see recognition/local/languages.py).
MODEL_LANGUAGES = {
    "fun-asr-realtime": ("zh", "en", "ja"),
    "paraformer-realtime-v2": ("zh", "en", "ja", "yue", "ko", "de", "fr", "ru"),
    "fun-asr-realtime-2025-09-15": ("zh", "en"),
    "fun-asr-flash-8k-realtime": ("zh",),
    "gummy-realtime-v1": ("zh", "en", "ja", "yue", "ko", "de", "fr", "ru", "it", "es"),
}

MAX_SENTENCE_SILENCE_RANGE = (200, 6000)
SPEECH_NOISE_THRESHOLD_RANGE = (-1.0, 1.0)
SAMPLE_RATE_RANGE = (8000, 48000)


class SettingsError(ParameterError):
    """A setting is out of range or of the wrong kind; `field` names it. (A ValueError, as
    every ParameterError.)"""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


@dataclass(frozen=True)
class RecognitionSettings:
    model: str = "fun-asr-realtime"
    sample_rate: int = 16000
    format: str = "pcm"
    language_hints: tuple[str, ...] = ()
    semantic_punctuation_enabled: bool = False
    max_sentence_silence: int = 1300
    multi_threshold_mode_enabled: bool = False
    punctuation_prediction_enabled: bool = True
    inverse_text_normalization_enabled: bool = True
    heartbeat: bool = False
    speech_noise_threshold: float | None = None
    vocabulary_id: str | None = None
    disfluency_removal_enabled: bool = False
    #: Words to bias the on-device engine (the cloud takes them through vocabulary_id).
    hot_words: tuple[str, ...] = field(default=())
    #: Gummy: whether the source-language text comes out (off: the translation alone).
    transcription_enabled: bool = True
    #: Gummy: the one language to translate each sentence into; None: no translation.
    translation_target: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.language_hints, (list, str)):
            hints = (self.language_hints,) if isinstance(self.language_hints, str) else self.language_hints
            object.__setattr__(self, "language_hints", tuple(hints))
        if isinstance(self.hot_words, list):
            object.__setattr__(self, "hot_words", tuple(self.hot_words))
        _check_str("model", self.model)
        if not self.model.strip():
            raise SettingsError("model", "must not be empty")
        _check_int("sample_rate", self.sample_rate, *SAMPLE_RATE_RANGE, unit="Hz")
        if self.format not in AUDIO_FORMATS:
            raise SettingsError("format", f"must be one of {', '.join(AUDIO_FORMATS)} (got {self.format!r})")
        for hint in self.language_hints:
            if hint not in LANGUAGES:
                raise SettingsError(
                    "language_hints", f"unknown language code {hint!r}; known codes: {', '.join(LANGUAGES)}"
                )
        for name in (
            "semantic_punctuation_enabled",
            "multi_threshold_mode_enabled",
            "punctuation_prediction_enabled",
            "inverse_text_normalization_enabled",
            "heartbeat",
            "disfluency_removal_enabled",
            "transcription_enabled",
        ):
            if not isinstance(getattr(self, name), bool):
                raise SettingsError(name, f"must be true or false (got {getattr(self, name)!r})")
        _check_int("max_sentence_silence", self.max_sentence_silence, *MAX_SENTENCE_SILENCE_RANGE, unit="ms")
        if self.speech_noise_threshold is not None:
            v = self.speech_noise_threshold
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise SettingsError("speech_noise_threshold", f"must be a number (got {v!r})")
            lo, hi = SPEECH_NOISE_THRESHOLD_RANGE
            if not lo <= v <= hi:
                raise SettingsError("speech_noise_threshold", f"must be between {lo} and {hi} (got {v})")
        if self.vocabulary_id is not None:
            _check_str("vocabulary_id", self.vocabulary_id)
        for word in self.hot_words:
            _check_str("hot_words", word)
        if self.translation_target is not None and self.translation_target not in LANGUAGES:
            raise SettingsError(
                "translation_target",
                f"unknown language code {self.translation_target!r}; known codes: {', '.join(LANGUAGES)}",
            )
        if not self.transcription_enabled and self.translation_target is None:
            raise SettingsError("transcription_enabled", "can be off only when a translation is asked for")

    @property
    def language(self) -> str | None:
        """The language an engine should assume: the first hint, as Fun-ASR does."""
        return self.language_hints[0] if self.language_hints else None

    def replace(self, **changes: Any) -> RecognitionSettings:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict (lists, not tuples), for journals and saved settings."""
        d = dataclasses.asdict(self)
        d["language_hints"] = list(self.language_hints)
        d["hot_words"] = list(self.hot_words)
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RecognitionSettings:
        """Build from a dict, rejecting unknown keys by name."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise SettingsError(unknown[0], "is not a recognition setting")
        return cls(**data)


def _check_int(name: str, value: object, lo: int, hi: int, unit: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SettingsError(name, f"must be a whole number of {unit} (got {value!r})")
    if not lo <= value <= hi:
        raise SettingsError(name, f"must be between {lo} and {hi} {unit} (got {value})")


def _check_str(name: str, value: object) -> None:
    if not isinstance(value, str):
        raise SettingsError(name, f"must be text (got {value!r})")
