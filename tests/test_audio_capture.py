"""CaptureSource logic with a scripted stream standing in for PortAudio (no sound server).

The same callback PortAudio would call is driven from a thread, so the hand-off, the
watchdog, overflow counting, close() from other threads and the conversion to 16 kHz frames
are tested exactly; test_audio_live.py repeats the important ones on a real device.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time

import numpy as np
import pytest

from captioner.audio.capture import CaptureSource
from captioner.audio.convert import PcmConverter, downmix
from captioner.audio.devices import InputDevice
from captioner.audio.frames import FRAME_SAMPLES, AudioFrame, AudioSourceError
from captioner.audio.health import Level, LevelMeter, SilenceDetector

pytestmark = pytest.mark.timeout(30)


class Flags:
    def __init__(self, input_overflow: bool = False) -> None:
        self.input_overflow = input_overflow

    def __bool__(self) -> bool:
        return self.input_overflow


class ScriptedStream:
    """Calls the capture callback like PortAudio does, from its own thread."""

    def __init__(self, device, samplerate, channels, callback, finished_callback) -> None:
        self.samplerate, self.channels = samplerate, channels
        self.callback, self.finished_callback = callback, finished_callback
        self.started = self.aborted = self.closed = False
        self.abort_delay = 0.0

    def start(self) -> None:
        self.started = True

    def abort(self) -> None:
        time.sleep(self.abort_delay)
        self.aborted = True
        self.finished_callback()

    def close(self) -> None:
        self.closed = True

    def feed(self, block: np.ndarray, overflow: bool = False) -> None:
        self.callback(block, len(block), None, Flags(overflow))

    def play(self, signal_: np.ndarray, block: int = 441, realtime: bool = False) -> threading.Thread:
        def run():
            for i in range(0, len(signal_), block):
                if self.aborted or self.closed:
                    return
                self.feed(signal_[i : i + block])
                if realtime:
                    time.sleep(block / self.samplerate)

        t = threading.Thread(target=run, daemon=True)
        t.start()
        return t


DEVICE = InputDevice(name="test-mic", description="Test", host_api="ALSA", channels=2, samplerate=44100)


def make_source(**kwargs) -> tuple[CaptureSource, ScriptedStream]:
    streams = []

    def factory(*args):
        streams.append(ScriptedStream(*args))
        return streams[0]

    return CaptureSource(DEVICE, stream_factory=factory, **kwargs), streams[0]


def stereo_tone(freq: float, seconds: float, rate: int, amp: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    x = (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return np.stack([x, x], axis=1)


def peak_hz(samples: np.ndarray, rate: int = 16000) -> float:
    x = samples.astype(np.float64) * np.hanning(len(samples))
    return float(np.argmax(np.abs(np.fft.rfft(x))) * rate / len(samples))


# -- conversion ------------------------------------------------------------------------------


@pytest.mark.parametrize("rate", [44100, 48000, 96000, 16000])
def test_converter_any_rate_to_16k_keeps_frequency_and_length(rate):
    signal_ = stereo_tone(440, 2.0, rate)
    conv = PcmConverter(rate)
    rng = np.random.default_rng(1)
    pcm, i = bytearray(), 0
    while i < len(signal_):  # irregular block sizes, as PortAudio may deliver
        n = int(rng.integers(1, 2000))
        pcm += conv.process(signal_[i : i + n])
        i += n
    pcm += conv.flush()
    out = np.frombuffer(bytes(pcm), "<i2")
    assert abs(len(out) - 32000) <= 2
    assert abs(peak_hz(out) - 440) <= 2
    rms = np.sqrt(np.mean((out[1600:-1600] / 32768.0) ** 2))
    assert rms == pytest.approx(0.5 / np.sqrt(2), rel=0.02)


def test_downmix_averages_channels():
    block = np.array([[1.0, 0.0], [0.5, 0.5], [-1.0, 1.0]], np.float32)
    assert np.allclose(downmix(block), [0.5, 0.5, 0.0])
    assert np.allclose(downmix(np.ones((4, 3), np.float32)), 1.0)
    assert downmix(block[:, :1]).flags.c_contiguous


# -- the source ------------------------------------------------------------------------------


async def test_frames_are_100ms_16k_on_a_contiguous_clock():
    source, stream = make_source()
    stream.play(stereo_tone(440, 1.0, 44100))
    frames = []
    async for frame in source.frames():
        frames.append(frame)
        if len(frames) == 9:
            source.close()
    assert all(f.sample_count == FRAME_SAMPLES for f in frames[:9])
    assert [f.start_ms for f in frames] == [100 * i for i in range(len(frames))]
    assert abs(sum(f.sample_count for f in frames) - 16000) <= 2  # close() kept everything captured
    assert abs(peak_hz(np.concatenate([f.samples for f in frames[:10]])) - 440) <= 5
    assert stream.started and stream.closed and source.wait_closed(2)


async def test_overflow_flags_are_counted():
    source, stream = make_source()
    block = np.zeros((441, 2), np.float32)
    for i in range(10):
        stream.feed(block, overflow=i % 3 == 0)
    source.close()
    [f async for f in source.frames()]
    assert source.overflows == 4 and source.callbacks == 10


async def test_stream_ending_by_itself_raises_clear_error():
    source, stream = make_source()
    stream.play(stereo_tone(440, 0.3, 44100)).join()
    threading.Timer(0.05, stream.finished_callback).start()  # PortAudio gave up on the device
    got = []
    with pytest.raises(AudioSourceError, match="test-mic.*stopped"):
        async for frame in source.frames():
            got.append(frame)
    assert sum(f.sample_count for f in got) == pytest.approx(4800, abs=2)  # all audio captured before it


async def test_watchdog_no_first_callback():
    source, _ = make_source(start_timeout_s=0.2)
    t0 = time.monotonic()
    with pytest.raises(AudioSourceError, match="no audio within 0.2 s"):
        [f async for f in source.frames()]
    assert time.monotonic() - t0 < 2


async def test_watchdog_callbacks_stop_and_close_does_not_hang():
    """A frozen sound server: no more callbacks, and aborting the stream blocks for ages."""
    source, stream = make_source(stall_timeout_s=0.3, close_timeout_s=0.2)
    stream.abort_delay = 5.0
    stream.play(stereo_tone(440, 0.5, 44100), realtime=True)
    t0 = time.monotonic()
    with pytest.raises(AudioSourceError, match="stopped delivering audio"):
        [f async for f in source.frames()]
    assert time.monotonic() - t0 < 2.0  # 0.5 s audio + 0.3 s watchdog + 0.2 s close budget


async def test_close_from_another_thread_ends_frames_promptly():
    source, stream = make_source()
    stream.play(stereo_tone(440, 30, 44100), realtime=True)
    closer = threading.Timer(0.4, source.close)
    closer.start()
    t0 = time.monotonic()
    n = 0
    async for _ in source.frames():
        n += 1
    assert time.monotonic() - t0 < 1.5 and n >= 2


async def test_close_from_signal_handler():
    """Ctrl-C in the CLI: loop.add_signal_handler(SIGINT, source.close)."""
    source, stream = make_source()
    stream.play(stereo_tone(440, 30, 44100), realtime=True)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, source.close)
    try:
        loop.call_later(0.3, os.kill, os.getpid(), signal.SIGUSR1)
        t0 = time.monotonic()
        n = sum([1 async for _ in source.frames()])
    finally:
        loop.remove_signal_handler(signal.SIGUSR1)
    assert time.monotonic() - t0 < 1.5 and n >= 1


async def test_close_before_iterating_and_cancellation_release_the_stream():
    source, stream = make_source()
    source.close()
    assert [f async for f in source.frames()] == []
    assert source.wait_closed(2) and stream.closed

    source, stream = make_source()
    stream.play(stereo_tone(440, 30, 44100), realtime=True)

    async def consume():
        async for _ in source.frames():
            pass

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert source.wait_closed(2) and stream.closed


async def test_slow_consumer_drops_are_reported_in_status():
    source, stream = make_source(capacity_ms=200)
    stream.play(stereo_tone(440, 2.0, 44100))  # 2 s delivered as fast as possible
    agen = source.frames()
    await anext(agen)
    await asyncio.sleep(0.5)  # consumer stuck while the producer floods
    source.close()
    rest = [f async for f in agen]
    status = source.status()
    assert status.dropped_ms > 0 and source.bridge_stats().max_lag_ms <= 200 + 1e-6
    assert sum(f.duration_ms for f in rest) < 2000


async def test_status_reports_silence_and_levels():
    source, stream = make_source(no_audio_after_ms=300)
    agen = source.frames()
    stream.feed(np.zeros((44100, 2), np.float32))
    for _ in range(4):
        await anext(agen)
    status = source.status()
    assert status.running and status.no_audio and status.silent_ms == 400
    assert "no audio detected" in status.message and status.level.rms == 0.0
    source.close()
    [f async for f in agen]
    assert source.status().message == "test-mic: stopped"


# -- health ----------------------------------------------------------------------------------


def frame_of(values: np.ndarray) -> AudioFrame:
    return AudioFrame((np.clip(values, -1, 1) * 32767).astype("<i2").tobytes())


def test_level_meter_and_peak_hold():
    meter = LevelMeter(decay_db_per_s=20)
    loud = meter.update(frame_of(np.full(1600, 0.5)))
    assert loud.rms == pytest.approx(0.5, abs=1e-3) and loud.peak_db == pytest.approx(-6.02, abs=0.05)
    quiet = meter.update(frame_of(np.zeros(1600)))
    assert quiet == Level(0.0, 0.0) and quiet.rms_db == -96.0
    assert meter.held_peak == pytest.approx(0.5 * 10 ** (-2 / 20), rel=1e-3)  # 100 ms at 20 dB/s


def test_silence_detector_needs_uninterrupted_digital_silence():
    det = SilenceDetector(after_ms=500)
    dither = frame_of(np.random.default_rng(0).choice([-1, 0, 1], 1600) / 32768)
    for _ in range(4):
        assert not det.update(dither)
    assert not det.update(frame_of(np.full(1600, 0.01)))  # any real sound resets it
    for _ in range(5):
        det.update(dither)
    assert det.no_audio and det.silent_ms == 500
