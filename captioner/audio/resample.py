"""One streaming resampler for every rate change: soxr's `ResampleStream`, mono.

Sound reaches the app at many rates (a device's 44.1 or 48 kHz, a media file's own rate, a
client's 8 kHz telephone audio) and the cloud's 8 kHz models want it back at 8 kHz. Each of
those conversions goes through `Resampler`, so they all behave alike: soxr's filter state is
kept across blocks (no clicks at block boundaries, and the output length tracks the input
exactly, so the session clock never drifts), audio passes through untouched when the rates
already match, and `flush()` returns what the filter still holds at the end of a stream.
"""

from __future__ import annotations

import numpy as np

DTYPES = ("float32", "int16")


class Resampler:
    """Mono samples at `in_rate` -> mono samples at `out_rate`, block by block.

    `dtype` is "float32" or "int16" (soxr works in that type; the output has it too).
    `quality` is soxr's ("HQ" by default, "VHQ", "MQ", "LQ", "QQ").
    """

    def __init__(self, in_rate: float, out_rate: float, dtype: str = "float32", quality: str = "HQ") -> None:
        if dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {DTYPES}, not {dtype!r}")
        self.in_rate = float(in_rate)
        self.out_rate = float(out_rate)
        self.dtype = np.dtype(dtype)
        self._stream = None
        if round(self.in_rate) != round(self.out_rate):
            import soxr

            self._stream = soxr.ResampleStream(self.in_rate, self.out_rate, 1, dtype=dtype, quality=quality)

    @property
    def passthrough(self) -> bool:
        """True when the rates match and samples are handed back as they came."""
        return self._stream is None

    def push(self, samples: np.ndarray) -> np.ndarray:
        """The resampled block (shorter than its share while the filter fills up)."""
        samples = np.asarray(samples, dtype=self.dtype)
        if self._stream is None:
            return samples
        return self._stream.resample_chunk(samples)

    def flush(self) -> np.ndarray:
        """The tail the filter still holds (its delay): call once, at the end of the stream."""
        empty = np.zeros(0, self.dtype)
        if self._stream is None:
            return empty
        return self._stream.resample_chunk(empty, last=True)
