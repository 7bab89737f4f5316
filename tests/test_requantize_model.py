"""packaging/requantize_model.py: the bundle's int8-stored whisper model is the model
CTranslate2 makes of the float16 one at load (issue #20, BENCHMARKS.md §10).

The proof on the whole evaluation set is bench/model_int8.py (every transcript identical);
here the file format round trip and the weights-in-memory claim on the real model."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from captioner.recognition.local.models import DEFAULT_COMPUTE_TYPE, resolve_model_dir

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging"))

import requantize_model  # noqa: E402


@pytest.fixture(scope="module")
def source() -> Path:
    return resolve_model_dir()


@pytest.fixture(scope="module")
def int8_dir(source: Path, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("int8") / "model"
    before, after = requantize_model.requantize_folder(source, target)
    assert after < 0.55 * before  # half the bytes, plus the per-row scales
    return target


def test_reading_and_writing_the_model_file_gives_back_the_same_bytes(source, tmp_path) -> None:
    """The parser and writer are CTranslate2's layout exactly: the shipped file re-serialises
    byte for byte (so the int8 file differs only where the weights were quantized)."""
    copy = tmp_path / "model.bin"
    requantize_model.write_model(requantize_model.read_model(source / "model.bin"), copy)
    assert copy.read_bytes() == (source / "model.bin").read_bytes()


def test_exactly_the_weights_ctranslate2_quantizes_are_stored_int8(source, int8_dir) -> None:
    before = {v.name: v for v in requantize_model.read_model(source / "model.bin").variables}
    after = {v.name: v for v in requantize_model.read_model(int8_dir / "model.bin").variables}
    quantized = {name for name, v in after.items() if v.dtype == "int8" and before[name].dtype != "int8"}
    assert quantized == {n for n in before if n.endswith("weight") and "conv" not in n}
    assert "decoder/embeddings/weight" in quantized and "encoder/conv1/weight" not in quantized
    for name in quantized:
        scale = after[f"{name}_scale"]
        assert scale.dtype == "float32" and scale.shape == (before[name].shape[0],)
        # Dequantized, each row is the original within half a quantization step.
        original = before[name].array().astype(np.float32).reshape(before[name].shape[0], -1)
        restored = after[name].array().astype(np.float32).reshape(original.shape) / scale.array()[:, None]
        assert np.all(np.abs(restored - original) <= 0.5 / scale.array()[:, None] + 1e-6)
    for name in set(before) - quantized:
        assert after[name] == before[name]  # biases, norms, encodings, flags: untouched


def test_ctranslate2_computes_bit_identically_from_both_folders(source, int8_dir) -> None:
    """Same int8 weights and scales in memory: the encoder's output and a beam-search decode
    of real speech (the demo sample) are bit-identical."""
    sys.path.insert(0, str(ROOT / "bench"))
    import model_int8

    result = model_int8.same_arithmetic(source, int8_dir)
    assert result["encoder_output_identical"] and result["encoder_max_abs_diff"] == 0.0
    assert result["decode_tokens_identical"] and result["tokens"] > 20
    assert result["decode_score"][0] == result["decode_score"][1]
    assert DEFAULT_COMPUTE_TYPE == "int8"  # the premise: what the app asks CTranslate2 for


def test_a_file_that_is_not_a_supported_model_is_refused(tmp_path) -> None:
    bad = tmp_path / "model.bin"
    bad.write_bytes((4).to_bytes(4, "little") + b"\0" * 10)
    with pytest.raises(requantize_model.RequantizeError, match="binary version 4"):
        requantize_model.read_model(bad)
    bad.write_bytes((6).to_bytes(4, "little") + b"\x05\x00Whi")
    with pytest.raises(requantize_model.RequantizeError, match="ends early|malformed"):
        requantize_model.read_model(bad)


def test_the_command_line_reports_the_sizes(source, tmp_path, capsys) -> None:
    assert requantize_model.main([str(source), str(tmp_path / "out")]) == 0
    assert "MB ->" in capsys.readouterr().out
    assert requantize_model.main([str(tmp_path / "missing"), str(tmp_path / "out2")]) == 1
