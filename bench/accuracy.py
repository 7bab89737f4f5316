"""Word error rate of the on-device engine on real recorded speech, clean and in white noise.

The recordings the tests use (captioner/testing/speech.py): Debian pocketsphinx-testdata's five LibriVox
sentences and goforward.raw, each followed by 1.5 s of silence, in one stream (as
tests/test_local_engine.py does), through LocalRecognizer (faster-whisper tiny.en + Silero
VAD, default RecognitionSettings) as fast as the engine takes it. WER = word-level edit
distance / reference words over the whole stream (captioner.testing.speech.wer: lower case, punctuation
removed, digits 1-10 spelled out), and per clip (the finals overlapping that clip).

Noisy: white Gaussian noise added to the whole stream (silences included) at 10 dB SNR
relative to the mean power of the speech (the clips without the added silences); --seeds
noise draws, each reported, median shown. Clipped to int16.

usage: .venv/bin/python bench/accuracy.py [--snr 10] [--seeds 3] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from captioner.events import Sentence  # noqa: E402
from captioner.recognition.local.whisper import LocalRecognizer  # noqa: E402
from captioner.testing.listen import recognise  # noqa: E402
from captioner.testing.speech import read_speech, wer  # noqa: E402


def corpus() -> tuple[np.ndarray, list[tuple[str, int, int]]]:
    """The stream and (reference text, begin ms, end ms) of each clip in it."""
    samples, clips = read_speech()
    return samples, [(c.text, c.begin_ms, c.end_ms) for c in clips]


def add_noise(x: np.ndarray, spans, snr_db: float, seed: int) -> np.ndarray:
    speech = np.concatenate([x[b * 16 : e * 16] for _, b, e in spans]).astype(np.float64)
    p_signal = float(np.mean(speech**2))
    sigma = np.sqrt(p_signal / 10 ** (snr_db / 10))
    noise = np.random.default_rng(seed).normal(0.0, sigma, len(x))
    return np.clip(x.astype(np.float64) + noise, -32768, 32767).astype("<i2")


def score(finals: list[Sentence], spans) -> dict:
    reference = " ".join(t for t, _, _ in spans)
    hypothesis = " ".join(s.text for s in finals)
    per_clip = []
    for text, b, e in spans:
        mine = " ".join(s.text for s in finals if min(s.end_ms, e + 1000) - max(s.begin_ms, b - 300) > 0)
        per_clip.append({"ref": text, "hyp": mine, "wer": round(wer(text, mine), 3)})
    return {"wer": round(wer(reference, hypothesis), 4), "finals": len(finals), "per_clip": per_clip}


async def run(args) -> dict:
    recognizer = LocalRecognizer()
    await recognizer.prepare()
    x, spans = corpus()
    await recognise(recognizer, x[: 16000 * 3])  # warm-up
    heard = await recognise(recognizer, x)
    clean = score(heard.finals, spans) | {"rtf": heard.metrics.get("rtf"), "wall_s": round(heard.wall_s, 1)}
    noisy = []
    for seed in range(args.seeds):
        heard = await recognise(recognizer, add_noise(x, spans, args.snr, seed))
        noisy.append(score(heard.finals, spans) | {"seed": seed, "rtf": heard.metrics.get("rtf")})
    words = sum(len(t.split()) for t, _, _ in spans)
    return {"audio_s": round(len(x) / 16000, 1), "clips": len(spans), "reference_words": words, "clean": clean,
            "snr_db": args.snr, "noisy": noisy, "noisy_wer_median": statistics.median(n["wer"] for n in noisy)}  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--snr", type=float, default=10.0)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    report = asyncio.run(run(args))
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(
        f"{report['clips']} clips, {report['reference_words']} words, {report['audio_s']} s (LibriVox x5 + goforward)"
    )
    c = report["clean"]
    print(f"clean:          WER {c['wer'] * 100:.1f} %  ({c['finals']} finals, RTF {c['rtf']}, as fast as possible)")
    for n in report["noisy"]:
        print(f"white noise {args.snr:g} dB SNR, seed {n['seed']}: WER {n['wer'] * 100:.1f} %  ({n['finals']} finals)")
    print(f"noisy median:   WER {report['noisy_wer_median'] * 100:.1f} %")
    for clean_clip, noisy_clip in zip(c["per_clip"], report["noisy"][0]["per_clip"], strict=False):
        print(f"  {clean_clip['wer']:5.2f} {noisy_clip['wer']:5.2f}  {clean_clip['ref'][:60]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
