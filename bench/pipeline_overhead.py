"""What the app itself costs around the recognizer: audio seconds per CPU second, whole path.

Extends bench/audio_path.py (capture -> frames, which it measures on its own) with the rest of
what runs for every frame in the GUI:

    48 kHz stereo float32 10 ms blocks -> CaptureSource callback -> AudioBridge
      -> downmix + soxr resample -> 100 ms frames -> CaptionSession (clock, AudioLevel, drops)
      -> engine stand-in -> Transcript -> SessionAdapter signals
      -> CaptionOverlay.set_partial/add_final + TranscriptView.set_partial/add_final (offscreen)

The engine stand-in is TrivialRecognizer (a partial every 3 non-silent frames, a final every
9: 2.2 partials and 1.1 finals a second of audio, about twice the on-device engine's rate), so the figure is the app's overhead, not recognition. Fed as fast as the
loop takes it (at most 200 ms queued, nothing dropped), on the same loop (no thread hand-offs:
the cross-thread cost is audio_path.py's `threaded` figure).

Stages, each a separate run, so the increments are visible:
  frames     capture -> frames only (what audio_path.py's `inline` measures)
  session    + CaptionSession + TrivialRecognizer + Transcript (plain asyncio loop)
  qasync     the same on the GUI's qasync loop, with the SessionAdapter emitting its signals
             (no widget connected): the cost of Qt's event loop and signals
  ui         + overlay + transcript view connected as MainWindow does, offscreen: every
             update is laid out and painted (the loop paints once per turn that had updates)
CPU time is time.process_time() of the whole process; median of --runs runs.

A last stage is not about throughput but live use, where updates come a few a second:
  updates  CPU per partial and per final on screen, overlay + transcript view as in `ui`,
           one update at a time at speaking pace (each painted before the next; 300
           updates, a final every third, median), and what that makes per audio second at
           the stand-in's rate (2.2 partials + 1.1 finals a second)

--package-root DIR runs the same stages on another copy of the package (e.g. an older
commit unpacked with `git archive <commit> captioner | tar -x -C DIR`), for before/after
figures from one script on one machine.

usage: .venv/bin/python bench/pipeline_overhead.py [--seconds 120] [--runs 5] [--json] [--package-root DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
PACKAGE_ROOT = ROOT
if "--package-root" in sys.argv:  # before the imports below: which captioner they load
    PACKAGE_ROOT = Path(sys.argv[sys.argv.index("--package-root") + 1]).resolve()
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(PACKAGE_ROOT))
# Imported first, so that every captioner.* below comes from PACKAGE_ROOT even though
# audio_path puts this checkout at the front of sys.path.
import captioner  # noqa: E402  isort: skip

from audio_path import capture_blocks, machine, make_source  # noqa: E402

from captioner.pipeline import CaptionSession  # noqa: E402
from captioner.settings import RecognitionSettings  # noqa: E402
from captioner.testing.trivial import TrivialRecognizer  # noqa: E402

RATE = 48000


async def feed(source, stream, blocks, total) -> None:
    for i in range(total):
        block = blocks[i % len(blocks)]
        stream.callback(block, len(block), None, None)
        if source.lag_ms > 200:
            await asyncio.sleep(0)
    source.close()


async def run_stage(stage: str, seconds: float, ui=None) -> dict:
    blocks, total = capture_blocks(RATE, 10, seconds)
    source, stream = make_source(RATE)
    counts = {"partials": 0, "finals": 0, "frames": 0}
    cpu0, wall0 = time.process_time(), time.perf_counter()
    feeder = asyncio.create_task(feed(source, stream, blocks, total))
    if stage == "frames":
        async for _frame in source.frames():
            counts["frames"] += 1
    else:
        session = CaptionSession(source, TrivialRecognizer(), RecognitionSettings())
        if ui is not None:
            adapter, _overlay, _view = ui
            adapter.attach(session)
        await session.run()
        counts["finals"] = len(session.transcript.finals) if hasattr(session.transcript, "finals") else None
        counts["frames"] = session.position_ms // 100
        if ui is not None:
            adapter.detach()
    await feeder
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    assert source.bridge_stats().dropped_samples == 0
    audio = total / 100
    return {"audio_s": audio, "cpu_s": cpu, "wall_s": wall, "x_cpu": audio / cpu, "x_wall": audio / wall, **counts}


def make_ui():
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
    shown = {"partials": 0, "finals": 0}

    def on_partial(s) -> None:  # as MainWindow._on_partial
        overlay.set_partial(s.text)
        view.set_partial(s.text)
        shown["partials"] += 1

    def on_final(s) -> None:  # as MainWindow._on_final
        overlay.add_final(s.text)
        view.add_final(s)
        shown["finals"] += 1

    adapter.partial.connect(on_partial)
    adapter.final.connect(on_final)
    return adapter, overlay, view, shown


def per_update(app, n: int = 300) -> dict:
    """CPU of one update on screen at speaking pace: the handler and the event loop turns
    that lay it out and paint it, plus the turn after a 30 ms pause (any timer left over:
    throttles, the list's batched layout). The pauses themselves are not counted."""
    from captioner.events import Sentence

    adapter, overlay, view, _shown = make_ui()
    app.processEvents()
    costs: dict[str, list[float]] = {"partial": [], "final": []}
    words: list[str] = []
    for i in range(n):
        words.append(f"loud{3 * (i + 1)}")
        final = i % 3 == 2
        text = " ".join(words) + ("." if final else "")
        sentence = Sentence(text, 1000 * i, 1000 * i + 900, final, (), i // 3 + 1)
        t0 = time.process_time()
        (adapter.final if final else adapter.partial).emit(sentence)
        for _ in range(3):
            app.processEvents()
        cpu = time.process_time() - t0
        time.sleep(0.03)
        t0 = time.process_time()
        app.processEvents()
        cpu += time.process_time() - t0
        costs["final" if final else "partial"].append(cpu)
        if final:
            words = []
    overlay.close(), view.close()
    overlay.deleteLater(), view.deleteLater(), adapter.deleteLater()
    partial_ms = statistics.median(costs["partial"]) * 1000
    final_ms = statistics.median(costs["final"]) * 1000
    return {"updates": n, "partial_cpu_ms_median": round(partial_ms, 3), "final_cpu_ms_median": round(final_ms, 3),
            "cpu_ms_per_audio_s_at_stand_in_rate": round(2.2 * partial_ms + 1.1 * final_ms, 3)}  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=120.0)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--package-root", default=str(ROOT), help="the copy of captioner/ to measure")
    args = ap.parse_args()
    report: dict = {"machine": machine(), "audio_s_per_run": args.seconds, "runs": args.runs, "target_x": 1000,
                    "package": str(Path(captioner.__file__).parent)}  # fmt: skip

    for stage in ("frames", "session"):
        asyncio.run(run_stage(stage, 2.0))  # warm-up
        runs = [asyncio.run(run_stage(stage, args.seconds)) for _ in range(args.runs)]
        report[stage] = _summary(runs)

    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)  # as ui/app.py: closing a bench window must not stop the loop
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    from captioner.ui.session_adapter import SessionAdapter

    loop.run_until_complete(run_stage("ui", 2.0, (SessionAdapter(), None, None)))  # warm-up
    report["qasync"] = _summary([loop.run_until_complete(run_stage("ui", args.seconds, (SessionAdapter(), None, None)))
                                 for _ in range(args.runs)])  # fmt: skip
    runs, shown_total = [], []
    loop.run_until_complete(run_stage("ui", 2.0, make_ui()[:3]))  # warm-up
    for _ in range(args.runs):
        adapter, overlay, view, shown = make_ui()
        runs.append(loop.run_until_complete(run_stage("ui", args.seconds, (adapter, overlay, view))))
        app.processEvents()  # the last scheduled paints belong to the run
        shown_total.append(dict(shown))
        overlay.close(), view.close()
        overlay.deleteLater(), view.deleteLater(), adapter.deleteLater()
    report["ui"] = _summary(runs)
    report["ui"]["shown_per_run"] = shown_total[-1]
    report["updates"] = per_update(app)
    for stage in ("session", "qasync", "ui"):
        report[stage]["cpu_ms_added_per_audio_s_vs_frames"] = round(
            report[stage]["cpu_ms_per_audio_s"] - report["frames"]["cpu_ms_per_audio_s"], 3
        )
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    m = report["machine"]
    print(
        f"machine: {m['cpu']} ({m['cores']} cores), Python {m['python']}; {args.seconds:g} s audio x {args.runs} runs, median"
    )
    for stage in ("frames", "session", "qasync", "ui"):
        r = report[stage]
        print(f"{stage:>8}: {r['x_cpu_median']:6d}x real time per CPU second (min {r['x_cpu_min']}, max {r['x_cpu_max']}); "
              f"{r['cpu_ms_per_audio_s']} ms CPU per audio s; wall {r['x_wall_median']}x")  # fmt: skip
    u = report["updates"]
    print(f" updates: {u['partial_cpu_ms_median']} ms CPU per partial, {u['final_cpu_ms_median']} ms per final on screen "
          f"(speaking pace); {u['cpu_ms_per_audio_s_at_stand_in_rate']} ms CPU per audio s at the stand-in's rate")  # fmt: skip
    print(f"target >= 1000x for the whole path (ui): {'meets' if report['ui']['x_cpu_median'] >= 1000 else 'misses'}")
    return 0


def _summary(runs: list[dict]) -> dict:
    x = [r["x_cpu"] for r in runs]
    med = statistics.median(x)
    return {"x_cpu_median": round(med), "x_cpu_min": round(min(x)), "x_cpu_max": round(max(x)),
            "x_wall_median": round(statistics.median(r["x_wall"] for r in runs)),
            "cpu_ms_per_audio_s": round(1000 / med, 3), "frames": runs[-1]["frames"]}  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
