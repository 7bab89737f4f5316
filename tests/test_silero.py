"""The numpy Silero VAD (captioner/recognition/local/silero.py) against onnxruntime running
the model it was extracted from: same probabilities and state on real speech.

onnxruntime is a test dependency only (faster-whisper requires it, the app and the bundle
no longer load it); here it is the reference."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from captioner.recognition.local.silero import INPUT_SAMPLES, WEIGHTS, SileroModel
from captioner.recognition.local.vad import CONTEXT_SAMPLES, WINDOW_SAMPLES
from captioner.resources import resource
from captioner.testing.corpus import build

#: Probability and state agreement demanded of the port (float32 sums in another order:
#: measured up to 1.3e-5 on the cell state, 1e-6 on probabilities).
TOLERANCE = 1e-4


def onnx_path() -> Path:
    import faster_whisper

    return Path(faster_whisper.__file__).parent / "assets" / "silero_vad_v6.onnx"


def model_input(samples: np.ndarray) -> np.ndarray:
    """Rows of 64 context + 512 window samples, as vad.SileroStream builds them."""
    audio = samples.astype(np.float32) / 32768 if samples.dtype == np.int16 else samples.astype(np.float32)
    n = len(audio) // WINDOW_SAMPLES
    windows = audio[: n * WINDOW_SAMPLES].reshape(n, WINDOW_SAMPLES)
    contexts = np.concatenate([np.zeros((1, CONTEXT_SAMPLES), np.float32), windows[:-1, -CONTEXT_SAMPLES:]])
    return np.ascontiguousarray(np.concatenate([contexts, windows], axis=1))


@pytest.fixture(scope="module")
def onnx_session():
    import onnxruntime

    return onnxruntime.InferenceSession(str(onnx_path()), providers=["CPUExecutionProvider"])


@pytest.mark.parametrize("case", ["clean", "noise_10db", "telephone", "music"])
def test_numpy_silero_equals_onnxruntime_on_real_audio(onnx_session, case) -> None:
    """LibriVox read speech and espeak voices (clean, in pink noise, through a phone line)
    and music: every window's probability, and the LSTM state after the last one."""
    x = model_input(build(case).samples)
    zeros = np.zeros((1, 1, 128), np.float32)
    want = onnx_session.run(None, {"input": x, "h": zeros, "c": zeros})
    got = SileroModel()(x, zeros, zeros)
    for name, a, b in zip(("probabilities", "h", "c"), got, want, strict=True):
        # The cell state grows large (~100) in long speech: relative agreement there.
        np.testing.assert_allclose(a.reshape(-1), np.asarray(b).reshape(-1), rtol=1e-5, atol=TOLERANCE, err_msg=name)
    probs = got[0]
    assert len(probs) == len(x) > 500
    # Not a degenerate pass: wideband speech has sure speech and sure silence in it
    # (telephone-band speech Silero only half-recognises: vad.py's NoiseFloor).
    if case in ("clean", "noise_10db"):
        assert (probs > 0.9).any() and (probs < 0.1).any()


def test_state_carried_between_calls_equals_one_call() -> None:
    """Chunked calls with the state handed on give the one-call result (what streaming does),
    up to float32 rounding (BLAS sums a batch of rows in another order than one row)."""
    x = model_input(build("clean").samples)[:400]
    model = SileroModel()
    h = c = np.zeros((1, 1, 128), np.float32)
    parts = []
    for chunk in np.split(x, [1, 3, 4, 100, 257]):
        probs, h, c = model(chunk, h, c)
        parts.append(probs)
    whole, h1, c1 = model(x, np.zeros_like(h), np.zeros_like(c))
    np.testing.assert_allclose(np.concatenate(parts), whole, atol=1e-6)
    np.testing.assert_allclose(h, h1, atol=1e-6)
    np.testing.assert_allclose(c, c1, rtol=1e-6, atol=1e-6)


def test_the_weights_are_those_of_the_model_faster_whisper_ships() -> None:
    """A faster-whisper with another Silero would need resources/extract_silero.py run again."""
    with np.load(resource(WEIGHTS)) as data:
        recorded = str(data["source_sha256"])
    assert recorded == hashlib.sha256(onnx_path().read_bytes()).hexdigest()


@pytest.mark.parametrize("shape", [(3, 512), (576,), (2, 3, 576)])
def test_input_of_the_wrong_shape_is_refused(shape) -> None:
    zeros = np.zeros((1, 1, 128), np.float32)
    with pytest.raises(ValueError, match=str(INPUT_SAMPLES)):
        SileroModel()(np.zeros(shape, np.float32), zeros, zeros)
