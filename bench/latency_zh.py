"""Chinese caption latency on the on-device engine `local` picks for `zh` (whisper base).

The 20 Mandarin sentences of the evaluation set (captioner/testing/corpus_zh.py: committed
clips of a neural Mandarin voice, 1.6 s apart; their audible spans are known to the sample)
are pushed in real time, frame by frame, like a microphone, straight into the engine (no Qt:
bench/latency.py measures the overlay's own cost). For each sentence:

- speech onset -> first partial with text, and speech end -> its final (wall time, from the
  moment the frame holding that instant was pushed);
- the CER of all finals, so a fast but wrong run shows;
- the process's CPU time over the run / its wall time, in % of one core.

usage: .venv/bin/python bench/latency_zh.py [--engine local] [--silence 1300] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from captioner.audio.frames import FrameCutter  # noqa: E402
from captioner.events import Sentence  # noqa: E402
from captioner.recognition.engines import create_recognizer  # noqa: E402
from captioner.settings import RecognitionSettings  # noqa: E402
from captioner.testing import corpus_zh  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(engine: str, silence_ms: int) -> dict:
    case = corpus_zh.build("zh-sentences")
    settings = RecognitionSettings(language_hints=("zh",), max_sentence_silence=silence_ms)
    recognizer = create_recognizer(engine)
    started_load = time.perf_counter()
    session = await recognizer.start(settings)  # loads the engine the language picks
    load_s = time.perf_counter() - started_load
    cutter = FrameCutter()
    frames = cutter.push(case.samples.astype("<i2").tobytes()) + cutter.flush()
    arrivals: list[tuple[float, Sentence]] = []

    async def read() -> None:
        async for event in session.events():
            if isinstance(event, Sentence) and event.text:
                arrivals.append((time.perf_counter(), event))

    reader = asyncio.create_task(read())
    cpu0, t0 = time.process_time(), time.perf_counter()
    for frame in frames:
        await asyncio.sleep(max(0.0, t0 + frame.end_ms / 1000 - time.perf_counter()))
        await session.push(frame)
    await session.finish()
    await reader
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0

    finals = [(t, s) for t, s in arrivals if s.final]
    to_final, to_partial = [], []
    for begin, end in case.spans:
        mine = [(t, s) for t, s in finals if s.begin_ms < end + 300 and s.end_ms > begin - 300]
        if mine:  # the instant the speech ended was pushed at t0 + end
            to_final.append((mine[-1][0] - t0) * 1000 - end)
        shown = [t for t, s in arrivals if s.begin_ms < end + 300 and s.end_ms > begin - 300]
        if shown:
            to_partial.append((min(shown) - t0) * 1000 - begin)
    text = "".join(s.text for _, s in finals)
    return {
        "engine": recognizer.describe().get("catalog", engine),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_s": round(load_s, 2),
        "max_sentence_silence_ms": silence_ms,
        "sentences": len(case.spans),
        "finals": len(finals),
        "end_to_final_p50_ms": round(statistics.median(to_final)),
        "end_to_final_p95_ms": round(percentile(to_final, 0.95)),
        "onset_to_first_text_p50_ms": round(statistics.median(to_partial)),
        "cer": corpus_zh.score(case.reference, text)["wer"],
        "cpu_percent_of_one_core": round(100 * cpu / wall, 1),
        "rss_mb": round(_rss_mb(), 1),
        "text": text,
    }


def _rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--engine", default="local", help="a catalog engine name (default local: picks by language)")
    ap.add_argument("--silence", type=int, default=1300, help="max_sentence_silence in ms (default 1300)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    report = asyncio.run(run(args.engine, args.silence))
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for key, value in report.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
