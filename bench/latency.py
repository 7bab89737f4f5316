"""End-to-end caption latency: speech onset -> first partial on the overlay, speech end -> final on it.

A recording of known sentences with exact silences between them (captioner.testing.speech.utterances:
espeak-ng, each sentence trimmed to where it is audible, so onsets and ends are exact to the
sample) is played in real time through the whole app path, as the GUI wires it:

    MediaSource(realtime=True) -> CaptionSession -> engine -> Transcript
      -> SessionAdapter (Qt signals) -> CaptionOverlay.set_partial / add_final
                                       + TranscriptView.set_partial / add_final   (offscreen)

on a qasync loop (QT_QPA_PLATFORM=offscreen), exactly as MainWindow connects them. A time is
taken with time.monotonic() when the overlay's update method has returned (the text is laid
out and a repaint is scheduled; the paint itself follows on the next loop turn).

The paced clock start t0 is recovered from the AudioLevel events: MediaSource releases the
frame ending at `end_ms` no earlier than t0 + end_ms, so t0 = min(now - position_ms).
Speech onset i happens at t0 + onset_ms(i) and ends at t0 + end_ms(i).

Engines:
  local       LocalRecognizer (faster-whisper tiny.en + Silero VAD) in the app's process
  dashscope   the same LocalRecognizer behind DashScopeServer, reached by DashScopeRecognizer
              over loopback websockets (server and client in this process, like
              `captioner serve` used by another copy of the app on the same machine)

For each engine and each max_sentence_silence (default 1300 and 800 ms) it reports, over all
sentences of all runs: p50 / p95 / max of onset -> first partial and end -> final, the max
gap between two partials while a sentence is being spoken, the engine's RTF and the WER of
the finals against the script (so a fast but wrong run cannot pass unnoticed).

usage: .venv/bin/python bench/latency.py [--runs 1] [--engines local,dashscope]
                                         [--silences 1300,800] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
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

from captioner.testing.speech import utterances, wer, write_wav  # noqa: E402

SCRIPT: list[str | int] = [
    "The weather today is mostly sunny with a light breeze from the west.",
    2000,
    "Please remember to bring your laptop to the meeting tomorrow morning.",
    1500,
    "The train to the city leaves at half past nine every weekday.",
    3000,
    "She opened the window and listened to the birds in the garden.",
    2500,
    "Our quarterly results were better than anyone had expected.",
    1800,
    "He forgot his umbrella and walked home in the heavy rain.",
    2200,
    "The library will be closed for repairs until next Monday.",
    2800,
    "Thank you all for coming and have a wonderful evening.",
    3000,
]


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    k = (len(s) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


async def one_run(engine: str, recognizer, wav: Path, spans, silence_ms: int) -> dict:
    from captioner.audio.media import MediaSource
    from captioner.pipeline import AudioLevel, CaptionSession
    from captioner.settings import RecognitionSettings
    from captioner.ui.overlay import CaptionOverlay
    from captioner.ui.session_adapter import SessionAdapter
    from captioner.ui.transcript_view import TranscriptView

    overlay = CaptionOverlay()
    overlay.resize(900, 120)
    overlay.show()
    view = TranscriptView()
    view.resize(700, 500)
    view.show()
    adapter = SessionAdapter()
    partials: list[tuple[float, object]] = []  # (monotonic after the overlay updated, Sentence)
    finals: list[tuple[float, object]] = []

    def on_partial(s) -> None:  # MainWindow._on_partial
        overlay.set_partial(s.text)
        view.set_partial(s.text)
        partials.append((time.monotonic(), s))

    def on_final(s) -> None:  # MainWindow._on_final
        overlay.add_final(s.text)
        finals.append((time.monotonic(), s))
        view.add_final(s)

    adapter.partial.connect(on_partial)
    adapter.final.connect(on_final)
    t0_estimates: list[float] = []

    session = CaptionSession(
        MediaSource(wav, realtime=True), recognizer, RecognitionSettings(max_sentence_silence=silence_ms)
    )
    session.subscribe(
        lambda e: t0_estimates.append(time.monotonic() - e.position_ms / 1000) if isinstance(e, AudioLevel) else None
    )
    adapter.attach(session)
    cpu0 = time.process_time()
    await session.run()
    cpu = time.process_time() - cpu0
    metrics = session.metrics
    t0 = min(t0_estimates)
    adapter.detach()
    overlay.close()
    view.close()

    def owner(s) -> int | None:
        """The script sentence a result belongs to, on the session clock. Interims that come
        over the DashScope protocol have no end_time (their end is their last word's, or
        their begin when they carry no words), so the result's middle decides."""
        mid = (s.begin_ms + max(s.begin_ms, s.end_ms)) / 2
        for i, u in enumerate(spans):
            if u.begin_ms - 500 <= mid <= u.end_ms + silence_ms:
                return i
        return None

    per = []
    for i, u in enumerate(spans):
        onset, end = t0 + u.begin_ms / 1000, t0 + u.end_ms / 1000
        mine_p = [t for t, s in partials if owner(s) == i and t >= onset - 0.05]
        mine_f = [t for t, s in finals if owner(s) == i]
        text = " ".join(s.text for _, s in finals if owner(s) == i)
        first_final = min(mine_f) if mine_f else None
        # Partials shown while the sentence is being spoken (and until its final).
        during = sorted(t for t in mine_p if t <= (first_final or end + 5))
        marks = [onset] + [t for t in during if t <= end] + [end]
        gaps = [b - a for a, b in itertools.pairwise(marks)]  # includes onset -> first partial
        shown = [t for t in during if t <= end]
        between = (
            [b - a for a, b in zip(shown, [*shown[1:], end], strict=False)] if shown else []
        )  # from the first partial on
        per.append(
            {
                "onset_to_partial_s": (during[0] - onset) if during else None,
                "end_to_final_s": (max(mine_f) - end) if mine_f else None,
                "max_gap_in_speech_s": max(gaps) if gaps else None,
                "max_gap_after_first_partial_s": max(between) if between else None,
                "partials": len(during),
                "finals": len(mine_f),
                "wer": wer(u.text, text),
            }
        )
    # What the overlay showed and when (s after t0), for word-level measures (bench/engines.py).
    shown_at = sorted([(t - t0, s.text, False, owner(s)) for t, s in partials]
                      + [(t - t0, s.text, True, owner(s)) for t, s in finals])  # fmt: skip
    return {"engine": engine, "silence_ms": silence_ms, "per_sentence": per, "cpu_s": cpu,
            "audio_s": session.position_ms / 1000, "rtf": metrics.get("rtf"), "metrics": metrics,
            "shown": shown_at, "t0": t0}  # fmt: skip


