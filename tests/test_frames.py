import itertools

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from captioner.audio.frames import FRAME_SAMPLES, AudioFrame, FrameCutter, float_to_pcm16


@given(st.lists(st.integers(min_value=0, max_value=5000), max_size=30))
def test_cutter_emits_contiguous_100ms_frames_and_loses_no_sample(block_sizes):
    cutter, frames, total = FrameCutter(), [], 0
    for n in block_sizes:
        frames += cutter.push(np.arange(total, total + n, dtype=np.int64).astype("<i2").tobytes())
        total += n
    frames += cutter.flush()
    assert sum(f.sample_count for f in frames) == total
    assert all(f.sample_count == FRAME_SAMPLES for f in frames[:-1])
    for a, b in itertools.pairwise(frames):
        assert a.end_ms == b.start_ms
    joined = np.concatenate([f.samples for f in frames]) if frames else np.zeros(0)
    assert np.array_equal(joined, np.arange(total).astype("<i2"))


def test_level_and_clipping():
    pcm = float_to_pcm16(np.array([2.0, -2.0, 0.5, -0.5]))
    frame = AudioFrame(pcm, 0)
    assert list(frame.samples) == [32767, -32767, 16383, -16383]
    rms, peak = frame.level()
    assert 0.79 < rms < 0.8 and peak > 0.99
    assert AudioFrame(b"", 0).level() == (0.0, 0.0)
