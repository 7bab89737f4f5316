"""Native-rate capture blocks -> 16 kHz int16 mono PCM, statefully, off the audio thread.

Devices run at whatever rate they like (44.1 kHz, 48 kHz, 96 kHz...) with one or more
channels; every engine wants 16 kHz mono. Downmixing first and then resampling one channel
with the streaming `Resampler` (resample.py) keeps the filter state across blocks, so block boundaries
leave no clicks and the output sample count tracks the input exactly (no drift of the
session clock). This runs on the asyncio side, never in PortAudio's callback.
"""

from __future__ import annotations

import numpy as np

from captioner.audio.frames import SAMPLE_RATE, float_to_pcm16
from captioner.audio.resample import Resampler


def downmix(block: np.ndarray) -> np.ndarray:
    """`(frames, channels)` float32 -> `(frames,)` float32 contiguous, by averaging channels."""
    if block.ndim == 1:
        return np.ascontiguousarray(block, dtype=np.float32)
    channels = block.shape[1]
    if channels == 1:
        return np.ascontiguousarray(block[:, 0], dtype=np.float32)
    if channels == 2:
        mono = block[:, 0] + block[:, 1]
        mono *= np.float32(0.5)
        return mono.astype(np.float32, copy=False)
    return block.mean(axis=1, dtype=np.float32)


class PcmConverter:
    """Stateful `(frames, channels)` float32 at `samplerate` -> 16 kHz mono int16 bytes."""

    def __init__(self, samplerate: float, quality: str = "HQ") -> None:
        self.samplerate = float(samplerate)
        self._resampler = Resampler(self.samplerate, SAMPLE_RATE, "float32", quality)
        self.samples_in = 0
        self.samples_out = 0

    def process(self, block: np.ndarray) -> bytes:
        mono = downmix(block)
        self.samples_in += len(mono)
        mono = self._resampler.push(mono)
        self.samples_out += len(mono)
        return float_to_pcm16(mono)

    def flush(self) -> bytes:
        """The resampler's tail (its filter delay) at the end of the stream."""
        tail = self._resampler.flush()
        self.samples_out += len(tail)
        return float_to_pcm16(tail)
