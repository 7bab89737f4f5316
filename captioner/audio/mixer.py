"""Microphone + system audio as one stream: aligned, balanced, never clipping.

Alignment is by each input's own sample count, not by when its frames happen to arrive: an
input's place on the session clock is fixed once, when its first frame arrives, and from
then on its frames land at that origin plus their own `start_ms`, so arrival jitter never
shifts audio. Devices start up to ~2 s apart, so the origin comes from the one wall-clock
reading that is unavoidable: when each input captured its first sample
(`first_sample_time`, which CaptureSource records in its first callback). For sources that
do not know it, the first sample is put at "now" (the freshest audio of the inputs already
running). The mix waits up to `start_wait_ms` for every input to start. Accuracy is the
difference between the devices' own latencies, which no timestamp here sees: one click
played into two PulseAudio devices lands about 8 ms apart in the mix (tests allow 20 ms).

The output advances when every running input has audio for the next frame. If one input is
late by more than `max_wait_ms` (a stalled device, a slower clock), the others are not held
hostage: the frame goes out with silence in the late input's place, and audio that input
delivers later for positions already mixed is dropped (counted) so it stays sample-aligned.
An input that ends is simply left out; one that fails makes the mix fail with its name in
the message, so the user can restart capture on another device.

Levels: each input gets a slow automatic gain towards a common speech level (clamped to
+-12 dB, adapting only while the input carries sound), so a quiet microphone is not drowned
by loud playback; the sum goes through a peak limiter (instant attack, slow release) and a
soft clipper, so the 16-bit output never clips.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np

from captioner.audio.frames import (
    FRAME_SAMPLES,
    SAMPLE_RATE,
    AudioFrame,
    AudioSource,
    AudioSourceError,
    float_to_pcm16,
    samples_to_ms,
)
from captioner.audio.health import InputHealth

TARGET_RMS = 0.1  # -20 dBFS: a comfortable speech level for every engine
ACTIVE_RMS = 0.003  # -50 dBFS: below this an input is "quiet" and its gain is not adapted
LIMIT_CEILING = 0.89  # -1 dBFS
SOFT_KNEE = 0.9

_END = object()


def _first_time(source: AudioSource) -> float | None:
    """time.monotonic() of the source's first sample, if it knows (live capture does)."""
    return getattr(source, "first_sample_time", None)


@dataclass(frozen=True, slots=True)
class MixerInputStatus:
    name: str
    started: bool
    ended: bool
    #: Where the input's sample 0 sits on the session clock.
    origin_ms: int
    #: Current automatic * user gain.
    gain: float
    #: Silence put in its place because it was late, and its late audio dropped.
    late_ms: int
    dropped_late_ms: int
    health: InputHealth | None


class _Input:
    """One input's state: its pending samples and where they sit on the session clock."""

    def __init__(self, source: AudioSource, name: str, gain: float) -> None:
        self.source = source
        self.name = name
        self.user_gain = gain
        self.auto_gain = 1.0
        self.level: float | None = None
        self.origin: int | None = None  # session position of the input's own sample 0
        self.pos = 0  # session position of pending[0]
        self.pending = np.zeros(0, np.float32)
        self.ended = False
        self.late_samples = 0
        self.dropped_late = 0

    @property
    def started(self) -> bool:
        return self.origin is not None

    @property
    def end(self) -> int:
        return self.pos + len(self.pending)


