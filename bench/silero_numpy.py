"""The numpy Silero VAD against onnxruntime: CPU per frame, and the words on the evaluation set.

captioner/recognition/local/silero.py runs faster-whisper's Silero v6 network in numpy so the
app and the bundle need no onnxruntime (36.6 MB). Two questions:

1. cost: CPU time (process time, all threads) of one 100 ms frame's worth of windows (3
   windows of 512 samples, what a microphone frame brings) through each implementation,
   and of a whole SileroStream.probabilities(100 ms) call, over many repetitions;
2. words: bench/quality.py's evaluation set (every case, as fast as the engine takes it,
   default settings) through LocalRecognizer with the stream's network swapped between the
   two (vad._silero); every case's transcript must be identical, hence WER, lost passages
   and invented words. Also the largest probability difference seen per case.

onnxruntime is imported here with ORT_DISABLE_TELEMETRY=1 (captioner/privacy.py).

usage: .venv/bin/python bench/silero_numpy.py [--cases clean,tale] [--skip-quality] [--out FILE.json]
Exit status 1 if a transcript differs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402
import quality  # noqa: E402

from captioner.recognition.local import vad  # noqa: E402
from captioner.recognition.local.silero import SileroModel  # noqa: E402


class OnnxSilero:
    """faster-whisper's onnxruntime session behind SileroModel's call signature."""

    def __init__(self) -> None:
        from faster_whisper.vad import get_vad_model

        self._session = get_vad_model().session

    def __call__(self, x: np.ndarray, h: np.ndarray, c: np.ndarray):
        probs, h, c = self._session.run(None, {"input": x, "h": h, "c": c})
        return np.asarray(probs).reshape(-1), h, c


def cpu_per_call(fn, repeats: int) -> float:
    for _ in range(50):
        fn()
    t = time.process_time()
    for _ in range(repeats):
        fn()
    return (time.process_time() - t) / repeats


def cost(repeats: int) -> dict:
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((3, 576)) * 0.1).astype(np.float32)
    h = np.zeros((1, 1, 128), np.float32)
    frame = (rng.standard_normal(1600) * 0.1).astype(np.float32)
    out = {}
    for label, model in (("onnxruntime", OnnxSilero()), ("numpy", SileroModel())):
        network = cpu_per_call(lambda m=model: m(x, h, h), repeats)
        vad._silero = model
        stream = vad.SileroStream()
        whole = cpu_per_call(lambda s=stream: s.probabilities(frame), repeats)
        out[label] = {"network_us_per_frame": round(network * 1e6, 1), "stream_us_per_frame": round(whole * 1e6, 1)}
        print(f"{label:>12}: network {network * 1e6:7.1f} us CPU per 100 ms frame (3 windows); "
              f"SileroStream.probabilities {whole * 1e6:7.1f} us", flush=True)  # fmt: skip
    vad._silero = None
    return out


def words(cases: str) -> dict:
    reports = {}
    for label, model in (("onnxruntime", OnnxSilero()), ("numpy", SileroModel())):
        vad._silero = model
        print(f"--- evaluation set, VAD network: {label}", flush=True)
        print(quality.HEADER, flush=True)
        t = time.perf_counter()
        args = argparse.Namespace(cases=cases, settings=[], realtime=False, json=False, model_dir=None)
        reports[label] = asyncio.run(quality.run(args))
        reports[label]["elapsed_s"] = round(time.perf_counter() - t, 1)
    vad._silero = None
    differ = [
        a["case"]
        for a, b in zip(reports["onnxruntime"]["cases"], reports["numpy"]["cases"], strict=True)
        if a["hypothesis"] != b["hypothesis"]
    ]
    return {
        "cases": len(reports["numpy"]["cases"]),
        "transcripts_that_differ": differ,
        "totals": {label: r["total"] for label, r in reports.items()},
        "elapsed_s": {label: r["elapsed_s"] for label, r in reports.items()},
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", default="", help="comma-separated subset of bench/quality.py's cases")
    ap.add_argument("--repeats", type=int, default=3000)
    ap.add_argument("--skip-quality", action="store_true", help="only the CPU cost")
    ap.add_argument("--out", type=Path, help="also write the JSON report to this file")
    args = ap.parse_args()
    report: dict = {"cpu": cost(args.repeats)}
    if not args.skip_quality:
        report["words"] = words(args.cases)
        w = report["words"]
        print(f"cases: {w['cases']}; transcripts that differ: {w['transcripts_that_differ'] or 'none'}")
        for label, total in w["totals"].items():
            print(f"{label}: WER {total['speech_wer'] * 100:.2f} %, {total['lost_passages']} lost passages, "
                  f"{total['invented_words']} invented words, {total['finals']} finals")  # fmt: skip
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n")
    return 1 if report.get("words", {}).get("transcripts_that_differ") else 0


if __name__ == "__main__":
    sys.exit(main())
