"""Utterances cut by Silero VAD, decoded on one worker thread: what the on-device engines share.

Both on-device engines (whisper.py, moonshine.py) caption the same way, and this is that way;
they differ only in how often partials come and how a decode is made and turned into words.

- The VAD (vad.py) runs over every frame on the session clock; a hole in the frames up to
  the sentence-ending silence is filled with silence, a longer one ends the open utterance
  and the clock jumps over it.
- While an utterance is open and the worker is idle, a partial decodes the speech heard so
  far (at most every `partial_every_ms` of speech); in a pause that has lasted
  `early_after_ms`, an early final starts the final's decode. Neither is ever queued behind
  other work: it would be stale by the time it ran.
- When the VAD hears the utterance end, its final is queued; finals are decoded in order and
  never skipped. An early final for that very utterance and pause is used instead of a
  second decode.
- A sentence a reader saw is never taken back: a partial on screen is always followed by a
  final that covers it, with the partial's text if the final's decode found nothing.
- When finals pile up (a slow machine, or a file read faster than real time), partials stop
  first, then `push` waits, so the bounded bridge upstream drops and counts frames instead
  of memory growing, and an EngineStatus("lagging") tells the user why captions trail.
"""

from __future__ import annotations

import abc
import asyncio
import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

import numpy as np

from captioner.audio.frames import SAMPLE_RATE, AudioFrame
from captioner.events import EngineStatus, RecognitionError, Sentence, Usage
from captioner.recognition.base import RecognitionSession
from captioner.recognition.local.vad import SpeechEnded, SpeechStarted, VadEvent, VadParams, VadSegmenter
from captioner.settings import RecognitionSettings

#: Speech waiting for its final decode (not counting the one being decoded) that makes the
#: engine report it is lagging, and speech queued in all beyond which `push` waits.
LAGGING_BACKLOG_MS = 3000
MAX_BACKLOG_MS = 20_000
#: A hole in the frame clock up to the sentence-ending silence is filled with silence; a
#: longer one ends the open sentence and the clock jumps over it.
CLOCK_SLACK_MS = 20

PARTIAL, EARLY, FINAL = "partial", "early", "final"


class DecodedText(Protocol):
    """What the shared scheduling needs of an engine's decode result."""

    @property
    def text(self) -> str: ...

    @property
    def seconds(self) -> float: ...


DecodedT = TypeVar("DecodedT", bound=DecodedText)


@dataclass
class OpenUtterance:
    number: int
    begin_ms: int
    #: Session time of the speech heard when the next partial is due.
    partial_due_ms: int
    #: VAD time before which its audio belongs to the previous utterance (after a cut).
    floor_ms: int | None = None
    #: VAD time of the pause an early final was queued for.
    early_for_ms: int | None = None
    #: (session time the partial's audio ends, its words) for every partial decoded, for an
    #: engine that times the final's words by them (Moonshine).
    seen: list[tuple[int, list[str]]] = field(default_factory=list)


@dataclass(frozen=True)
class Job:
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
        """Decoded as a final (for whisper: beam search and word timestamps)."""
        return self.kind != PARTIAL


