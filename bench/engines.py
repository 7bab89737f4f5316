"""Every on-device engine on the same audio, same machine, one run: the numbers that choose the default.

Issue #16 items 4 and 5. For each engine of the catalog (captioner/recognition/catalog.py),
built by its name exactly as `--engine NAME` builds it, in a process of its own (so memory
figures are that engine's alone), one after the other:

1. **Quality**: the evaluation set of bench/quality.py (captioner/testing/corpus.py), every case
   pushed as fast as the engine takes it, scored by quality.row: WER per case, lost passages
   (>= 5 consecutive reference words all missing), invented words.
2. **Latency**: bench/latency.py's script (8 espeak-ng sentences, known silences between them)
   played in real time through the app's path to the offscreen overlay (latency.one_run), at
   max_sentence_silence 1300 ms (the default). From it:
   - end of speech -> final on the overlay, p50 / p95; onset -> first partial, p50;
   - **word latency**: for every word of the script, the first time the overlay shows it
     (a partial or a final whose words, aligned to the sentence, include it) minus the time
     it was said. When a word is said: the sentence's espeak-ng audio is made again for
     each prefix of its words ("The", "The weather", ...); the audible length of the prefix
     ending in a word is when that word ends (espeak lengthens a phrase's last word a little,
     so this errs late by tens of ms, making word latency look slightly better, not worse);
   - partial refresh: partials shown per second of speech, and the median gap between them;
   - **CPU while speaking**: the process's CPU time (all threads: engine, VAD, Qt) sampled
     every 100 ms, summed over the intervals inside the sentences / their wall time, in %
     of one core; and over the whole run;
3. **Memory**: the process's RSS after both (and its peak, ru_maxrss).
4. **Install size**: the bytes on disk of the engine's weight packages (pip metadata RECORD).

usage: .venv/bin/python bench/engines.py [--engines whisper-tiny.en,whisper-base,moonshine-tiny.en]
                                         [--cases clean,pauses] [--out bench/results/engines.json]
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import itertools
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import latency  # noqa: E402
import numpy as np  # noqa: E402
import quality  # noqa: E402

from captioner.testing.speech import espeak_samples, normalise, utterances, write_wav  # noqa: E402

SILENCE_MS = 1300


# Word latency -----------------------------------------------------------------------------


def said_ends_ms(sentence: str) -> list[int]:
    """When each word of `sentence` ends, ms after its audible onset (see the docstring)."""
    words = sentence.split()
    ends = []
    for k in range(1, len(words) + 1):
        chunk = espeak_samples(" ".join(words[:k]))
        idx = np.flatnonzero(np.abs(chunk.astype(np.int32)) > 300)
        ends.append(int((idx[-1] - idx[0] + 1) * 1000 // 16000) if idx.size else 0)
    return ends


def first_shown(reference: list[str], shown: list[tuple[float, str]]) -> list[float | None]:
    """For each reference word, the first time a shown text includes it (aligned)."""
    out: list[float | None] = [None] * len(reference)
    for t, text in shown:
        matcher = difflib.SequenceMatcher(None, reference, normalise(text), autojunk=False)
        for block in matcher.get_matching_blocks():
            for i in range(block.a, block.a + block.size):
                if out[i] is None:
                    out[i] = t
    return out


def word_latencies(run: dict, spans: list, ends: list[list[int]]) -> tuple[list[float], int, int]:
    """(latency in s of each word shown, words shown, words in the script)."""
    lat: list[float] = []
    total = shown_n = 0
    for i, u in enumerate(spans):
        reference = normalise(u.text)
        words_ms = ends[i]
        # normalise() can split a word in two ("ten-meter"); keep the word count aligned.
        if len(reference) != len(words_ms):
            continue
        mine = [(t, text) for t, text, _final, owner in run["shown"] if owner == i]
        firsts = first_shown(reference, mine)
        for k, t in enumerate(firsts):
            total += 1
            if t is None:
                continue
            shown_n += 1
            lat.append(t - (u.begin_ms + words_ms[k]) / 1000)
    return lat, shown_n, total


# One engine, in its own process -------------------------------------------------------------


class CpuSampler:
    """Process CPU time every 100 ms, with the wall time it was read at."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> CpuSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.monotonic(), time.process_time()))
            self._stop.wait(0.1)

    def share(self, windows: list[tuple[float, float]]) -> float | None:
        """CPU time / wall time (1.0 = one core) over the sample intervals inside windows."""
        cpu = wall = 0.0
        for (t0, c0), (t1, c1) in zip(self.samples, self.samples[1:], strict=False):
            mid = (t0 + t1) / 2
            if any(a <= mid <= b for a, b in windows):
                cpu += c1 - c0
                wall += t1 - t0
        return cpu / wall if wall else None


