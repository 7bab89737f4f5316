"""Gummy (`gummy-realtime-v1`): realtime recognition with translation, without I/O.

Gummy speaks the same WebSocket protocol as Fun-ASR (run-task, audio, finish-task; the
same four events), so `captioner.protocol.realtime` carries it; what differs lives here:

- **run-task parameters** (docs/protocol.md §2.3): `source_language` (a code, or null /
  "auto" to detect), `transcription_enabled`, `translation_enabled` and
  `translation_target_languages` (one target). `GummyParameters` parses and builds them
  and maps them onto `RecognitionSettings` (`language_hints`, `transcription_enabled`,
  `translation_target`), so the engines see one settings object whatever the model.
- **the result shape** (§2.7): `payload.output` holds `transcription` (the sentence) and
  `translations` (one entry per target: the same sentence id and times, `lang`, its own
  text and words) instead of `sentence`. An interim has `end_time: null` and a
  `current_time` (how far the engine has heard); the official SDK reads `current_time`
  then, and indexes `words[].fixed`, so both are always written.

The engine-neutral `Sentence` carries its `Translation`, so a Gummy result is one event:
`gummy_output(sentence, parameters)` builds the `output` object and
`sentence_from_gummy_output(output)` reads one back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from captioner.events import Sentence, Translation, Word
from captioner.settings import RecognitionSettings, SettingsError

#: Models that use the Gummy parameters and output shape.
GUMMY_MODELS = ("gummy-realtime-v1",)
#: Source languages the service documents for gummy-realtime-v1 (docs/protocol.md §2.3).
SOURCE_LANGUAGES = ("zh", "en", "ja", "yue", "ko", "de", "fr", "ru", "it", "es")
#: `source_language` values that mean "detect it" (the SDK sends null when unset).
AUTO = "auto"


def is_gummy_model(model: str) -> bool:
    return model in GUMMY_MODELS


class GummyShapeError(ValueError):
    """A Gummy `output` object is malformed (the protocol layer turns it into its own error)."""


@dataclass(frozen=True)
class GummyParameters:
    """The four Gummy run-task parameters, validated.

    `source_language` None means detect it. `target_languages` holds one code when
    `translation_enabled` (the service translates into one target per task).
    """

    source_language: str | None = None
    transcription_enabled: bool = True
    translation_enabled: bool = False
    target_languages: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        src = self.source_language
        if src is not None and src not in SOURCE_LANGUAGES:
            raise SettingsError(
                "source_language",
                f"{src!r} is not a source language of gummy-realtime-v1; "
                f"use auto or one of {', '.join(SOURCE_LANGUAGES)}",
            )
        for name in ("transcription_enabled", "translation_enabled"):
            if not isinstance(getattr(self, name), bool):
                raise SettingsError(name, f"must be true or false (got {getattr(self, name)!r})")
        if self.translation_enabled and len(self.target_languages) != 1:
            raise SettingsError(
                "translation_target_languages",
                f"name exactly one target language when translation_enabled is true (got {list(self.target_languages)})",
            )
        if not self.transcription_enabled and not self.translation_enabled:
            raise SettingsError(
                "transcription_enabled", "and translation_enabled are both false: the task would return nothing"
            )

    @property
    def target(self) -> str | None:
        """The language each sentence is translated into; None: no translation."""
        return self.target_languages[0] if self.translation_enabled else None

    @classmethod
    def from_wire(cls, parameters: Mapping[str, Any]) -> GummyParameters:
        """From `payload.parameters`; a null counts as not given (the SDK sends
        `"source_language": null` when unset). Raises SettingsError naming a bad one."""
        src = parameters.get("source_language")
        if src is not None and not isinstance(src, str):
            raise SettingsError("source_language", f"must be a language code or auto (got {src!r})")
        targets = parameters.get("translation_target_languages")
        if targets is None:
            targets = []
        elif isinstance(targets, str):
            targets = [targets]
        if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
            raise SettingsError("translation_target_languages", f"must be a list of language codes (got {targets!r})")
        transcription = parameters.get("transcription_enabled")
        translation = parameters.get("translation_enabled")
        return cls(
            None if src in (None, "", AUTO) else src,
            True if transcription is None else transcription,
            False if translation is None else translation,
            tuple(targets),
        )

    def to_wire(self) -> dict[str, Any]:
        """The parameters in the order the SDK writes them (`source_language` always, null
        when detecting; the target list only when there is one)."""
        p: dict[str, Any] = {
            "source_language": self.source_language,
            "transcription_enabled": self.transcription_enabled,
            "translation_enabled": self.translation_enabled,
        }
        if self.target_languages:
            p["translation_target_languages"] = list(self.target_languages)
        return p

    @classmethod
    def from_settings(cls, settings: RecognitionSettings) -> GummyParameters:
        target = settings.translation_target
        return cls(
            settings.language,
            settings.transcription_enabled,
            target is not None,
            (target,) if target is not None else (),
        )

    def apply(self, settings: RecognitionSettings) -> RecognitionSettings:
        """`settings` with these parameters in RecognitionSettings' own fields."""
        return settings.replace(
            language_hints=(self.source_language,) if self.source_language else (),
            transcription_enabled=self.transcription_enabled,
            translation_target=self.target,
        )


