"""An engine slower than real time behind live capture: memory stays bounded, the lag is
reported, and Stop still ends the session promptly (no deadlock).

Capture runs through the real CaptureSource (callback thread, bridge, resampler); the
device is a thread that delivers 48 kHz stereo blocks at real-time pace as PortAudio would
(the real-device path is tested with PulseAudio in test_audio_live.py). The engine is the
trivial one made 2.5x slower than the audio.
"""

import pytest

from captioner.pipeline import SessionState
from captioner.testing.slow_engine import run_slow_engine_session

# Eight seconds of real-time capture, by design.
pytestmark = pytest.mark.slow


async def test_a_slow_engine_drops_oldest_audio_reports_it_and_still_stops():
    r = await run_slow_engine_session(8)
    assert r["state"] == SessionState.STOPPED.value
    # Stop drains what the bridge holds (the last words before Stop): at most its 2 s of
    # audio at the engine's speed, 2 s x 2.5 = 5 s. More than that would mean a deadlock.
    assert r["stop_took_s"] < 8
    assert r["audio_dropped_s"] > 1.5  # 8 s captured, ~3.2 s processed, 2 s buffered
    assert r["drop_reports"] >= 1 and r["drops_monotonic"]
    assert r["bridge_max_lag_ms"] <= r["bridge_capacity_ms"]
    assert r["rss_growth_mb"] < 20
    # Every dropped millisecond is marked in the transcript, where it happened.
    assert r["gaps"] >= 1 and r["gaps_in_order"]
    assert abs(r["gaps_total_s"] - r["audio_dropped_s"]) <= 0.1