class UtteranceSession(RecognitionSession, Generic[DecodedT]):
    """One recognition task on an on-device engine. Driven from one asyncio loop.

    An engine sets `partial_every_ms` and `first_partial_after_ms` and implements `_decode`
    (on the worker thread), `_partial` (show a partial) and `_final_sentence` (the final of
    a decode); the hooks below default to doing nothing.

    metrics: rtf (decode time / audio pushed, partials included), decode_ms_last,
    backlog_ms (speech queued for finals), final_delay_ms_last (endpoint to final, wall time),
    early_finals (finals whose decode was done during the pause before the endpoint).
    """

    #: Speech heard between two partial decodes of the same utterance, and before the first.
    partial_every_ms: int
    first_partial_after_ms: int

    def __init__(
        self, settings: RecognitionSettings, params: VadParams, *, early_after_ms: int, thread_name: str
    ) -> None:
        super().__init__()
        self.settings = settings
        self._vad = VadSegmenter(params)
        #: Pause after which a final's decode may start (an early final).
        self._early_after_ms = early_after_ms
        self._offset_ms: int | None = None  # session time of the VAD's time zero
        self._pushed_ms = 0
        self._open: OpenUtterance | None = None
        self._utterances = 0
        self._next_sentence_id = 1
        self._on_screen: Sentence | None = None  # the partial shown last, until its final
        self._early: tuple[tuple[int, int], DecodedT] | None = None  # (utterance, end_ms), result
        self._ends: dict[int, int] = {}  # where utterances whose final is queued ended
        self._jobs: asyncio.Queue[Job | None] = asyncio.Queue()
        self._busy = False
        self._decoding_final = False
        self._backlog_ms = 0  # audio of finals queued or being decoded
        self._waiting_ms = 0  # ... of those not yet started
        self._lagging = False
        self._progress = asyncio.Event()
        self._finishing = False
        self._decode_s = 0.0
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=thread_name)
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

    # What an engine provides --------------------------------------------------------

    @abc.abstractmethod
    def _decode(self, job: Job) -> DecodedT:
        """Runs on the worker thread, so it touches nothing the loop changes."""

    @abc.abstractmethod
    def _partial(self, job: Job, decoded: DecodedT) -> None:
        """Show a partial's decode."""

    @abc.abstractmethod
    def _final_sentence(self, job: Job, decoded: DecodedT) -> Sentence | None:
        """The final of an utterance's decode, or None if it holds no text."""

    def _partial_may_start(self) -> bool:
        """Whether a partial that is due may be decoded now."""
        return True

    def _final_queued(self, job: Job, utterance: OpenUtterance) -> None:
        """The utterance ended and its final is queued."""

    def _decoded_open(self, job: Job, decoded: DecodedT) -> None:
        """A partial or an early final has just been decoded (before it is used)."""

    def _early_decoded(self, job: Job, decoded: DecodedT) -> None:
        """An early final has been decoded and kept for its final."""

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
                first_due = begin + self.first_partial_after_ms
                self._open = OpenUtterance(self._utterances, begin, first_due, event.floor_ms)
            elif isinstance(event, SpeechEnded) and self._open is not None:
                job = self._job(FINAL, event.begin_ms, event.end_ms, event.pauses, event.ceiling_ms)
                self._jobs.put_nowait(job)
                self._ends[job.utterance] = job.end_ms
                self._final_queued(job, self._open)
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
    ) -> Job:
        assert self._open is not None
        clip = self._vad.clip(begin_vad_ms, end_vad_ms, self._open.floor_ms, ceiling_ms)
        return Job(
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
            now = self._session_ms(position)
            if now >= utterance.partial_due_ms and self._partial_may_start():
                utterance.partial_due_ms = now + self.partial_every_ms
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
                if job.kind != FINAL:
                    self._decoded_open(job, decoded)
                if job.kind == PARTIAL:
                    self._partial(job, decoded)
                elif job.kind == EARLY:
                    self._early = ((job.utterance, job.end_ms), decoded)
                    self._early_decoded(job, decoded)
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

    def _stale(self, job: Job) -> bool:
        """A partial of an utterance that has ended, or an early final for a pause that did
        not end the utterance (speech resumed)."""
        current = self._open is not None and self._open.number == job.utterance
        if job.kind == PARTIAL:
            return not current
        if not current:
            return self._ends.get(job.utterance) != job.end_ms
        pause = self._vad.pause_from_ms
        return pause is None or self._session_ms(pause) != job.end_ms

    def _early_result(self, job: Job) -> DecodedT | None:
        """The early decode of this very final, if one was made."""
        if job.kind != FINAL:
            return None
        early, self._early = self._early, None
        if early is not None and early[0] == (job.utterance, job.end_ms):
            self.metrics["early_finals"] += 1
            return early[1]
        return None

    def _finalised(self, job: Job, decoded: DecodedT) -> None:
        del self._ends[job.utterance]
        self._backlog_ms -= job.audio_ms
        self.metrics["backlog_ms"] = self._backlog_ms
        self.metrics["final_delay_ms_last"] = round((time.perf_counter() - job.queued_at) * 1000)
        self._progress.set()
        shown = self._on_screen
        sentence = self._final_sentence(job, decoded)
        if sentence is not None:
            self._final(sentence)
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