# -- Sentence <-> payload.output -----------------------------------------------------------


def gummy_output(sentence: Sentence, parameters: GummyParameters) -> dict[str, Any]:
    """`payload.output` for one sentence: `transcription` unless it was turned off,
    `translations` when the sentence carries its translation (a partial the engine has not
    translated yet goes out without it). Empty when there is nothing to send: the caller
    must not send that (the SDK reads an empty output as the end of the task)."""
    out: dict[str, Any] = {}
    if parameters.transcription_enabled:
        out["transcription"] = _sentence_object(sentence, sentence.text, sentence.words)
    t = sentence.translation
    if parameters.translation_enabled and t is not None:
        entry = {"sentence_id": sentence.sentence_id, "lang": t.language}
        entry.update(_sentence_object(sentence, t.text, t.words))
        out["translations"] = [entry]
    return out


def _sentence_object(sentence: Sentence, text: str, words: tuple[Word, ...]) -> dict[str, Any]:
    final = sentence.final
    return {
        "sentence_id": sentence.sentence_id,
        "begin_time": sentence.begin_ms,
        "end_time": sentence.end_ms if final else None,
        "current_time": sentence.end_ms,
        "text": text,
        "words": [
            {
                "begin_time": w.begin_ms,
                "end_time": w.end_ms,
                "text": w.text,
                "punctuation": w.punctuation,
                "fixed": final,
                "speaker_id": None,
            }
            for w in words
        ],
        "sentence_end": final,
    }


def is_gummy_output(output: Mapping[str, Any]) -> bool:
    return "transcription" in output or "translations" in output


def sentence_from_gummy_output(output: Mapping[str, Any]) -> Sentence:
    """The Sentence (with its Translation) in a Gummy `output`. Without a transcription
    (turned off) the sentence's text is "" and its times are the translation's. The first
    translation is kept: a task has one target. Raises GummyShapeError."""
    transcription = output.get("transcription")
    translations = output.get("translations")
    if translations is not None and not isinstance(translations, list):
        raise GummyShapeError("output.translations is not a list")
    translation: Translation | None = None
    first: Mapping[str, Any] | None = None
    for entry in translations or ():
        if not isinstance(entry, dict):
            raise GummyShapeError("a translation is not an object")
        lang = entry.get("lang")
        if not isinstance(lang, str) or not lang:
            raise GummyShapeError("a translation has no lang")
        if first is None:
            first = entry
            _, _, _, _, text, words = _read_sentence(entry, "translation")
            translation = Translation(lang, text, words)
    if transcription is not None:
        if not isinstance(transcription, dict):
            raise GummyShapeError("output.transcription is not an object")
        sid, begin, end, final, text, words = _read_sentence(transcription, "transcription")
    elif first is not None:
        sid, begin, end, final, _, _ = _read_sentence(first, "translation")
        text, words = "", ()
    else:
        raise GummyShapeError("output has neither transcription nor translations")
    return Sentence(text, begin, end, final, words, sid, translation=translation)


def _read_sentence(d: Mapping[str, Any], name: str) -> tuple[int, int, int, bool, str, tuple[Word, ...]]:
    """(sentence_id, begin, end, final, text, words). Final is `sentence_end` when given,
    else a set end_time; an interim ends at its `current_time` (or as far as its words reach)."""
    sid = _int(d.get("sentence_id"), 0, f"{name}.sentence_id")
    begin = _int(d.get("begin_time"), 0, f"{name}.begin_time")
    text = d.get("text", "")
    if not isinstance(text, str):
        raise GummyShapeError(f"{name}.text is not text")
    raw_words = d.get("words") or []
    if not isinstance(raw_words, list):
        raise GummyShapeError(f"{name}.words is not a list")
    words = []
    for w in raw_words:
        if not isinstance(w, dict) or not isinstance(w.get("text", ""), str):
            raise GummyShapeError(f"a {name} word is malformed")
        wb = _int(w.get("begin_time"), begin, "word.begin_time")
        we = _int(w.get("end_time"), wb, "word.end_time")
        mark = w.get("punctuation") or ""
        word_text = w.get("text", "")
        if isinstance(mark, str) and mark == word_text:
            mark = ""  # the service's documented example repeats the word as its "punctuation"
        words.append(Word(wb, we, word_text, mark if isinstance(mark, str) else ""))
    end_time = d.get("end_time")
    sentence_end = d.get("sentence_end")
    final = sentence_end if isinstance(sentence_end, bool) else end_time is not None
    if end_time is not None:
        end = _int(end_time, 0, f"{name}.end_time")
    else:
        reach = max([begin] + [w.end_ms for w in words])
        end = max(_int(d.get("current_time"), reach, f"{name}.current_time"), begin)
    return sid, begin, end, final, text, tuple(words)


def _int(value: Any, default: int, name: str) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or abs(value) == float("inf"):
        raise GummyShapeError(f"{name} is not a number")
    return int(value)