class MixedSource(AudioSource):
    """Several live sources summed into one 16 kHz stream on one session clock."""

    def __init__(
        self,
        sources: Sequence[AudioSource],
        *,
        names: Sequence[str] | None = None,
        gains: Sequence[float] | None = None,
        balance: bool = True,
        max_wait_ms: int = 300,
        start_wait_ms: int = 2500,
        max_gain_db: float = 12.0,
    ) -> None:
        """`max_wait_ms`: how far one input may lag before the mix goes on without it;
        `start_wait_ms`: how long the mix waits for every input's first audio (the first
        PortAudio stream of a process can take ~2 s to start)."""
        if not sources:
            raise ValueError("MixedSource needs at least one source")
        names = list(names) if names is not None else [f"input {i + 1}" for i in range(len(sources))]
        gains = list(gains) if gains is not None else [1.0] * len(sources)
        self._inputs = [_Input(s, n, g) for s, n, g in zip(sources, names, gains, strict=True)]
        self.balance = balance
        self.max_wait = SAMPLE_RATE * max_wait_ms // 1000
        self.start_wait = SAMPLE_RATE * start_wait_ms // 1000
        self._max_gain = 10 ** (max_gain_db / 20)
        self._out = 0  # session position of the next output sample
        self._limiter_gain = 1.0
        self._release_per_frame = 10 ** (6.0 * (FRAME_SAMPLES / SAMPLE_RATE) / 20)  # 6 dB/s
        self._started = False

    @property
    def sources(self) -> list[AudioSource]:
        return [i.source for i in self._inputs]

    async def frames(self) -> AsyncIterator[AudioFrame]:
        if self._started:
            raise RuntimeError("MixedSource.frames() can be iterated only once")
        self._started = True
        queue: asyncio.Queue = asyncio.Queue(maxsize=8 * len(self._inputs))
        tasks = [asyncio.create_task(self._pump(i, inp.source, queue)) for i, inp in enumerate(self._inputs)]
        try:
            while not all(inp.ended for inp in self._inputs):
                index, item = await queue.get()
                inp = self._inputs[index]
                if item is _END:
                    inp.ended = True
                elif isinstance(item, BaseException):
                    # keep the kind: a device that failed is still a device problem
                    kind = type(item) if isinstance(item, AudioSourceError) else AudioSourceError
                    raise kind(f"{inp.name}: {item}") from item
                else:
                    self._accept(inp, item)
                while self._ready():
                    yield self._mix(FRAME_SAMPLES)
            # Every input ended: what is still pending goes out too.
            while (n := max((inp.end for inp in self._inputs if inp.started), default=self._out) - self._out) > 0:
                yield self._mix(min(n, FRAME_SAMPLES))
        finally:
            for inp in self._inputs:
                inp.source.close()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    @staticmethod
    async def _pump(index: int, source: AudioSource, queue: asyncio.Queue) -> None:
        try:
            # frames() is an async generator (the AudioSource protocol only promises an iterator).
            async with contextlib.aclosing(cast(AsyncGenerator[AudioFrame, None], source.frames())) as frames:
                async for frame in frames:
                    await queue.put((index, frame))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # handed to the mixing loop, which names the input
            await queue.put((index, exc))
            return
        await queue.put((index, _END))

    def _accept(self, inp: _Input, frame: AudioFrame) -> None:
        samples = frame.samples.astype(np.float32) * np.float32(1 / 32768)
        own = frame.start_ms * SAMPLE_RATE // 1000
        if inp.origin is None:
            self._place(inp, own, len(samples))
        assert inp.origin is not None  # placed above
        at = inp.origin + own
        if at > inp.end:  # the source skipped ahead on its own clock: keep the gap silent
            inp.pending = np.concatenate((inp.pending, np.zeros(at - inp.end, np.float32)))
        elif at < inp.end:  # positions it was late for (already mixed as silence)
            cut = min(inp.end - at, len(samples))
            samples = samples[cut:]
            inp.dropped_late += cut
        inp.pending = np.concatenate((inp.pending, samples)) if len(inp.pending) else samples
        if inp.pos < self._out:  # placed before the output head: that part is already mixed
            cut = min(self._out - inp.pos, len(inp.pending))
            inp.pending = inp.pending[cut:]
            inp.pos += cut
            inp.dropped_late += cut

    def _place(self, inp: _Input, own: int, length: int) -> None:
        """Fix the input's origin on the session clock from its first frame."""
        started = [o for o in self._inputs if o.started]
        anchor = next((o for o in started if _first_time(o.source) is not None), None)
        first_time = _first_time(inp.source)
        if first_time is not None and anchor is not None:
            # Both know when their first sample was captured (read now: live sources refine
            # the estimate as callbacks come): used once; after this only sample counts matter.
            anchor_origin, anchor_time = anchor.origin, _first_time(anchor.source)
            assert anchor_origin is not None and anchor_time is not None  # started, and chosen for its time
            start = anchor_origin + round((first_time - anchor_time) * SAMPLE_RATE) + own
        elif started:
            start = max(o.end for o in started) - length  # its first frame ends "now"
        else:
            start = self._out
        if start < self._out and self._out == 0:
            # Nothing mixed yet and this input began before the others: start the session
            # with it instead of dropping its first audio.
            for o in started:
                assert o.origin is not None  # started
                o.origin += -start
                o.pos += -start
            start = 0
        inp.origin = start - own
        inp.pos = start

    def _ready(self) -> bool:
        started = [i for i in self._inputs if i.started]
        if not started:
            return False
        target = self._out + FRAME_SAMPLES
        leader = max(i.end for i in started)
        if any(not i.started and not i.ended for i in self._inputs) and leader < target + self.start_wait:
            return False  # give the slower device time to start, so nothing of it is lost
        running = [i for i in started if not i.ended]
        if running and all(i.end >= target for i in running):
            return True
        return leader >= target + self.max_wait

    def _mix(self, n: int) -> AudioFrame:
        out = np.zeros(n, np.float32)
        for inp in self._inputs:
            if not inp.started:
                continue
            if inp.pos < self._out:  # late with nothing pending (pending never lies behind the head)
                inp.pos = self._out
            offset = inp.pos - self._out
            if offset >= n:
                continue
            take = min(n - offset, len(inp.pending))
            if take > 0:
                seg = inp.pending[:take]
                g0 = inp.user_gain * inp.auto_gain
                self._adapt(inp, seg)
                g1 = inp.user_gain * inp.auto_gain
                gain = np.linspace(g0, g1, take, dtype=np.float32) if g0 != g1 else np.float32(g1)
                out[offset : offset + take] += seg * gain
                inp.pending = inp.pending[take:]
                inp.pos += take
            missing = n - offset - take
            if missing > 0 and not inp.ended:
                inp.late_samples += missing
                inp.pos = self._out + n  # its audio for these positions, if it comes, is dropped
        frame = AudioFrame(float_to_pcm16(self._limit(out)), samples_to_ms(self._out))
        self._out += n
        return frame

    def _adapt(self, inp: _Input, seg: np.ndarray) -> None:
        if not self.balance:
            return
        rms = float(np.sqrt(np.mean(seg * seg))) if len(seg) else 0.0
        if rms < ACTIVE_RMS:
            return
        inp.level = rms if inp.level is None else 0.9 * inp.level + 0.1 * rms
        target = min(self._max_gain, max(1 / self._max_gain, TARGET_RMS / inp.level))
        inp.auto_gain += (target - inp.auto_gain) * 0.3

    def _limit(self, out: np.ndarray) -> np.ndarray:
        peak = float(np.max(np.abs(out))) if len(out) else 0.0
        needed = LIMIT_CEILING / peak if peak > LIMIT_CEILING else 1.0
        g0 = self._limiter_gain
        if needed < g0:  # attack at once, over the whole frame
            out *= np.float32(needed)
            self._limiter_gain = needed
        else:  # release slowly, ramped
            g1 = min(1.0, g0 * self._release_per_frame, needed)
            if g0 != 1.0 or g1 != 1.0:
                out *= np.linspace(g0, g1, len(out), dtype=np.float32)
            self._limiter_gain = g1
        over = np.abs(out) > SOFT_KNEE
        if over.any():
            x = out[over]
            room = 1.0 - SOFT_KNEE
            out[over] = np.sign(x) * (SOFT_KNEE + room * np.tanh((np.abs(x) - SOFT_KNEE) / room))
        return out

    def close(self) -> None:
        """Close every input; `frames()` mixes what they already delivered and ends."""
        for inp in self._inputs:
            inp.source.close()

    @property
    def dropped_ms(self) -> float:
        """What the inputs dropped for a slow consumer, plus late audio the mix had to skip."""
        return sum(inp.source.dropped_ms + samples_to_ms(inp.dropped_late) for inp in self._inputs)

    def status(self) -> list[MixerInputStatus]:
        result = []
        for inp in self._inputs:
            status = getattr(inp.source, "status", None)
            health = status() if callable(status) else None
            result.append(
                MixerInputStatus(
                    name=inp.name,
                    started=inp.started,
                    ended=inp.ended,
                    origin_ms=samples_to_ms(inp.origin) if inp.origin is not None else 0,
                    gain=inp.user_gain * inp.auto_gain,
                    late_ms=samples_to_ms(inp.late_samples),
                    dropped_late_ms=samples_to_ms(inp.dropped_late),
                    health=health if isinstance(health, InputHealth) else None,
                )
            )
        return result

    def health(self) -> list[InputHealth]:
        """Meter, "no audio detected" and losses of every input that can tell (live capture)."""
        return [s.health for s in self.status() if s.health is not None]

    @property
    def gains_db(self) -> list[float]:
        return [20 * math.log10(max(1e-9, i.user_gain * i.auto_gain)) for i in self._inputs]
