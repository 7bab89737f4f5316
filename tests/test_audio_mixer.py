"""MixedSource: alignment by each input's own sample count, late/stopped inputs, levels.

Inputs are scripted (the test decides exactly which frame arrives when), so alignment is
checked to the sample; test_audio_live.py mixes a real microphone with real system audio.
"""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from captioner.audio.frames import FRAME_SAMPLES, AudioFrame, AudioSource, AudioSourceError
from captioner.audio.mixer import MixedSource

pytestmark = pytest.mark.timeout(30)

F = FRAME_SAMPLES
_END = object()


class ScriptedSource(AudioSource):
    """Yields exactly the frames the test sends, when it sends them."""

    def __init__(self, signal_: np.ndarray) -> None:
        self.signal = signal_.astype(np.float32)
        self.sent = 0
        self.closed = self.ended = False
        self._queue: asyncio.Queue = asyncio.Queue()

    def send(self, count: int = 1) -> None:
        for _ in range(count):
            chunk = self.signal[self.sent * F : (self.sent + 1) * F]
            pcm = (np.clip(chunk, -1, 1) * 32767).astype("<i2").tobytes()
            self._queue.put_nowait(AudioFrame(pcm, self.sent * 100))
            self.sent += 1

    def end(self) -> None:
        self.ended = True
        self._queue.put_nowait(_END)

    def fail(self, message: str) -> None:
        self._queue.put_nowait(AudioSourceError(message))

    async def frames(self):
        while True:
            item = await self._queue.get()
            if item is _END:
                return
            if isinstance(item, Exception):
                raise item
            yield item

    def close(self) -> None:
        self.closed = True
        self.end()


async def send_both(out: Collector, a: ScriptedSource, b: ScriptedSource, count: int) -> None:
    """Frames from two live devices arrive interleaved, one each, as they would in real time."""
    for _ in range(count):
        for source in (a, b):
            if source.sent * F < len(source.signal):
                source.send()
            elif not source.ended:
                source.end()  # a source that has nothing more to say ends
            await out.settle()


def impulses(seconds: float, at: list[int], height: float = 0.5) -> np.ndarray:
    x = np.zeros(int(seconds * 16000), np.float32)
    x[at] = height
    return x


class Collector:
    """Runs the mix in a task and collects its output."""

    def __init__(self, mixer: MixedSource) -> None:
        self.frames: list[AudioFrame] = []
        self.error: BaseException | None = None
        self.task = asyncio.create_task(self._run(mixer))

    async def _run(self, mixer: MixedSource) -> None:
        try:
            async for frame in mixer.frames():
                self.frames.append(frame)
        except BaseException as exc:
            self.error = exc

    async def settle(self) -> None:
        for _ in range(20):
            await asyncio.sleep(0)

    @property
    def audio(self) -> np.ndarray:
        if not self.frames:
            return np.zeros(0, np.float32)
        return np.concatenate([f.samples for f in self.frames]).astype(np.float32) / 32767


async def test_arrival_jitter_does_not_shift_audio():
    a = ScriptedSource(impulses(2, [8100, 20000]))
    b = ScriptedSource(impulses(2, [8100, 20000], 0.25))
    mix = MixedSource([a, b], balance=False)
    out = Collector(mix)
    a.send(), b.send()
    await out.settle()
    # A runs up to 200 ms ahead of B, then B catches up, in uneven bursts.
    # (A is never more than max_wait_ms = 300 ms ahead here; see the stalled-input test.)
    for burst_a, burst_b in [(2, 0), (1, 2), (2, 1), (0, 3), (3, 2), (2, 3), (3, 0), (1, 3), (3, 3), (2, 2)]:
        a.send(burst_a), await out.settle()
        b.send(burst_b), await out.settle()
    a.end(), b.end()
    await out.task
    x = out.audio
    assert out.error is None and len(x) == 32000
    assert [f.start_ms for f in out.frames] == [100 * i for i in range(20)]
    hits = np.flatnonzero(np.abs(x) > 0.05)
    assert hits.tolist() == [8100, 20000]
    assert x[8100] == pytest.approx(0.75, abs=2e-3)  # both impulses on the same sample
    assert all(s.late_ms == 0 and s.dropped_late_ms == 0 for s in mix.status())