async def run_all(args) -> dict:
    from captioner.recognition.cloud.realtime import DashScopeRecognizer
    from captioner.recognition.local.whisper import LocalRecognizer
    from captioner.server.realtime import DashScopeServer

    samples, spans = utterances(SCRIPT)
    tmp = tempfile.TemporaryDirectory()
    wav = write_wav(Path(tmp.name) / "script.wav", samples)
    local = LocalRecognizer()
    t = time.perf_counter()
    await local.prepare()
    load_s = time.perf_counter() - t
    server = None
    if "dashscope" in args.engines:
        server = DashScopeServer(local)
        await server.start()
    results = []
    for silence in args.silences:
        for engine in args.engines:
            for _ in range(args.runs):
                rec = local if engine == "local" else DashScopeRecognizer(url=server.url)
                r = await one_run(engine, rec, wav, spans, silence)
                results.append(r)
                print(
                    f"  run: {engine} silence={silence}: rtf={r['rtf']} cpu={r['cpu_s']:.1f}s",
                    file=sys.stderr,
                    flush=True,
                )
    if server:
        await server.stop()
    tmp.cleanup()
    summary = []
    for silence in args.silences:
        for engine in args.engines:
            per = [
                p for r in results if r["engine"] == engine and r["silence_ms"] == silence for p in r["per_sentence"]
            ]
            on = [p["onset_to_partial_s"] for p in per if p["onset_to_partial_s"] is not None]
            fin = [p["end_to_final_s"] for p in per if p["end_to_final_s"] is not None]
            gaps = [p["max_gap_in_speech_s"] for p in per if p["max_gap_in_speech_s"] is not None]
            after = [p["max_gap_after_first_partial_s"] for p in per if p["max_gap_after_first_partial_s"] is not None]
            rtfs = [
                r["rtf"]
                for r in results
                if r["engine"] == engine and r["silence_ms"] == silence and r["rtf"] is not None
            ]
            summary.append({
                "engine": engine, "max_sentence_silence_ms": silence, "sentences": len(per),
                "missing_partial": sum(p["onset_to_partial_s"] is None for p in per),
                "missing_final": sum(p["end_to_final_s"] is None for p in per),
                "onset_to_partial_p50_ms": _ms(pct(on, 0.5)), "onset_to_partial_p95_ms": _ms(pct(on, 0.95)),
                "onset_to_partial_max_ms": _ms(max(on) if on else None),
                "end_to_final_p50_ms": _ms(pct(fin, 0.5)), "end_to_final_p95_ms": _ms(pct(fin, 0.95)),
                "end_to_final_max_ms": _ms(max(fin) if fin else None),
                "final_target_ms": silence + 400,
                "final_p50_vs_target": round(pct(fin, 0.5) * 1000 / (silence + 400), 2) if fin else None,
                "max_partial_gap_in_speech_ms": _ms(max(gaps) if gaps else None),
                "partial_gap_p50_of_per_sentence_max_ms": _ms(pct(gaps, 0.5)),
                "max_gap_after_first_partial_ms": _ms(max(after) if after else None),
                "partials_per_sentence_mean": round(statistics.mean(p["partials"] for p in per), 1) if per else None,
                "rtf_median": statistics.median(rtfs) if rtfs else None,
                "wer_mean": round(statistics.mean(p["wer"] for p in per), 3) if per else None,
            })  # fmt: skip
    return {"model_load_s": round(load_s, 2), "runs": args.runs, "script_audio_s": round(len(samples) / 16000, 1),
            "summary": summary, "raw": results}  # fmt: skip


