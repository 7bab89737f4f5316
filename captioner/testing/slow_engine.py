"""An engine slower than real time behind live capture, shared by tests/test_slow_engine.py and
bench/fault_suite.py (the same scenario in CI and in the fault suite).

Capture runs through the real CaptureSource (callback thread, bridge, resampler); the device is
a thread that delivers 48 kHz stereo blocks at real-time pace as PortAudio would. The engine is
the trivial one made `slowdown` times slower than the audio.
"""

import asyncio
import threading
import time

import numpy as np
import psutil  # type: ignore[import-untyped]  # a test dependency, without stubs

from captioner.audio.capture import CaptureSource
from captioner.audio.devices import InputDevice
from captioner.pipeline import AudioDropped, CaptionSession
from captioner.settings import RecognitionSettings
from captioner.testing.trivial import TrivialRecognizer

RATE, BLOCK = 48000, 480  # 10 ms blocks, as PortAudio delivers them


class PacedDevice:
    """A capture stream whose callback runs on its own thread in real time."""

    def __init__(self, device, samplerate, channels, callback, finished_callback) -> None:
        self.callback, self.finished = callback, finished_callback
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        t = np.arange(RATE) / RATE
        second = np.stack([0.3 * np.sin(2 * np.pi * 220 * t)] * 2, axis=1).astype(np.float32)
        start, n = time.monotonic(), 0
        while not self._stop.is_set():
            i = (n * BLOCK) % RATE
            self.callback(second[i : i + BLOCK], BLOCK, None, 0)
            n += 1
            delay = start + n * BLOCK / RATE - time.monotonic()
            if delay > 0:
                time.sleep(delay)

    def start(self) -> None:
        self._thread.start()

    def abort(self) -> None:
        self._stop.set()
        self.finished()

    def close(self) -> None:
        self._stop.set()


async def run_slow_engine_session(seconds: float, slowdown: float = 2.5) -> dict:
    """Capture for `seconds` into an engine `slowdown` times slower than real time."""
    device = InputDevice(name="paced", description="paced test device", host_api="test", channels=2, samplerate=RATE)
    source = CaptureSource(device, capacity_ms=2000, stream_factory=PacedDevice)
    engine = TrivialRecognizer(frame_delay=0.1 * slowdown)
    session = CaptionSession(source, engine, RecognitionSettings())
    drops: list[float] = []
    session.subscribe(lambda e: drops.append(e.total_ms) if isinstance(e, AudioDropped) else None)
    process = psutil.Process()
    task = asyncio.create_task(session.run())
    rss, t0 = [], time.monotonic()
    while time.monotonic() - t0 < seconds:
        await asyncio.sleep(0.5)
        rss.append(process.memory_info().rss)
    stopped_at = time.monotonic()
    session.stop()
    transcript = await asyncio.wait_for(task, 10)
    return {
        "captured_seconds": seconds,
        "engine_speed": f"1/{slowdown} of real time",
        "audio_dropped_s": round(session.dropped_ms / 1000, 1),
        "drop_reports": len(drops),
        "bridge_max_lag_ms": round(source.bridge_stats().max_lag_ms),
        "bridge_capacity_ms": round(source.bridge_stats().capacity_ms),
        "rss_growth_mb": round((max(rss) - rss[1]) / 2**20, 1),
        "stop_took_s": round(time.monotonic() - stopped_at, 2),
        "finals": len(transcript.finals),
        "state": session.state.value,
        "drops_monotonic": drops == sorted(drops),
        "gaps": len(transcript.gaps),
        "gaps_total_s": round(transcript.dropped_ms / 1000, 1),
        "gaps_in_order": [g.at_ms for g in transcript.gaps] == sorted(g.at_ms for g in transcript.gaps),
    }
