"""A simulated 12-hour session: memory growth, per-update cost at hour 12 vs hour 0, export time.

10 000 finals and 100 000 partials (ten partials growing word by word before each final; one
final every 4.3 s of a 12-hour session clock) go through what the GUI runs for each of them, as MainWindow wires
it, offscreen:

    partial: Transcript.apply -> CaptionOverlay.set_partial -> TranscriptView.set_partial
    final:   Transcript.apply -> Journal.append (write + real fsync, temp dir on disk)
             -> CaptionOverlay.add_final -> TranscriptView.add_final (one model row)

The Qt event loop runs (paints, the list view's batched layout, scrolling to the newest) after
every final; in the measured windows (the first and the last 500 finals: hour 0 and hour 12)
after every single update too, so each timed update includes its paint. Without audio: the
engine and the audio path are measured elsewhere (latency.py, pipeline_overhead.py).

Reports:
  rss       RSS (psutil) after the first 100 finals (warm: fonts, layouts, caches) and at the
            end, after gc.collect(); growth target <= 50 MB
  update    median CPU and wall time of one partial update and one final update (UI part,
            journal excluded) at hour 12 vs hour 0; target ratio <= 1.2
  journal   median fsync'ed append at hour 0 and hour 12
  export    SRT / VTT / JSON of the whole session (export.to_srt/to_vtt/to_json), median of 5;
            target < 0.5 s each (bench/long_session_export.py covers more transcript shapes)
See bench/ui_transcript.py for the transcript view alone (append, filter, copy).

usage: .venv/bin/python bench/long_session.py [--finals 10000] [--partials-per-final 10] [--json]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from captioner.events import Sentence  # noqa: E402
from captioner.transcript import export  # noqa: E402
from captioner.transcript.journal import Journal  # noqa: E402
from captioner.transcript.model import Transcript  # noqa: E402
from captioner.ui.overlay import CaptionOverlay  # noqa: E402
from captioner.ui.transcript_view import TranscriptView  # noqa: E402

WORDS = ("the quick brown fox jumps over the lazy dog while captions keep rolling across the screen "
         "quarterly results microphone meeting recognition transcript tomorrow morning weather").split()  # fmt: skip
WINDOW = 500  # finals timed at each end


def words_for(i: int) -> list[str]:
    n = 6 + (i * 7) % 15
    return [WORDS[(i * 3 + k) % len(WORDS)] for k in range(n)]


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--finals", type=int, default=10_000)
    ap.add_argument("--partials-per-final", type=int, default=10)
    ap.add_argument("--hours", type=float, default=12.0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    overlay = CaptionOverlay()
    overlay.resize(900, 120)
    overlay.show()
    view = TranscriptView()
    view.resize(700, 500)
    view.show()
    app.processEvents()
    transcript = Transcript()
    step_ms = int(args.hours * 3600 * 1000 / args.finals)
    tmp = tempfile.TemporaryDirectory()  # /tmp is on disk (ext4) here, so fsync is real
    journal = Journal.create({"engine": "bench"}, directory=tmp.name)

    n, ppf = args.finals, args.partials_per_final
    timed = {"partial_cpu": {}, "partial_wall": {}, "final_cpu": {}, "final_wall": {}, "journal_wall": {}}
    for d in timed.values():
        d["h0"], d["h12"] = [], []
    rss_warm = None
    t_start = time.perf_counter()
    for i in range(n):
        zone = "h0" if i < WINDOW else ("h12" if i >= n - WINDOW else None)
        ws = words_for(i)
        begin = i * step_ms
        for k in range(ppf):
            upto = max(1, len(ws) * (k + 1) // (ppf + 1))
            s = Sentence(" ".join(ws[:upto]), begin, begin + 300 * upto, False, (), i + 1)
            c, w = time.process_time(), time.perf_counter()
            transcript.apply(s)
            overlay.set_partial(s.text)
            view.set_partial(s.text)
            if zone:
                app.processEvents()
                timed["partial_cpu"][zone].append(time.process_time() - c)
                timed["partial_wall"][zone].append(time.perf_counter() - w)
        final = Sentence(" ".join(ws).capitalize() + ".", begin, begin + 300 * len(ws), True, (), i + 1)
        w = time.perf_counter()
        journal.append(final)
        if zone:
            timed["journal_wall"][zone].append(time.perf_counter() - w)
        c, w = time.process_time(), time.perf_counter()
        transcript.apply(final)
        overlay.add_final(final.text)
        view.add_final(final)
        app.processEvents()
        if zone:
            timed["final_cpu"][zone].append(time.process_time() - c)
            timed["final_wall"][zone].append(time.perf_counter() - w)
        if i == 99:
            gc.collect()
            rss_warm = rss_mb()
        if i % 1000 == 999 and not args.json:
            print(
                f"  {i + 1} finals, {time.perf_counter() - t_start:.0f} s, RSS {rss_mb():.1f} MB",
                file=sys.stderr,
                flush=True,
            )
    run_s = time.perf_counter() - t_start
    gc.collect()
    app.processEvents()
    rss_end = rss_mb()
    journal.close()
    journal_bytes = journal.path.stat().st_size

    sentences = view.sentences()
    assert len(sentences) == n == len(transcript.finals)
    exports = {}
    for name, fn in (("srt", export.to_srt), ("vtt", export.to_vtt), ("json", export.to_json)):
        times = []
        for _ in range(5):
            t = time.perf_counter()
            fn(sentences)
            times.append(time.perf_counter() - t)
        exports[name + "_ms"] = round(statistics.median(times) * 1000, 1)
    tmp.cleanup()

    def med_ms(key: str, zone: str) -> float:
        return round(statistics.median(timed[key][zone]) * 1000, 3)

    report = {
        "finals": n, "partials": n * ppf, "session_clock_hours": args.hours, "run_s": round(run_s, 1),
        "rss_mb_after_100_finals": round(rss_warm, 1), "rss_mb_end": round(rss_end, 1),
        "rss_growth_mb": round(rss_end - rss_warm, 1), "rss_target_mb": 50,
        "journal_kib": journal_bytes // 1024,
        "export": exports, "export_target_ms": 500,
    }  # fmt: skip
    for key in ("partial_cpu", "partial_wall", "final_cpu", "final_wall", "journal_wall"):
        h0, h12 = med_ms(key, "h0"), med_ms(key, "h12")
        report[key + "_ms"] = {"hour0": h0, "hour12": h12, "ratio": round(h12 / h0, 2) if h0 else None}
    report["update_target_ratio"] = 1.2
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{n} finals + {n * ppf} partials over a {args.hours:g}-hour session clock; run took {run_s:.0f} s")
    print(f"RSS {report['rss_mb_after_100_finals']} MB after 100 finals -> {report['rss_mb_end']} MB at the end: "
          f"+{report['rss_growth_mb']} MB (target <= 50)")  # fmt: skip
    for key in ("partial_cpu", "partial_wall", "final_cpu", "final_wall", "journal_wall"):
        r = report[key + "_ms"]
        print(f"{key:13} hour 0 {r['hour0']:8.3f} ms   hour 12 {r['hour12']:8.3f} ms   ratio {r['ratio']}")
    print(
        "export of the whole session: "
        + ", ".join(f"{k[:-3].upper()} {v} ms" for k, v in exports.items())
        + " (target < 500 ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