def _ms(v: float | None) -> int | None:
    return None if v is None else round(v * 1000)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=1, help="plays of the script per engine and setting (default 1)")
    ap.add_argument("--engines", default="local,dashscope")
    ap.add_argument("--silences", default="1300,800", help="max_sentence_silence values in ms")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    args.engines = [e for e in args.engines.split(",") if e]
    args.silences = [int(s) for s in args.silences.split(",") if s]

    import qasync
    from PySide6.QtWidgets import QApplication

    from captioner.ui.gc_guard import MainThreadGarbageCollector

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)  # as ui/app.py: closing a bench window must not stop the loop
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    collector = MainThreadGarbageCollector(parent=app)  # as the app does (ui/app.py)
    collector.start()
    report = loop.run_until_complete(run_all(args))
    collector.stop()
    if args.json:
        print(json.dumps(report, indent=2, default=str))
        return 0
    print(f"script: {len(SCRIPT) // 2} sentences, {report['script_audio_s']} s, played in real time; "
          f"{args.runs} run(s) per row; model load {report['model_load_s']} s")  # fmt: skip
    head = f"{'engine':10} {'silence':>7} {'n':>3} {'partial p50/p95/max ms':>24} {'final p50/p95/max ms':>22} {'target':>6} {'ratio':>5} {'max gap ms (after 1st)':>22} {'RTF':>6} {'WER':>5}"
    print(head)
    for s in report["summary"]:
        print(f"{s['engine']:10} {s['max_sentence_silence_ms']:7d} {s['sentences']:3d} "
              f"{str(s['onset_to_partial_p50_ms'])+'/'+str(s['onset_to_partial_p95_ms'])+'/'+str(s['onset_to_partial_max_ms']):>24} "
              f"{str(s['end_to_final_p50_ms'])+'/'+str(s['end_to_final_p95_ms'])+'/'+str(s['end_to_final_max_ms']):>22} "
              f"{s['final_target_ms']:6d} {s['final_p50_vs_target']!s:>5} {str(s['max_partial_gap_in_speech_ms'])+' ('+str(s['max_gap_after_first_partial_ms'])+')':>22} "
              f"{s['rtf_median']!s:>6} {s['wer_mean']!s:>5}"
              + (f"  missing partial {s['missing_partial']} final {s['missing_final']}" if s['missing_partial'] or s['missing_final'] else ""))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