async def test_late_starting_input_without_timestamp_is_placed_at_now():
    a = ScriptedSource(impulses(2, [12000]))
    b = ScriptedSource(impulses(1, [100]))
    mix = MixedSource([a, b], balance=False)
    out = Collector(mix)
    a.send(6)  # 600 ms of A before B's device delivers anything: the mix waits
    await out.settle()
    assert out.frames == []
    b.send()  # B's first 100 ms end "now", i.e. where A's audio ends (600 ms)
    await out.settle()
    await send_both(out, a, b, 14)
    a.end(), b.end()
    await out.task
    x = out.audio
    hits = np.flatnonzero(np.abs(x) > 0.05)
    assert hits.tolist() == [500 * 16 + 100, 12000]  # B's sample 100 at 500 ms + 100 samples
    status = {s.name: s for s in mix.status()}
    assert status["input 2"].origin_ms == 500 and status["input 2"].dropped_late_ms == 0


@pytest.mark.parametrize("b_starts_after_s", [0.55, -0.25])
async def test_inputs_are_lined_up_by_when_they_captured_their_first_sample(b_starts_after_s):
    """Devices start at different moments and deliver in bursts: the capture timestamp of each
    input's first sample, not frame arrival, decides where it sits."""
    a = ScriptedSource(impulses(3, [20000]))
    b = ScriptedSource(impulses(3, [20000 - round(b_starts_after_s * 16000)], 0.25))  # same instant
    a.first_sample_time = 1000.0
    b.first_sample_time = 1000.0 + b_starts_after_s
    mix = MixedSource([a, b], balance=False)
    out = Collector(mix)
    # Whoever started first has delivered that much more when the other's first frame comes.
    first, second = (a, b) if b_starts_after_s > 0 else (b, a)
    first.send(int(abs(b_starts_after_s) * 10))
    await out.settle()
    await send_both(out, second, first, 30)
    a.end(), b.end()
    await out.task
    x = out.audio
    shift = max(0, round(-b_starts_after_s * 16000))  # B began first: the session starts with B
    hits = np.flatnonzero(np.abs(x) > 0.05).tolist()
    assert hits == [20000 + shift]
    assert x[20000 + shift] == pytest.approx(0.75, abs=2e-3)
    assert all(s.dropped_late_ms == 0 and s.late_ms == 0 for s in mix.status())


async def test_an_input_that_never_starts_holds_the_mix_only_for_start_wait():
    a = ScriptedSource(np.full(48000, 0.1, np.float32))
    b = ScriptedSource(np.zeros(16000, np.float32))
    mix = MixedSource([a, b], start_wait_ms=500)
    out = Collector(mix)
    a.send(5)
    await out.settle()
    assert out.frames == []
    a.send(2)
    await out.settle()
    assert len(out.frames) == 2  # 700 ms of A: the first 200 ms go out without B
    mix.close()
    await out.task
    assert len(out.frames) == 7 and b.closed


async def test_stalled_input_gets_silence_then_stays_aligned_when_it_resumes():
    a = ScriptedSource(impulses(3, [30000]))
    b = ScriptedSource(impulses(3, [30000 + 50], 0.25))
    mix = MixedSource([a, b], balance=False, max_wait_ms=300)
    out = Collector(mix)
    a.send(), b.send()
    await out.settle()
    a.send(9)  # B stalls for 900 ms of A's audio
    await out.settle()
    assert len(out.frames) == 10 - 3  # the mix went on once A was 300 ms ahead
    b.send(9)  # B's late audio arrives in a burst: what was already mixed is dropped
    await out.settle()
    for _ in range(20):
        a.send(), b.send()
        await out.settle()
    a.end(), b.end()
    await out.task
    x = out.audio
    hits = np.flatnonzero(np.abs(x) > 0.05).tolist()
    assert hits == [30000, 30050]  # B still on its own sample clock relative to A
    status = {s.name: s for s in mix.status()}
    assert status["input 2"].late_ms > 0 and status["input 2"].dropped_late_ms > 0


