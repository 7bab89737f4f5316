"""How fast is the live audio path? Audio seconds processed per CPU second.

What PortAudio would deliver from a typical device (48 kHz stereo float32 in 10 ms blocks)
goes through the real code: CaptureSource's callback -> AudioBridge -> downmix + soxr
streaming resampler -> 100 ms 16 kHz frames out of `frames()`. No device is involved: a
stand-in stream hands the blocks to the callback as fast as the consumer takes them.

Modes:
  inline    the blocks are fed from a task on the same event loop (no thread switches):
            the cost of the path itself.
  threaded  the blocks are fed from a separate thread, as PortAudio does, as fast as the
            loop takes them (at most 200 ms ahead): includes the cross-thread wake-ups and
            GIL hand-offs.
  stages    the same work split by stage (bridge / downmix+resample / cut) to see where
            the time goes.

CPU time is `time.process_time()` (all threads) for inline; for threaded it is the loop
thread's CPU plus the CPU spent inside the callbacks (`time.thread_time()`), i.e. the path's
own cost without the stand-in feeder's polling (the whole-process figure is shown too). A
busy machine slows the wall clock but not these figures. Each mode runs several times; the
median is reported.

usage: python bench/audio_path.py [--seconds 120] [--runs 5] [--rate 48000] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import sys
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from captioner.audio.bridge import AudioBridge
from captioner.audio.capture import CaptureSource
from captioner.audio.convert import PcmConverter
from captioner.audio.devices import InputDevice
from captioner.audio.frames import FrameCutter


def capture_blocks(rate: int, block_ms: int, seconds: float) -> tuple[list[np.ndarray], int]:
    """Distinct float32 stereo blocks (speech-band noise + tone) and how many times to cycle them."""
    n = rate * block_ms // 1000
    rng = np.random.default_rng(0)
    t = np.arange(rate) / rate
    one_second = (0.2 * np.sin(2 * np.pi * 220 * t) + 0.05 * rng.standard_normal(rate)).astype(np.float32)
    stereo = np.stack([one_second, 0.8 * one_second], axis=1)
    blocks = [np.ascontiguousarray(stereo[i : i + n]) for i in range(0, rate - n + 1, n)]
    total_blocks = int(seconds * 1000 / block_ms)
    return blocks, total_blocks


class FeedStream:
    """Stands in for sounddevice.InputStream: keeps the callback PortAudio would get."""

    def __init__(self, device, samplerate, channels, callback, finished_callback) -> None:
        self.callback = callback
        self.finished_callback = finished_callback

    def start(self) -> None:
        pass

    def abort(self) -> None:
        pass

    def close(self) -> None:
        pass


def make_source(rate: int) -> tuple[CaptureSource, FeedStream]:
    holder: list[FeedStream] = []

    def factory(*args):
        holder.append(FeedStream(*args))
        return holder[0]

    device = InputDevice(name="bench", description="bench", host_api="none", channels=2, samplerate=rate)
    # Large enough that nothing is dropped while a producer runs ahead by its limit.
    source = CaptureSource(device, capacity_ms=5000, stream_factory=factory)
    return source, holder[0]


async def run_inline(rate: int, seconds: float, block_ms: int = 10) -> dict:
    blocks, total = capture_blocks(rate, block_ms, seconds)
    source, stream = make_source(rate)
    limit_ms = 200  # keep at most 200 ms queued, like a real-time producer would

    async def feed():
        for i in range(total):
            block = blocks[i % len(blocks)]
            stream.callback(block, len(block), None, None)
            if source.lag_ms > limit_ms:
                await asyncio.sleep(0)
        source.close()

    out_samples = 0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    feeder = asyncio.create_task(feed())
    async for frame in source.frames():
        out_samples += frame.sample_count
    await feeder
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    assert source.bridge_stats().dropped_samples == 0
    return _result(total * block_ms / 1000, out_samples, cpu, wall)


async def run_threaded(rate: int, seconds: float, block_ms: int = 10) -> dict:
    blocks, total = capture_blocks(rate, block_ms, seconds)
    source, stream = make_source(rate)
    callback_cpu = 0.0

    def feed():
        # As fast as the loop takes it, never more than 200 ms ahead (so nothing is dropped).
        nonlocal callback_cpu
        for i in range(total):
            block = blocks[i % len(blocks)]
            while source.lag_ms > 200:
                time.sleep(0.0002)
            t0 = time.thread_time()
            stream.callback(block, len(block), None, None)
            callback_cpu += time.thread_time() - t0
        source.close()

    out_samples = 0
    cpu0, loop_cpu0, wall0 = time.process_time(), time.thread_time(), time.perf_counter()
    thread = threading.Thread(target=feed)
    thread.start()
    async for frame in source.frames():
        out_samples += frame.sample_count
    loop_cpu = time.thread_time() - loop_cpu0
    thread.join()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    assert source.bridge_stats().dropped_samples == 0
    result = _result(total * block_ms / 1000, out_samples, loop_cpu + callback_cpu, wall)
    result["process_audio_per_cpu_s"] = result["audio_s"] / cpu  # incl. the feeder's polling
    return result


def run_stages(rate: int, seconds: float, block_ms: int = 10) -> dict:
    blocks, total = capture_blocks(rate, block_ms, seconds)
    bridge = AudioBridge(2, rate, capacity_ms=5000)
    converter = PcmConverter(rate)
    cutter = FrameCutter()
    per_read = 10  # PortAudio blocks per loop wake-up (what the loop typically finds waiting)
    t_bridge = t_convert = t_cut = 0.0
    for start in range(0, total, per_read):
        t0 = time.process_time()
        for i in range(start, min(start + per_read, total)):
            bridge.push(blocks[i % len(blocks)])
        data = bridge.read_nowait()
        t1 = time.process_time()
        pcm = converter.process(data)
        t2 = time.process_time()
        cutter.push(pcm)
        t3 = time.process_time()
        t_bridge += t1 - t0
        t_convert += t2 - t1
        t_cut += t3 - t2
    audio = total * block_ms / 1000
    return {
        "bridge_x_realtime": round(audio / t_bridge),
        "downmix_resample_x_realtime": round(audio / t_convert),
        "cut_frames_x_realtime": round(audio / t_cut),
    }


def _result(audio_s: float, out_samples: int, cpu: float, wall: float) -> dict:
    return {
        "audio_s": audio_s,
        "out_s": out_samples / 16000,
        "cpu_s": cpu,
        "wall_s": wall,
        "audio_per_cpu_s": audio_s / cpu,
        "audio_per_wall_s": audio_s / wall,
    }


def machine() -> dict:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os

    import soxr

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "soxr": soxr.__version__,
        "platform": platform.platform(),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=120.0, help="audio per run (default 120)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--rate", type=int, default=48000, help="capture rate (default 48000)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    report: dict = {"machine": machine(), "capture": f"{args.rate} Hz stereo float32, 10 ms blocks",
                    "audio_s_per_run": args.seconds, "runs": args.runs}  # fmt: skip
    asyncio.run(run_inline(args.rate, 2.0))  # warm-up (imports, soxr init)
    for mode, fn in (("inline", run_inline), ("threaded", run_threaded)):
        results = [asyncio.run(fn(args.rate, args.seconds)) for _ in range(args.runs)]
        ratios = [r["audio_per_cpu_s"] for r in results]
        report[mode] = {
            "audio_s_per_cpu_s_median": round(statistics.median(ratios)),
            "min": round(min(ratios)),
            "max": round(max(ratios)),
            "audio_s_per_wall_s_median": round(statistics.median(r["audio_per_wall_s"] for r in results)),
            "cpu_ms_per_audio_s": round(1000 / statistics.median(ratios), 3),
        }
        if "process_audio_per_cpu_s" in results[0]:
            report[mode]["whole_process_audio_s_per_cpu_s_median"] = round(
                statistics.median(r["process_audio_per_cpu_s"] for r in results)
            )
    stage_runs = [run_stages(args.rate, args.seconds) for _ in range(args.runs)]
    report["stages_median_x_realtime"] = {k: round(statistics.median(r[k] for r in stage_runs)) for k in stage_runs[0]}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        m = report["machine"]
        print(f"machine: {m['cpu']} ({m['cores']} cores), Python {m['python']}, numpy {m['numpy']}, soxr {m['soxr']}")
        print(f"input: {report['capture']}; {args.seconds:g} s of audio per run, {args.runs} runs")
        for mode in ("inline", "threaded"):
            r = report[mode]
            extra = ""
            if "whole_process_audio_s_per_cpu_s_median" in r:
                extra = f"; whole process incl. the feeder's polling {r['whole_process_audio_s_per_cpu_s_median']}x"
            print(f"{mode:>9}: {r['audio_s_per_cpu_s_median']}x real time per CPU second "
                  f"(min {r['min']}, max {r['max']}; {r['cpu_ms_per_audio_s']} ms CPU per audio second; "
                  f"wall {r['audio_s_per_wall_s_median']}x{extra})")  # fmt: skip
        stages = report["stages_median_x_realtime"]
        print("   stages: " + ", ".join(f"{k.removesuffix('_x_realtime')} {v}x" for k, v in stages.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
