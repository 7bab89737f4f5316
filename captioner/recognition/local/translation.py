"""On-device translation into English: whisper's own translate task, sentence by sentence.

A multilingual whisper model can write what it hears in English instead of the spoken
language (the `translate` task). So the on-device engine translates without a second
model: when a sentence becomes final, the same audio is decoded once more with
`task="translate"`, and the English rides on the final as its `Translation` (the shape
Gummy uses). The transcription decode stays as it is (it is what the reader checks the
translation against), and the VAD's sentence boundaries stay the ones the transcript has.
That is "alongside": two decodes per sentence. With the original turned off the engine
decodes "instead": each sentence once, straight into English (`translates_instead`), about
half the work (BENCHMARKS.md §14).

Why only English, and why per final:

- whisper translates into English only. No PyPI package ships a machine-translation model
  for other directions (see BENCHMARKS.md, "Live translation"): Argos Translate, OPUS-MT
  and NLLB packages there all download their weights when first used, which this app never
  does. Other targets need the cloud (gummy-realtime-v1), and `check_translation` says so.
- partials are not translated: a translation of half a sentence is mostly wrong, and
  translating every partial would double the engine's work while someone speaks. The
  translation comes with the final, after its own decode time (measured in
  bench/translation.py).

The translate decode runs on its own worker thread, so the next sentence's transcription
is not held up behind it; finals still come out in order.

Nothing invented, as for transcription (`clean_translation`): on hard audio whisper's
translate task loops ("I'm sorry, I'm sorry, I'm sorry"), falls back to the spoken
language (a line of Chinese characters as the "English"), or writes its stock phrases
("I'll see you in the next video.") for a sentence that said something else. A loop keeps
its first round; the other two give no translation at all, which the reader sees as a
missing line rather than a wrong one.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import re
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np

from captioner.audio.frames import SAMPLE_RATE, AudioFrame
from captioner.events import RecognitionError, RecognitionEvent, Sentence, Translation
from captioner.recognition.base import RecognitionSession
from captioner.settings import RecognitionSettings

if TYPE_CHECKING:  # the catalog imports this module's error without loading an engine
    from captioner.recognition.local.models import LoadedModel

#: The one language whisper translates into.
WHISPER_TARGET = "en"
#: Audio kept either side of a sentence for its translation: whisper's word times are
#: loose, and a clipped first syllable costs a whole word of translation.
PAD_MS = 300
#: At most this much audio is kept waiting for a final (a sentence is cut well before).
MAX_KEPT_MS = 120_000
#: Beam for translations: as for finals.
BEAM_SIZE = 3


class TranslationUnavailableError(RecognitionError):
    """This engine cannot translate into the asked language (the cloud can)."""

    def __init__(self, message: str) -> None:
        super().__init__("InvalidParameter", message)


def needs_the_cloud(target: str) -> TranslationUnavailableError:
    return TranslationUnavailableError(
        f"translation into {target!r} needs the cloud (gummy-realtime-v1): "
        f"on this device speech is translated into English ({WHISPER_TARGET!r}) only"
    )


def check_translation(model: LoadedModel, settings: RecognitionSettings) -> None:
    """Refuse a translation this model cannot make, saying what can."""
    target = settings.translation_target
    if target is None:
        return
    if target != WHISPER_TARGET:
        raise needs_the_cloud(target)
    if not model.multilingual:
        raise TranslationUnavailableError(
            f"translation needs a multilingual model; {model.path.name} knows English only "
            "(use whisper base, or the cloud's gummy-realtime-v1)"
        )


#: Han characters, kana and hangul: text in the spoken language, not English.
_NOT_ENGLISH = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_ANNOTATION = re.compile(r"\[[^\]]*\]|\([^)]*\)|\*[^*]*\*|[♪♫♬]")
#: A source sentence longer than this (characters, or words for spaced languages) is not
#: what a stock phrase ("Thank you.") translates.
STOCK_PHRASE_MAX_SOURCE = 4
#: The stock phrases whisper's translate task adds to those of transcription (decoding.py's).
TRANSLATION_STOCK_PHRASES = frozenset({
    "i'll see you in the next video", "see you in the next video", "see you next time",
    "please subscribe to my channel", "thank you for watching this video",
})  # fmt: skip


def _stock(phrase: str) -> bool:
    # Imported here: the catalog imports this module, and decoding.py loads faster-whisper.
    from captioner.recognition.local.decoding import STOCK_PHRASES

    return phrase in STOCK_PHRASES or phrase in TRANSLATION_STOCK_PHRASES


def clean_translation(text: str, source: str) -> str:
    """`text` without what whisper invents (see the module doc); "" when nothing is left.
    `source` is the sentence's transcription, the evidence for a stock phrase."""
    text = " ".join(_ANNOTATION.sub(" ", text).split())
    if not text or _NOT_ENGLISH.search(text):
        return ""
    text = _first_round(text)
    words = [w for w in (re.sub(r"[^a-z0-9']", "", w.lower()) for w in text.split()) if w]
    length = len(source.split()) if " " in source.strip() else len(re.sub(r"\W", "", source))
    if _stock(" ".join(words)) and length > STOCK_PHRASE_MAX_SOURCE:
        return ""
    if len(words) >= 4 and len(set(words)) == 1:  # "5 5 5 5", "6.5.5.5" as one word is below
        return ""
    if re.fullmatch(r"[\d.,\s]+", text) and not re.search(r"\d", source):
        return ""  # digits for a sentence with none
    return text


