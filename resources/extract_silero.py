"""Extract the weights of faster-whisper's Silero VAD (assets/silero_vad_v6.onnx) into
resources/silero_vad_v6.npz, for the numpy forward pass in
captioner/recognition/local/silero.py. A developer runs it once per new Silero model:

    .venv/bin/pip install --target /tmp/onnxpkg onnx   # the `onnx` package: this script only
    .venv/bin/python resources/extract_silero.py --onnx-path /tmp/onnxpkg

Why: onnxruntime (36.6 MB in the bundle, with telemetry that has to be switched off) ran
only this 300 kB network. The script does not trust the graph to be what the port
assumes: it checks every node (operator, attributes, constants: the reflection padding,
the STFT framing and slices, the conv strides, the LSTM size) against the forward pass
that silero.py implements, and refuses a model that differs, then compares the port with
onnxruntime on the demo sample (tests/test_silero.py does that again on real speech).
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "resources" / "silero_vad_v6.npz"

#: (operator, attributes) of every node, in order: the graph silero.py implements.
EXPECTED_OPS = [
    ("Pad", {"mode": b"reflect"}),
    ("Unsqueeze", {}),
    ("Conv", {"dilations": [1], "group": 1, "kernel_shape": [256], "pads": [0, 0], "strides": [128]}),
    ("Slice", {}),
    ("Slice", {}),
    ("Pow", {}),
    ("Pow", {}),
    ("Add", {}),
    ("Sqrt", {}),
    *[
        op
        for stride in (1, 2, 2, 1)
        for op in (
            ("Conv", {"dilations": [1], "group": 1, "kernel_shape": [3], "pads": [1, 1], "strides": [stride]}),
            ("Relu", {}),
        )
    ],
    ("Transpose", {"perm": [0, 2, 1]}),
    ("LSTM", {"hidden_size": 128}),
    ("Squeeze", {}),
    ("Relu", {}),
    ("Transpose", {"perm": [1, 2, 0]}),
    ("Conv", {"dilations": [1], "group": 1, "kernel_shape": [1], "pads": [0, 0], "strides": [1]}),
    ("Sigmoid", {}),
    ("Reshape", {"allowzero": 0}),
]

#: Constants the port hard-codes: padding of 128 samples each side, STFT frames 1.. (frame
#: 0 dropped), channels 0..128 real and 129.. imaginary, squared magnitudes.
EXPECTED_CONSTANTS = {
    "/encoder/feature_extractor/padding/Reshape_1_output_0": [0, 128, 0, 128],
    "_v_142": [0, 1],
    "_v_143": [129, 2**63 - 1],
    "_v_144": [1, 2],
    "_v_145": [1, 1],
    "_v_147": [129, 1],
    "_v_148": [2**63 - 1, 2**63 - 1],
    "/encoder/feature_extractor/Constant_17_output_0": 2.0,
}

#: npz name <- ONNX initializer.
WEIGHTS = {
    "stft_basis": "encoder.feature_extractor.forward_basis_buffer",
    **{f"conv{i}_w": f"encoder.conv_layers.{i}.weight" for i in range(4)},
    **{f"conv{i}_b": f"encoder.conv_layers.{i}.bias" for i in range(4)},
    "lstm_w": "onnx::LSTM_209",
    "lstm_r": "onnx::LSTM_210",
    "lstm_b": "onnx::LSTM_211",
    "decoder_w": "decoder.conv1d.weight",
    "decoder_b": "decoder.conv1d.bias",
}


def source_model() -> Path:
    import faster_whisper

    return Path(faster_whisper.__file__).parent / "assets" / "silero_vad_v6.onnx"


def check_graph(model) -> None:
    import onnx
    from onnx import numpy_helper

    nodes = list(model.graph.node)
    ops = [(n.op_type, {a.name: onnx.helper.get_attribute_value(a) for a in n.attribute}) for n in nodes]
    for got, want in zip(ops, EXPECTED_OPS, strict=False):
        got_attrs = {k: (list(v) if isinstance(v, list | tuple) else v) for k, v in got[1].items()}
        if got[0] != want[0] or any(got_attrs.get(k) != v for k, v in want[1].items()):
            raise SystemExit(f"the graph differs from the port: {got} where {want} was expected")
    if len(ops) != len(EXPECTED_OPS):
        raise SystemExit(f"the graph has {len(ops)} nodes, the port implements {len(EXPECTED_OPS)}")
    lstm = next(n for n in nodes if n.op_type == "LSTM")
    attrs = {a.name for a in lstm.attribute}
    if attrs - {"hidden_size"}:
        raise SystemExit(f"LSTM attributes {attrs} beyond hidden_size: the port assumes ONNX's defaults")
    constants = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    for name, value in EXPECTED_CONSTANTS.items():
        if name not in constants or not np.array_equal(constants[name], np.asarray(value)):
            raise SystemExit(f"constant {name} is {constants.get(name)}, the port assumes {value}")


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Extract Silero VAD weights into resources/.")
    parser.add_argument("--onnx-path", help="a folder holding the onnx package (searched after the venv)")
    args = parser.parse_args()
    if args.onnx_path:
        sys.path.append(args.onnx_path)  # after the venv: its numpy wins
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError:
        print("extract_silero: needs the `onnx` package (see the docstring)", file=sys.stderr)
        return 2
    path = source_model()
    model = onnx.load(str(path))
    check_graph(model)
    constants = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    arrays = {name: np.ascontiguousarray(constants[source].astype(np.float32)) for name, source in WEIGHTS.items()}
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    np.savez(TARGET, source_sha256=np.asarray(digest), **arrays)
    print(f"extract_silero: {path.name} ({digest[:12]}) -> {TARGET.relative_to(ROOT)} ({TARGET.stat().st_size} bytes)")

    sys.path.insert(0, str(ROOT))
    import onnxruntime
    from faster_whisper.audio import decode_audio

    from captioner.recognition.local.silero import SileroModel

    audio = decode_audio(str(ROOT / "resources" / "sample.ogg")).astype(np.float32)
    n = len(audio) // 512
    windows = audio[: n * 512].reshape(n, 512)
    contexts = np.concatenate([np.zeros((1, 64), np.float32), windows[:-1, -64:]])
    x = np.concatenate([contexts, windows], axis=1)
    h = np.zeros((1, 1, 128), np.float32)
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    want, _, _ = session.run(None, {"input": x, "h": h, "c": h})
    got, _, _ = SileroModel()(x, h, h)
    print(f"extract_silero: {n} windows of the demo sample, max |numpy - onnxruntime| = {np.abs(got - want).max():.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
