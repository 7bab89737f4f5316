"""What lets a cloud session survive a dropped connection: the audio kept for a replay, and
the clock that maps a task's times back onto the session's.

`DashScopeSession` (realtime.py) keeps every pushed frame in an `AudioLog` until a final
covers it, and sends each task's audio through a `TaskEncoder` (the rate the task asked
for), or, for a file sent as its own compressed packets, through a `TaskMuxer`
(audio/packets.py), which starts each task's stream afresh so a replay decodes. A
`TaskClock` per task remembers which stretches of the task's audio were real and which
were keep-alive silence, so results from a replayed or paused task land at the right
session time. None of this does I/O; it is tested on its own.
"""

from __future__ import annotations

import bisect
import collections
import dataclasses

import numpy as np

from captioner.audio.frames import BYTES_PER_SAMPLE, FRAME_SAMPLES, SAMPLE_RATE, AudioFrame
from captioner.audio.packets import EncodedFrame
from captioner.audio.resample import Resampler
from captioner.events import Sentence, Word

SAMPLES_PER_MS = SAMPLE_RATE // 1000

#: Replay bounds (see AudioLog): an open sentence keeps at most this much of its audio for a
#: replay (a two-minute sentence is rare), and the log never holds more than MAX_RETAINED_MS
#: (about 19 MB) whatever happens.
REPLAY_WINDOW_MS = 120_000
MAX_RETAINED_MS = 600_000


class TaskClock:
    """Task audio time -> session time, for one task.

    The service times results by the audio the task received. Real frames advance both
    clocks together (a run); injected keep-alive silence advances only the task's. A task
    time inside injected silence maps to the end of the run before it. Positions are kept in
    samples, so odd frame lengths do not drift.
    """

    def __init__(self, fallback_ms: int) -> None:
        self.task_samples = 0
        self._starts: list[int] = []  # task sample where each run starts
        self._runs: list[tuple[int, int]] = []  # (session start in samples, length in samples)
        self._fallback = fallback_ms * SAMPLES_PER_MS

    def add_real(self, frame: AudioFrame | EncodedFrame) -> None:
        n = frame.sample_count
        session = frame.start_ms * SAMPLES_PER_MS
        if self._runs:
            s0, length = self._runs[-1]
            if self._starts[-1] + length == self.task_samples and abs(s0 + length - session) < SAMPLES_PER_MS:
                self._runs[-1] = (s0, length + n)
                self.task_samples += n
                return
        self._starts.append(self.task_samples)
        self._runs.append((session, n))
        self.task_samples += n

    def add_silence(self, samples: int) -> None:
        self.task_samples += samples

    def to_session(self, task_ms: int) -> int:
        t = task_ms * SAMPLES_PER_MS
        i = bisect.bisect_right(self._starts, t) - 1
        if i < 0:
            return round((self._runs[0][0] if self._runs else self._fallback) / SAMPLES_PER_MS)
        s0, length = self._runs[i]
        return round((s0 + min(t - self._starts[i], length)) / SAMPLES_PER_MS)

    def map(self, s: Sentence) -> Sentence:
        begin = self.to_session(s.begin_ms)
        offset = begin - s.begin_ms
        words = s.words + (s.translation.words if s.translation is not None else ())
        times = [s.end_ms] + [t for w in words for t in (w.begin_ms, w.end_ms)]
        if all(self.to_session(t) == t + offset for t in times):
            return s.shifted(offset)
        translation = s.translation
        if translation is not None and translation.words:  # Gummy times the translation's words too
            translation = dataclasses.replace(translation, words=self._mapped(translation.words))
        return dataclasses.replace(
            s, begin_ms=begin, end_ms=self.to_session(s.end_ms), words=self._mapped(s.words), translation=translation
        )

    def _mapped(self, words: tuple[Word, ...]) -> tuple[Word, ...]:
        return tuple(
            dataclasses.replace(w, begin_ms=self.to_session(w.begin_ms), end_ms=self.to_session(w.end_ms))
            for w in words
        )