def _first_round(text: str) -> str:
    """A phrase repeated back to back ("A. A. A." / "I'm sorry, I'm sorry") once."""
    for size in range(1, len(text) // 2 + 1):
        unit = text[:size]
        rest = text[size:]
        repeats = 1
        while rest.lstrip(" ,.").startswith(unit.strip(" ,.")) and unit.strip(" ,."):
            rest = rest.lstrip(" ,.")[len(unit.strip(" ,.")) :]
            repeats += 1
        if repeats >= 2 and not rest.strip(" ,."):
            once = unit.strip(" ,")
            end = text.rstrip()[-1]
            return once + end if end in ".?!" and not once.endswith(end) else once
    return text


def translate(model: LoadedModel, samples: np.ndarray, language: str | None) -> str:
    """English for 16 kHz int16 `samples` of speech in `language` (None: detected), as
    whisper writes it (`clean_translation` takes out what it invents)."""
    segments, _ = model.whisper.transcribe(
        samples.astype(np.float32) / 32768.0,
        language=language,
        task="translate",
        beam_size=BEAM_SIZE,
        condition_on_previous_text=False,
        without_timestamps=True,
        max_new_tokens=min(224, 16 + int(12 * len(samples) / SAMPLE_RATE)),
        vad_filter=False,
    )
    return " ".join(s.text.strip() for s in segments if s.text.strip())


def translates_instead(settings: RecognitionSettings) -> bool:
    """The translation alone is asked for: the engine decodes each sentence straight into
    English (one decode) instead of transcribing it and translating it (two)."""
    return settings.translation_target is not None and not settings.transcription_enabled


def with_translation(
    session: RecognitionSession, model: LoadedModel, settings: RecognitionSettings
) -> RecognitionSession:
    """`session` itself, or a TranslatingSession over it when the settings ask for one."""
    if settings.translation_target is None:
        return session
    check_translation(model, settings)
    return TranslatingSession(session, model, settings)


class TranslatingSession(RecognitionSession):
    """Another session's events, each final with its English translation attached.

    It keeps the audio it passes on until the final that covers it is out, then decodes
    that stretch with the translate task. With `transcription_enabled` off, partials are
    held back and finals carry the translation alone (text ""), as Gummy sends them: the
    inner session then decodes in English already (`translates_instead`), so its final's
    text and timed words become the translation and nothing is decoded twice.
    metrics: the inner session's, plus translate_ms_last and translate_ms_total.
    """

    def __init__(self, inner: RecognitionSession, model: LoadedModel, settings: RecognitionSettings) -> None:
        super().__init__()
        self._inner = inner
        self._model = model
        self._language = settings.language
        self._target = settings.translation_target or WHISPER_TARGET
        self._transcription = settings.transcription_enabled
        self._instead = translates_instead(settings)
        self._frames: collections.deque[AudioFrame] = collections.deque()
        self.metrics = inner.metrics
        self.metrics.update({"translate_ms_last": 0, "translate_ms_total": 0, "translated": 0})
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="captioner-translate")
        self._relay_task = asyncio.get_running_loop().create_task(self._relay())

    async def push(self, frame: AudioFrame) -> None:
        self._frames.append(frame)
        while self._frames and frame.end_ms - self._frames[0].start_ms > MAX_KEPT_MS:
            self._frames.popleft()
        await self._inner.push(frame)

    async def finish(self) -> None:
        await self._inner.finish()

    async def aclose(self) -> None:
        await self._inner.aclose()
        self._relay_task.cancel()
        self._executor.shutdown(wait=False)
        self._end()

    async def events(self) -> AsyncIterator[RecognitionEvent]:
        async for event in super().events():
            yield event

    async def _relay(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            async for event in self._inner.events():
                if isinstance(event, Sentence):
                    if not event.final:
                        if self._transcription:
                            self._emit(event)
                        continue
                    event = await self._translated(event, loop)
                self._emit(event)
        except RecognitionError as e:
            self._fail(e)
        except asyncio.CancelledError:
            raise
        except Exception as e:  # a translation failure ends the task, reported
            self._fail(RecognitionError("InternalError", f"On-device translation failed: {e}"))
        else:
            self._end()
        finally:
            self._executor.shutdown(wait=False)

    async def _translated(self, sentence: Sentence, loop: asyncio.AbstractEventLoop) -> Sentence:
        if self._instead:  # decoded in English already: its text is the translation
            english = clean_translation(sentence.text, "")
            words = sentence.words if english == sentence.text else ()
            self._frames.clear()
            return dataclasses.replace(
                sentence, text="", words=(), translation=Translation(self._target, english, words)
            )
        samples = self._audio(sentence.begin_ms - PAD_MS, sentence.end_ms + PAD_MS)
        # Audio up to this final is done with (the next sentence starts after it).
        while self._frames and self._frames[0].end_ms <= sentence.end_ms - PAD_MS:
            self._frames.popleft()
        text = ""
        if sentence.text and len(samples):
            started = time.perf_counter()
            text = await loop.run_in_executor(self._executor, translate, self._model, samples, self._language)
            text = clean_translation(text, sentence.text)
            ms = round((time.perf_counter() - started) * 1000)
            self.metrics["translate_ms_last"] = ms
            self.metrics["translate_ms_total"] += ms
            self.metrics["translated"] += 1
        translated = dataclasses.replace(sentence, translation=Translation(self._target, text))
        if not self._transcription:
            translated = dataclasses.replace(translated, text="", words=())
        return translated

    def _audio(self, begin_ms: int, end_ms: int) -> np.ndarray:
        """The kept samples between begin_ms and end_ms on the session clock."""
        pieces = []
        for frame in self._frames:
            if frame.end_ms <= begin_ms or frame.start_ms >= end_ms:
                continue
            samples = frame.samples
            lo = max(0, (begin_ms - frame.start_ms) * SAMPLE_RATE // 1000)
            hi = min(len(samples), (end_ms - frame.start_ms) * SAMPLE_RATE // 1000)
            pieces.append(samples[lo:hi])
        return np.concatenate(pieces) if pieces else np.zeros(0, dtype="<i2")
