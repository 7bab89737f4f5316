"""The Fun-ASR-Flash synchronous call on a 60 s file: wall time from request to answer.

Target (issue #17): the answer in <= 0.3 x the audio's duration on this machine.

A 60.0 s WAV (16 kHz mono) of real read speech is made offline from the evaluation set
(captioner/testing/corpus.py: the LibriVox "clean" case, 36.8 s, then the espeak "fast" case,
15.6 s, with the silence between them making up 60.0 s). `captioner serve`'s REST server
(RestServer, on-device engine: whisper + Silero VAD, int8) runs on a loop in a background
thread; the client is the official SDK's `MultiModalConversation.call`, unmodified, the way a
user calls the service. The audio goes inline (a base64 data URI, 2.5 MB of JSON), so the
time includes upload, base64 and JSON on both sides, decoding the WAV, VAD, whisper and the
answer. Variants: non-streaming and streaming (time to the last event, and to the first),
each without and with context (a word list and a paragraph naming terms; the decoder then
re-decodes an utterance whenever a context word shows up, so context costs time).

Each variant runs `--runs` times after one warm-up call (the model loads on server start, the
warm-up takes the first-call costs off the figures); reported: median and max seconds, the
ratio to the audio's duration, the process's CPU seconds per call (all threads: a figure
that does not depend on what else the machine runs, unlike the wall time), and the WER of
the answer against the script (a fast but wrong answer must not pass unnoticed).

usage: .venv/bin/python bench/flash.py [--runs 3] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import json
import os
import statistics
import sys
import threading
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECONDS = 60.0
TARGET_RATIO = 0.3
TOKEN = "sk-bench-flash"
CONTEXT = [
    {
        "role": "user",
        "content": [{"type": "input_text", "input_text": "LibriVox、Dickens、Quintarello、Belmondex Prime"}],
    },
    {
        "role": "assistant",
        "content": [
            {
                "text": "Notes from the reading group. We read Dickens and a LibriVox recording; Anneliese Vornholt "
                "brought the Kubrix notes and the Zorvexa slides."
            }
        ],
    },
]


def sixty_seconds() -> tuple[bytes, str]:
    """(WAV bytes of exactly SECONDS, the reference text)."""
    from captioner.testing import corpus

    clean, fast = corpus.build("clean"), corpus.build("fast")
    gap = int(SECONDS * 16000) - len(clean.samples) - len(fast.samples)
    assert gap > 0, "the two cases are longer than the target"
    samples = np.concatenate([clean.samples, np.zeros(gap, "<i2"), fast.samples]).astype("<i2")
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(samples.tobytes())
    return out.getvalue(), f"{clean.reference} {fast.reference}"


class Loop:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro, timeout: float = 300):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)


def call(messages: list, stream: bool) -> tuple[float, float, str, float]:
    """(seconds to the answer, seconds to the first event, the text, CPU seconds of this
    process meanwhile: server and client, every thread, whisper's included)."""
    from dashscope import MultiModalConversation

    from captioner.protocol.flash import FLASH_MODEL

    started, cpu = time.perf_counter(), time.process_time()
    answer = MultiModalConversation.call(model=FLASH_MODEL, messages=messages, api_key=TOKEN, stream=stream)
    if not stream:
        assert answer.status_code == 200, answer
        took = time.perf_counter() - started
        return took, took, answer.output.choices[0].message.content[0]["text"], time.process_time() - cpu
    first, texts = None, []
    for part in answer:
        assert part.status_code == 200, part
        first = first if first is not None else time.perf_counter() - started
        texts.append(part.output.choices[0].message.content[0]["text"])
    return time.perf_counter() - started, first or 0.0, " ".join(t for t in texts if t), time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import dashscope

    from captioner.recognition.local.whisper import LocalRecognizer
    from captioner.server.rest import RestServer
    from captioner.testing.speech import wer

    wav, reference = sixty_seconds()
    audio = {
        "role": "user",
        "content": [
            {"type": "input_audio", "input_audio": {"data": "data:audio/wav;base64," + base64.b64encode(wav).decode()}}
        ],
    }
    loop = Loop()
    server = RestServer(LocalRecognizer(), token=TOKEN)
    loop.run(server.start())
    dashscope.base_http_api_url = server.url
    results = []
    try:
        call([audio], False)  # warm-up
        for name, messages, stream in (
            ("non-streaming", [audio], False),
            ("non-streaming + context", [*CONTEXT, audio], False),
            ("streaming", [audio], True),
            ("streaming + context", [*CONTEXT, audio], True),
        ):
            times, firsts, errors, cpus = [], [], [], []
            for _ in range(args.runs):
                took, first, text, cpu = call(messages, stream)
                cpus.append(cpu)
                times.append(took)
                firsts.append(first)
                errors.append(wer(reference, text))
            results.append(
                {
                    "variant": name,
                    "audio_s": SECONDS,
                    "median_s": round(statistics.median(times), 2),
                    "max_s": round(max(times), 2),
                    "ratio_median": round(statistics.median(times) / SECONDS, 3),
                    "ratio_max": round(max(times) / SECONDS, 3),
                    "first_event_median_s": round(statistics.median(firsts), 2) if stream else None,
                    "cpu_median_s": round(statistics.median(cpus), 2),
                    "wer": round(max(errors), 3),
                    "pass": max(times) <= TARGET_RATIO * SECONDS,
                }
            )
    finally:
        loop.run(server.stop())
    machine = {"cpus": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2), "runs": args.runs}
    if args.json:
        print(json.dumps({"machine": machine, "results": results}, indent=2))
    else:
        print(f"machine: {machine}")
        print(
            f"{'variant':26} {'median s':>8} {'max s':>6} {'x audio':>8} {'first ev':>8} {'CPU s':>6} {'WER':>6}"
            f"  target <= {TARGET_RATIO} x"
        )
        for r in results:
            first = f"{r['first_event_median_s']:.2f}" if r["first_event_median_s"] is not None else "-"
            print(
                f"{r['variant']:26} {r['median_s']:8.2f} {r['max_s']:6.2f} {r['ratio_max']:8.3f} {first:>8} "
                f"{r['cpu_median_s']:6.2f} "
                f"{r['wer']:6.3f}  {'PASS' if r['pass'] else 'FAIL'}"
            )
    return 0 if all(r["pass"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