class AudioLog:
    """Session audio the service has not finalised yet, plus audio not yet sent.

    Frames are numbered in push order (seq). Frames up to the end of the last final are
    dropped; a frame the last final ends inside is cut there, so a replay starts exactly
    where the transcript stands. Two bounds keep it finite, both counted in
    `truncated_ms`: a sentence still open `window_ms` after its start (as far as the
    service has reported hearing) loses its oldest audio, and whatever happens, no more
    than `max_retained_ms` is kept (a long silence yields no results at all).

    "Sent" is not "heard": a file fed faster than real time may be far ahead of the
    service, so the window is measured from what results show the service has heard.

    A chunk of compressed packets (EncodedFrame) cannot be cut: the one a final ends inside
    is kept whole, so its replay starts up to a chunk (~100 ms) early, and anything in it the
    transcript already has comes back in a final that ends no later than the last one, which
    the session drops.
    """

    def __init__(self, window_ms: int, max_retained_ms: int) -> None:
        self.frames: collections.deque[AudioFrame | EncodedFrame] = collections.deque()
        self.first_seq = 0
        self.window_ms = window_ms
        self.max_retained_ms = max(window_ms, max_retained_ms)
        self.fresh_seq = 0  # frames below this were sent at least once
        self.pushed_samples = 0
        self.fresh_samples = 0  # samples of frames sent at least once
        self.truncated_ms = 0

    @property
    def end_seq(self) -> int:
        return self.first_seq + len(self.frames)

    @property
    def unsent_ms(self) -> int:
        return (self.pushed_samples - self.fresh_samples) // SAMPLES_PER_MS

    def append(self, frame: AudioFrame | EncodedFrame) -> None:
        self.frames.append(frame)
        self.pushed_samples += frame.sample_count

    def get(self, seq: int) -> AudioFrame | EncodedFrame | None:
        i = seq - self.first_seq
        return self.frames[i] if 0 <= i < len(self.frames) else None

    def sent(self, seq: int) -> None:
        """Frame `seq` went out; keep the log under max_retained_ms."""
        newest = self.get(seq)
        if seq >= self.fresh_seq:
            self.fresh_seq = seq + 1
            if newest is not None:
                self.fresh_samples += newest.sample_count
        while (
            newest is not None
            and self.first_seq < seq
            and newest.end_ms - self.frames[0].start_ms > self.max_retained_ms
        ):
            self._truncate()

    def heard(self, end_ms: int, cursor: int) -> None:
        """A result shows the service heard audio up to end_ms."""
        while self.frames and self.first_seq < cursor and self.frames[0].end_ms <= end_ms - self.window_ms:
            self._truncate()

    def finalised(self, end_ms: int, cursor: int) -> None:
        """Audio up to end_ms is in a delivered final; keep only what follows (and what is
        not yet sent on the current task, `cursor` and beyond, whatever its time)."""
        while self.frames and self.first_seq < cursor and self.frames[0].end_ms <= end_ms:
            self._pop()
        if self.frames and self.first_seq < cursor:
            f = self.frames[0]
            if isinstance(f, AudioFrame) and f.start_ms < end_ms < f.end_ms:
                cut = (end_ms - f.start_ms) * SAMPLES_PER_MS * BYTES_PER_SAMPLE
                self.frames[0] = AudioFrame(f.pcm[cut:], end_ms)

    def _truncate(self) -> None:
        self.truncated_ms += self.frames[0].duration_ms
        self._pop()

    def _pop(self) -> None:
        self.frames.popleft()
        self.first_seq += 1


class TaskEncoder:
    """16 kHz session PCM -> the task's sample rate (8 kHz telephone models, or others)."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self._resampler = Resampler(SAMPLE_RATE, rate, "int16")

    def encode(self, pcm: bytes) -> bytes:
        if self._resampler.passthrough:
            return pcm
        return self._resampler.push(np.frombuffer(pcm, dtype="<i2")).astype("<i2").tobytes()

    def flush(self) -> bytes:
        """What the resampler still holds (its filter delay): sent before finish-task."""
        return self._resampler.flush().astype("<i2").tobytes()

    def silence(self, ms: int) -> bytes:
        return bytes(self.rate * ms // 1000 * BYTES_PER_SAMPLE)


def pieces(frame: AudioFrame) -> list[AudioFrame]:
    """The service wants about 100 ms per binary frame (1-16 KB); longer frames are cut."""
    size = FRAME_SAMPLES * BYTES_PER_SAMPLE
    if len(frame.pcm) <= size * 3 // 2:
        return [frame]
    return [
        AudioFrame(frame.pcm[i : i + size], frame.start_ms + i // BYTES_PER_SAMPLE // SAMPLES_PER_MS)
        for i in range(0, len(frame.pcm), size)
    ]
