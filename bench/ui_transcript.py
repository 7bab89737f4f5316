"""How does the transcript view cope with a very long session? (12 hours ~ 10-15k finals)

Measures, offscreen, with the real TranscriptView (model -> filter proxy -> list view with
the wrapping delegate):
  append    time to add N finals one by one (one row insertion each), then to let the
            view's batched layout finish and scroll to the newest;
  per-final the cost of one more final at the end of that session (what a live final costs
            after 12 hours: must stay flat, not grow with the session);
  filter    time to filter all N rows by a word, and to clear the filter again;
  copy      selecting everything and building the clipboard text.
CPU time (`time.process_time()`) and wall time; the median of several runs.

usage: python bench/ui_transcript.py [--finals 10000] [--runs 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from captioner.events import Sentence
from captioner.ui.transcript_view import TranscriptView

WORDS = "the quick brown fox jumps over the lazy dog while captions keep rolling across the screen".split()


def sentence(i: int) -> Sentence:
    n = 6 + i % 14
    text = " ".join(WORDS[(i + k) % len(WORDS)] for k in range(n)).capitalize() + "."
    return Sentence(text, i * 4000, i * 4000 + 3200, True, sentence_id=i + 1)


def settle(app: QApplication, view: TranscriptView, last_row: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        app.processEvents()
        # The newest row wholly in view (scrolled per row, a few pixels may stay below it).
        if view.list.viewport().rect().contains(view.list.visualRect(view.proxy.index(last_row, 0))):
            return
    raise TimeoutError("the view never showed the newest final")


def timed(fn) -> tuple[float, float]:
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def run_once(app: QApplication, n: int) -> dict[str, float]:
    view = TranscriptView()
    view.resize(700, 600)
    view.show()
    items = [sentence(i) for i in range(n + 50)]
    out: dict[str, float] = {}
    out["append_wall_s"], out["append_cpu_s"] = timed(lambda: [view.add_final(s) for s in items[:n]])
    out["layout_wall_s"], out["layout_cpu_s"] = timed(lambda: settle(app, view, n - 1))
    per = []
    for s in items[n:]:
        wall, _ = timed(lambda s=s: (view.add_final(s), app.processEvents()))
        per.append(wall)
    out["per_final_ms_median"] = statistics.median(per) * 1000
    out["per_final_ms_max"] = max(per) * 1000
    out["filter_wall_s"], _ = timed(lambda: (view.search.setText("lazy dog"), app.processEvents()))
    out["filtered_rows"] = view.proxy.rowCount()
    out["unfilter_wall_s"], _ = timed(lambda: (view.search.clear(), app.processEvents()))
    out["copy_all_wall_s"], _ = timed(lambda: (view.list.selectAll(), view.copy_selection()))
    view.deleteLater()
    app.processEvents()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--finals", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    runs = [run_once(app, args.finals) for _ in range(args.runs)]
    result = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    result["finals"] = args.finals
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:22s} {value:10.3f}" if isinstance(value, float) else f"{key:22s} {value:10d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