def install_size(distributions: tuple[str, ...]) -> int:
    import importlib.metadata as md

    total = 0
    for name in distributions:
        dist = md.distribution(name)
        for f in dist.files or []:
            path = Path(str(dist.locate_file(f)))
            if path.is_file():
                total += path.stat().st_size
    return total


async def measure(name: str, cases: list[str]) -> dict:
    import psutil

    from captioner.recognition import catalog
    from captioner.recognition.engines import create_recognizer
    from captioner.settings import RecognitionSettings
    from captioner.testing.corpus import build

    spec = catalog.spec(name)
    t = time.perf_counter()
    recognizer = create_recognizer(name)
    await recognizer.prepare()
    load_s = time.perf_counter() - t
    settings = RecognitionSettings()
    await quality.recognise(recognizer, build("clean").samples[: 16000 * 3], settings)  # warm-up

    rows = []
    cpu0, t = time.process_time(), time.perf_counter()
    for case_name in cases:
        case = build(case_name)
        rows.append(quality.row(case, await quality.recognise(recognizer, case.samples, settings)))
        print(f"  {name}: {quality._line(rows[-1])}", file=sys.stderr, flush=True)
    quality_cpu_s, quality_wall_s = time.process_time() - cpu0, time.perf_counter() - t

    samples, spans = utterances(latency.SCRIPT)
    ends = [said_ends_ms(u.text) for u in spans]
    with tempfile.TemporaryDirectory() as tmp:
        wav = write_wav(Path(tmp) / "script.wav", samples)
        with CpuSampler() as sampler:
            run = await latency.one_run(name, recognizer, wav, spans, SILENCE_MS)
    t0 = run["t0"]
    speaking = [(t0 + u.begin_ms / 1000, t0 + u.end_ms / 1000) for u in spans]
    whole = [(t0, t0 + run["audio_s"])]
    lat, shown_n, total = word_latencies(run, spans, ends)
    per = run["per_sentence"]
    fin = [p["end_to_final_s"] for p in per if p["end_to_final_s"] is not None]
    first = [p["onset_to_partial_s"] for p in per if p["onset_to_partial_s"] is not None]
    speech_s = sum(u.end_ms - u.begin_ms for u in spans) / 1000
    partial_times = sorted((tt, owner) for tt, _text, final, owner in run["shown"] if not final and owner is not None)
    in_speech = [tt for tt, owner in partial_times if spans[owner].begin_ms / 1000 <= tt <= spans[owner].end_ms / 1000]
    gaps = [b - a for a, b in itertools.pairwise(in_speech) if b - a < 2.0]
    speech_rows = [r for r in rows if r["is_speech"]]
    ref_words = sum(r["reference_words"] for r in speech_rows)
    errors = sum(r["substitutions"] + r["deletions"] + r["insertions"] for r in speech_rows)

    def ms(v: float | None) -> int | None:
        return None if v is None else round(v * 1000)

    return {
        "engine": name,
        "title": spec.title,
        "streams": spec.streams,
        "load_s": round(load_s, 2),
        "quality": {
            "cases": {r["case"]: {k: r[k] for k in ("wer", "lost_passages", "invented_words", "finals")} for r in rows},
            "speech_wer": round(errors / max(1, ref_words), 4),
            "lost_passages": sum(r["lost_passages"] for r in rows),
            "invented_words": sum(r["invented_words"] for r in rows),
            "cpu_rtf": round(quality_cpu_s / sum(r["seconds"] for r in rows), 3),
            "wall_s": round(quality_wall_s, 1),
            "hypotheses": {r["case"]: r["hypothesis"] for r in rows},
        },
        "latency": {
            "max_sentence_silence_ms": SILENCE_MS,
            "sentences": len(per),
            "end_to_final_p50_ms": ms(latency.pct(fin, 0.5)),
            "end_to_final_p95_ms": ms(latency.pct(fin, 0.95)),
            "final_target_ms": SILENCE_MS + 400,
            "onset_to_first_partial_p50_ms": ms(latency.pct(first, 0.5)),
            "word_latency_p50_ms": ms(latency.pct(lat, 0.5)),
            "word_latency_p95_ms": ms(latency.pct(lat, 0.95)),
            "words_shown": shown_n,
            "words_in_script": total,
            "partials_per_speech_s": round(len(in_speech) / speech_s, 2),
            "partial_gap_p50_ms": ms(latency.pct(gaps, 0.5)),
            "script_wer_mean": round(statistics.mean(p["wer"] for p in per), 3),
            "cpu_speaking_pct": round(100 * (sampler.share(speaking) or 0), 1),
            "cpu_whole_run_pct": round(100 * (sampler.share(whole) or 0), 1),
        },
        "rss_mb": round(psutil.Process().memory_info().rss / 2**20),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "weights_mb": round(install_size(spec.weights) / 2**20, 1),
        "weights": spec.weights,
    }


