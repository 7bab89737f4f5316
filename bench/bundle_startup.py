"""Window-shown time and memory of two builds of the bundle, launched alternately.

The machine is shared and its load moves within minutes, so two builds timed one after
the other cannot be compared; launched in turn (A, B, A, B, ...) they see the same load.
Each launch is bench/startup.py's `launch()`: offscreen, a fresh HOME, the app's own report
of process start -> first paint of the main window; then it is left alone `--idle` seconds
(the speech engine preloads in the background) and its RSS at the end and peak RSS (VmHWM)
are read. One warm-up round is not counted.

usage: .venv/bin/python bench/bundle_startup.py BEFORE_APP AFTER_APP [--rounds 8] [--idle 6] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import startup  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--idle", type=float, default=6.0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    apps = {"before": args.before.resolve(), "after": args.after.resolve()}
    runs: dict[str, list[dict]] = {"before": [], "after": []}
    loads = []
    for i in range(args.rounds + 1):
        for label, app in apps.items():
            startup.APP = app
            with tempfile.TemporaryDirectory() as home:
                result = startup.launch([], Path(home), args.idle)
            if i:
                runs[label].append(result)
        loads.append(os.getloadavg()[0])
        if not args.json:
            print(f"round {i}{' (warm-up)' if not i else ''}: "
                  + ", ".join(f"{k} {v[-1]['shown_s'] if v and i else '-'} s" for k, v in runs.items())
                  + f"; load {loads[-1]:.1f}", flush=True)  # fmt: skip
    report: dict = {"rounds": args.rounds, "load_min_max": [round(min(loads), 1), round(max(loads), 1)]}
    for label, results in runs.items():
        shown = [r["shown_s"] for r in results if r["shown_s"] is not None]
        report[label] = {
            "app": str(apps[label]),
            "shown_median_s": round(statistics.median(shown), 2) if shown else None,
            "shown_min_max_s": [min(shown), max(shown)] if shown else None,
            "rss_end_median_mb": round(statistics.median(r["rss_end_mb"] for r in results if r.get("rss_end_mb")), 1),
            "peak_rss_median_mb": round(
                statistics.median(r["peak_rss_mb"] for r in results if r.get("peak_rss_mb")), 1
            ),
            "exit_codes": sorted({r["exit_code"] for r in results}),
        }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
