"""The one streaming resampler: passthrough at equal rates, exact lengths across blocks,
the filter's tail on flush, float32 and int16."""

from __future__ import annotations

import numpy as np
import pytest

from captioner.audio.resample import Resampler


def test_equal_rates_pass_samples_through_untouched() -> None:
    r = Resampler(16000, 16000.0, "int16")
    x = np.arange(-800, 800, dtype=np.int16)
    assert r.passthrough and r.push(x) is x
    assert r.flush().size == 0 and r.flush().dtype == np.int16


@pytest.mark.parametrize(("rate_in", "rate_out", "dtype"), [(48000, 16000, "float32"), (44100, 16000, "float32"),
                                                             (8000, 16000, "int16"), (16000, 8000, "int16")])  # fmt: skip
def test_blocks_add_up_to_the_exact_length_with_the_tail(rate_in, rate_out, dtype) -> None:
    r = Resampler(rate_in, rate_out, dtype)
    seconds = 2
    t = np.arange(rate_in * seconds) / rate_in
    x = 0.5 * np.sin(2 * np.pi * 440 * t)
    x = x.astype(np.float32) if dtype == "float32" else (x * 32767).astype(np.int16)
    pieces = [r.push(x[i : i + 997]) for i in range(0, len(x), 997)] + [r.flush()]
    assert all(p.dtype == np.dtype(dtype) for p in pieces)
    assert sum(len(p) for p in pieces) == rate_out * seconds
    assert not r.passthrough and len(pieces[-1]) > 0  # the filter delay comes back at the end


def test_only_float32_and_int16() -> None:
    with pytest.raises(ValueError, match="dtype"):
        Resampler(8000, 16000, "float64")