def child(name: str, cases: list[str], out: Path) -> int:
    import qasync
    from PySide6.QtWidgets import QApplication

    from captioner.ui.gc_guard import MainThreadGarbageCollector

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    collector = MainThreadGarbageCollector(parent=app)
    collector.start()
    result = loop.run_until_complete(measure(name, cases))
    collector.stop()
    out.write_text(json.dumps(result, indent=2))
    # Done: leave without tearing Qt and qasync's threads down (that can abort the process
    # with "QThread: Destroyed while thread is still running" after the results are out).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


# The table ------------------------------------------------------------------------------


def table(results: list[dict]) -> str:
    lines = [
        "| Engine | clean WER | speech WER (all cases) | lost passages | invented words | end → final p50 / p95 ms "
        "(target 1700) | first partial p50 ms | word on screen p50 / p95 ms | partials / s of speech | "
        "CPU while speaking (% of a core) | CPU RTF (quality set) | RSS MB (peak) | weights MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        q, lt = r["quality"], r["latency"]
        clean = q["cases"].get("clean", {}).get("wer")
        lines.append(
            f"| {r['engine']} | {'-' if clean is None else f'{clean * 100:.1f} %'} | {q['speech_wer'] * 100:.1f} % | "
            f"{q['lost_passages']} | {q['invented_words']} | {lt['end_to_final_p50_ms']} / {lt['end_to_final_p95_ms']} | "
            f"{lt['onset_to_first_partial_p50_ms']} | {lt['word_latency_p50_ms']} / {lt['word_latency_p95_ms']} "
            f"({lt['words_shown']}/{lt['words_in_script']} words) | {lt['partials_per_speech_s']} | "
            f"{lt['cpu_speaking_pct']} | {q['cpu_rtf']} | {r['rss_mb']} ({r['peak_rss_mb']}) | {r['weights_mb']} |"
        )
    return "\n".join(lines)


def per_case_table(results: list[dict]) -> str:
    names = list(results[0]["quality"]["cases"])
    head = "| Case | " + " | ".join(f"{r['engine']} WER / lost / invented" for r in results) + " |"
    lines = [head, "|---|" + "---|" * len(results)]
    for n in names:
        cells = []
        for r in results:
            c = r["quality"]["cases"][n]
            wer = "-" if c["wer"] is None else f"{c['wer'] * 100:.1f} %"
            cells.append(f"{wer} / {c['lost_passages']} / {c['invented_words']}")
        lines.append(f"| `{n}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    from captioner.testing.corpus import CASES

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--engines", default="whisper-tiny.en,whisper-base,moonshine-tiny.en")
    ap.add_argument("--cases", default="", help=f"comma-separated, of: {','.join(CASES)} (default: all)")
    ap.add_argument("--out", type=Path, help="write the JSON report here")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--one-out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    cases = [c for c in args.cases.split(",") if c] or list(CASES)
    if args.one:
        return child(args.one, cases, args.one_out)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in [e for e in args.engines.split(",") if e]:
            out = Path(tmp) / f"{name}.json"
            argv = [sys.executable, __file__, "--one", name, "--one-out", str(out), "--cases", ",".join(cases)]
            print(f"engine {name} ...", file=sys.stderr, flush=True)
            subprocess.run(argv, check=True)
            results.append(json.loads(out.read_text()))
    report = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_average_at_end": os.getloadavg(),
        "cases": cases,
        "engines": results,
    }
    if args.out:
        args.out.write_text(json.dumps(report, indent=2))
    print(table(results))
    print()
    print(per_case_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