async def test_ended_input_is_left_out_and_the_other_goes_on():
    a = ScriptedSource(np.full(32000, 0.2, np.float32))
    b = ScriptedSource(np.full(32000, 0.2, np.float32))
    mix = MixedSource([a, b], balance=False)
    out = Collector(mix)
    await send_both(out, a, b, 3)
    b.end()
    await out.settle()
    a.send(5)
    await out.settle()
    assert len(out.frames) == 8  # no waiting for the ended input
    a.end()
    await out.task
    x = out.audio
    assert x[: 3 * F].mean() == pytest.approx(0.4, abs=0.01) and x[4 * F :].mean() == pytest.approx(0.2, abs=0.01)


async def test_failing_input_fails_the_mix_with_its_name_and_closes_the_others():
    a = ScriptedSource(np.zeros(32000, np.float32))
    b = ScriptedSource(np.zeros(32000, np.float32))
    mix = MixedSource([a, b], names=["Microphone", "System audio"])
    out = Collector(mix)
    a.send(2), b.send(2)
    b.fail("device unplugged")
    await out.task
    assert isinstance(out.error, AudioSourceError)
    assert str(out.error) == "System audio: device unplugged"
    assert a.closed


async def test_loud_inputs_never_clip():
    t = np.arange(48000) / 16000
    loud = (0.95 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    a, b = ScriptedSource(loud), ScriptedSource(loud)
    mix = MixedSource([a, b])
    out = Collector(mix)
    for _ in range(30):
        a.send(), b.send()
        await out.settle()
    a.end(), b.end()
    await out.task
    pcm = np.concatenate([f.samples for f in out.frames])
    assert np.abs(pcm.astype(np.int32)).max() < 32767  # never at full scale
    assert np.abs(pcm).max() > 0.8 * 32767  # but loud (limited, not just attenuated)
    spectrum = np.abs(np.fft.rfft(pcm[16000:].astype(np.float64)))
    harmonics = spectrum[3 * 440 * 2 - 20 : 3 * 440 * 2 + 20].max() / spectrum.max()
    assert harmonics < 0.05  # limiting, not hard clipping: little distortion


async def test_quiet_microphone_is_balanced_against_loud_playback():
    t = np.arange(80000) / 16000
    quiet = (0.01 * np.sin(2 * np.pi * 300 * t)).astype(np.float32)  # -43 dBFS voice
    loud = (0.5 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)  # -9 dBFS playback
    a, b = ScriptedSource(quiet), ScriptedSource(loud)
    mix = MixedSource([a, b])
    out = Collector(mix)
    for _ in range(50):
        a.send(), b.send()
        await out.settle()
    a.end(), b.end()
    await out.task
    tail = out.audio[-16000:].astype(np.float64)
    spectrum = np.abs(np.fft.rfft(tail))
    ratio = spectrum[1000].max() / spectrum[300].max()  # 1 Hz bins over one second
    assert ratio < 4.0  # was 50 (34 dB) before balancing; the gain range is +-12 dB
    gains = mix.gains_db
    assert gains[0] > 6 and gains[1] < -3


async def test_close_ends_the_mix_with_what_was_delivered():
    a = ScriptedSource(np.full(32000, 0.1, np.float32))
    b = ScriptedSource(np.full(32000, 0.1, np.float32))
    mix = MixedSource([a, b])
    out = Collector(mix)
    await send_both(out, a, b, 3)
    mix.close()
    await asyncio.wait_for(out.task, 2)
    assert out.error is None and len(out.frames) == 3 and a.closed and b.closed
