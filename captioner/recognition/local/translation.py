"""On-device translation into English: whisper's own translate task, sentence by sentence.

A multilingual whisper model can write what it hears in English instead of the spoken
language (the `translate` task). So the on-device engine translates without a second
model: when a sentence becomes final, the same audio is decoded once more with
`task="translate"`, and the English rides on the final as its `Translation` (the shape
Gummy uses). The transcription decode stays as it is (it is what the reader checks the
translation against), and the VAD's sentence boundaries stay the ones the transcript has.

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
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
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


def translate(model: LoadedModel, samples: np.ndarray, language: str | None) -> str:
    """English for 16 kHz int16 `samples` of speech in `language` (None: detected)."""
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
    held back and finals carry the translation alone (text ""), as Gummy sends them.
    metrics: the inner session's, plus translate_ms_last and translate_ms_total.
    """

    def __init__(self, inner: RecognitionSession, model: LoadedModel, settings: RecognitionSettings) -> None:
        super().__init__()
        self._inner = inner
        self._model = model
        self._language = settings.language
        self._target = settings.translation_target or WHISPER_TARGET
        self._transcription = settings.transcription_enabled
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
        samples = self._audio(sentence.begin_ms - PAD_MS, sentence.end_ms + PAD_MS)
        # Audio up to this final is done with (the next sentence starts after it).
        while self._frames and self._frames[0].end_ms <= sentence.end_ms - PAD_MS:
            self._frames.popleft()
        text = ""
        if sentence.text and len(samples):
            started = time.perf_counter()
            text = await loop.run_in_executor(self._executor, translate, self._model, samples, self._language)
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
