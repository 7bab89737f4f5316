"""Silero VAD v6 in numpy: the network faster-whisper ships, without onnxruntime.

The on-device engine needs one speech probability per 32 ms window (vad.py). onnxruntime
ran that 300 kB network, and cost the bundle 36.6 MB plus a telemetry switch (privacy.py).
This is the same forward pass, operator for operator, on the same weights:
resources/silero_vad_v6.npz, extracted from faster_whisper/assets/silero_vad_v6.onnx by
resources/extract_silero.py, which checks every node of the graph against what is written
here and refuses a model that differs. tests/test_silero.py compares it with onnxruntime on
real speech (probabilities and LSTM state within 1e-5).

The graph, per window of 64 context + 512 new samples (n windows at once, in order):
1. reflection padding of 128 samples each side; an STFT as a strided convolution with a
   fixed basis (258 filters of 256 samples, hop 128), of whose 5 frames the first is
   dropped; magnitude sqrt(re^2 + im^2) of 129 bins -> (4 frames, 129);
2. four convolutions (kernel 3, padding 1, strides 1, 2, 2, 1; 129 -> 128 -> 64 -> 64 ->
   128 channels), each followed by ReLU -> one 128-vector per window;
3. an LSTM (hidden 128, ONNX gate order i, o, f, c) running across the windows, its state
   (h, c) carried in and out: the stream's memory;
4. ReLU, a 1x1 convolution to one value, sigmoid: the probability.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from captioner.resources import resource

#: The weights file under resources/.
WEIGHTS = "silero_vad_v6.npz"
#: Samples per input row: 64 of context then a 512-sample window.
INPUT_SAMPLES = 576
HIDDEN = 128
_PAD = 128
_HOP = 128
_BINS = 129
_STRIDES = (1, 2, 2, 1)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.float32(1) / (np.float32(1) + np.exp(-x))


class SileroModel:
    """The network with its weights, stateless: call it with the LSTM state to carry.

    Safe to share between threads (it only reads its weights).
    """

    def __init__(self, weights: Path | None = None) -> None:
        with np.load(weights or resource(WEIGHTS)) as data:
            w = {name: data[name].astype(np.float32) for name in data.files if name != "source_sha256"}
        # Everything reshaped once for matrix products: frames (.., 256) @ basis.
        self._basis = np.ascontiguousarray(w["stft_basis"].reshape(2 * _BINS, 2 * _HOP).T)
        #: Convolutions as (3 * in, out) matrices over [x(t-1), x(t), x(t+1)] concatenated.
        self._convs = [
            (
                np.ascontiguousarray(w[f"conv{i}_w"].transpose(2, 1, 0).reshape(-1, w[f"conv{i}_w"].shape[0])),
                w[f"conv{i}_b"],
                stride,
            )
            for i, stride in enumerate(_STRIDES)
        ]
        self._lstm_w = np.ascontiguousarray(w["lstm_w"][0].T)  # (128 in, 512)
        self._lstm_r = np.ascontiguousarray(w["lstm_r"][0].T)  # (128 hidden, 512)
        self._lstm_b = w["lstm_b"][0, : 4 * HIDDEN] + w["lstm_b"][0, 4 * HIDDEN :]
        self._decoder_w = np.ascontiguousarray(w["decoder_w"].reshape(1, HIDDEN).T)  # (128, 1)
        self._decoder_b = w["decoder_b"].reshape(1)

    def __call__(self, x: np.ndarray, h: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(probabilities (n,), h, c) for input rows `x` (n, 576) float32 and the LSTM
        state `h`, `c` (1, 1, 128) left by the previous call (zeros at the start)."""
        x = np.asarray(x, dtype=np.float32)
        if x.ndim != 2 or x.shape[1] != INPUT_SAMPLES:
            raise ValueError(f"Silero takes rows of {INPUT_SAMPLES} samples, got shape {x.shape}")
        n = x.shape[0]
        # Reflection padding, then the STFT frames at hop 128 from the second one on: the
        # padded row's samples 128..768 are 5 blocks of 128, frame k = blocks k and k+1.
        padded = np.concatenate([x[:, _PAD:0:-1], x, x[:, -2 : -_PAD - 2 : -1]], axis=1)
        blocks = padded[:, _HOP : _HOP + 5 * _HOP].reshape(n, 5, _HOP)
        spectrum = blocks[:, :4] @ self._basis[:_HOP] + blocks[:, 1:] @ self._basis[_HOP:]  # (n, 4, 258)
        features = np.sqrt(spectrum[..., :_BINS] ** 2 + spectrum[..., _BINS:] ** 2)  # (n, 4, 129)
        for matrix, bias, stride in self._convs:
            features = np.maximum(self._conv(features, matrix, bias, stride), np.float32(0))
        inputs = features.reshape(n, HIDDEN) @ self._lstm_w + self._lstm_b  # (n, 512)
        h_t = np.asarray(h, dtype=np.float32).reshape(1, HIDDEN)
        c_t = np.asarray(c, dtype=np.float32).reshape(1, HIDDEN)
        outputs = np.empty((n, HIDDEN), dtype=np.float32)
        for i in range(n):
            gates = inputs[i : i + 1] + h_t @ self._lstm_r
            sig = _sigmoid(gates[:, : 3 * HIDDEN])  # input, output, forget
            cell = np.tanh(gates[:, 3 * HIDDEN :])
            c_t = sig[:, 2 * HIDDEN :] * c_t + sig[:, :HIDDEN] * cell
            h_t = sig[:, HIDDEN : 2 * HIDDEN] * np.tanh(c_t)
            outputs[i] = h_t[0]
        logits = np.maximum(outputs, np.float32(0)) @ self._decoder_w + self._decoder_b
        probs = _sigmoid(logits.reshape(n)).astype(np.float32)
        return probs, h_t.reshape(1, 1, HIDDEN), c_t.reshape(1, 1, HIDDEN)

    @staticmethod
    def _conv(x: np.ndarray, matrix: np.ndarray, bias: np.ndarray, stride: int) -> np.ndarray:
        """1-D convolution, kernel 3, zero padding 1, over x (n, time, channels)."""
        zeros = np.zeros((x.shape[0], 1, x.shape[2]), dtype=np.float32)
        padded = np.concatenate([zeros, x, zeros], axis=1)
        length = (x.shape[1] - 1) // stride + 1
        taps = [padded[:, k : k + stride * (length - 1) + 1 : stride] for k in range(3)]
        return np.concatenate(taps, axis=2) @ matrix + bias
