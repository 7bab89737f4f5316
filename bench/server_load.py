"""How many concurrent real-time clients one DashScopeServer sustains on this machine.

Part 1, protocol/server capacity (`--mode trivial`): DashScopeServer over TrivialRecognizer
(answers without recognising: a partial every 3rd frame, a final every 9th) in its own
process; N raw websockets clients in this process, built on protocol.ClientConnection. Each
client sends run-task, then a 100 ms frame of 16 kHz PCM (a tone, so every frame counts as
speech) every 100 ms on an absolute schedule for --seconds, then finish-task, and waits for
task-finished. Starts are staggered over the first second (as independent users would be).
Latency of an event = receive time - send time of the frame that triggered it (a result's
sentence.end_ms is the end of the frame that produced it, so the match is exact).
A step passes when p99 latency < 100 ms and there are no errors (no task-failed, no
dropped connection, every expected result received). N steps 50, 100, 200, 300, ...
until a step fails (or --max-clients).

Part 2, the real engine (`--mode local`): LocalRecognizer (faster-whisper tiny.en) behind the
server process, N = 1, 2, 3, 4 clients each streaming the same espeak script (sentences with
silences) in real time. Reported per N: final latency (receive time of a final - send time
of the frame holding the end of its sentence) p50 / max, and for the first vs second half of
the stream (growing latency = the engine falls behind), the drain after the last frame
(finish-task -> task-finished), server CPU per audio second of all streams. A stream is
sustained when its finals keep arriving within a few seconds (max < 5 s, not growing) and
the drain stays short.

The client process's own CPU is reported too: on 2 cores the load generator competes with
the server, so the figures are a lower bound of what the server does alone.

usage: .venv/bin/python bench/server_load.py [--mode trivial|local|both] [--seconds 20]
                                             [--steps 50,100,200,300,400] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import psutil  # noqa: E402

FRAME_MS = 100
FRAME_BYTES = 16 * FRAME_MS * 2


def serve(engine: str) -> None:
    """Child process: run the server, print its URL, serve until stdin closes."""
    from captioner.server.realtime import DashScopeServer

    if engine == "trivial":
        from captioner.testing.trivial import TrivialRecognizer

        recognizer = TrivialRecognizer()
    else:
        from captioner.recognition.local.whisper import LocalRecognizer

        recognizer = LocalRecognizer()

    async def main() -> None:
        server = DashScopeServer(recognizer, max_backlog_seconds=1200.0)
        await server.start()
        print(server.url, flush=True)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)
        await server.stop()

    asyncio.run(main())


class Server:
    def __init__(self, engine: str) -> None:
        self.proc = subprocess.Popen([sys.executable, __file__, "--serve", engine], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)  # fmt: skip
        self.url = self.proc.stdout.readline().strip()
        if not self.url:
            raise RuntimeError("server did not start")
        self.ps = psutil.Process(self.proc.pid)

    def cpu_s(self) -> float:
        t = self.ps.cpu_times()
        return t.user + t.system

    def rss_mb(self) -> float:
        return self.ps.memory_info().rss / 2**20

    def close(self) -> None:
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


async def client(url: str, audio: np.ndarray, start_at: float, out: dict) -> None:
    import websockets

    from captioner.protocol import realtime as p
    from captioner.settings import RecognitionSettings

    frames = [
        audio[i : i + FRAME_BYTES // 2].tobytes() for i in range(0, len(audio) - FRAME_BYTES // 2 + 1, FRAME_BYTES // 2)
    ]
    sent_at: dict[int, float] = {}  # frame end_ms -> monotonic send time
    lat: list[tuple[int, float, bool]] = []  # (end_ms, latency s, final)
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    conn = p.ClientConnection()
    try:
        async with websockets.connect(url, compression=None, max_size=2**22, open_timeout=30) as ws:
            run = p.RunTask.from_settings(RecognitionSettings())
            await ws.send(conn.send(run))
            started = conn.receive(await asyncio.wait_for(ws.recv(), 30))
            if not isinstance(started, p.TaskStarted):
                raise RuntimeError(f"no task-started: {started!r}")
            finished = asyncio.get_running_loop().create_future()

            async def reader() -> None:
                async for frame in ws:
                    now = time.monotonic()
                    event = conn.receive(frame)
                    if isinstance(event, p.ResultGenerated):
                        end = event.sentence.end_ms
                        key = -(-end // FRAME_MS) * FRAME_MS  # the frame holding the sentence's end
                        if key in sent_at:
                            lat.append((end, now - sent_at[key], event.sentence.final))
                    elif isinstance(event, p.TaskFinished):
                        out["drain_s"] = now - out["finish_sent"]
                        finished.set_result(None)
                        return
                    elif isinstance(event, p.TaskFailed):
                        raise RuntimeError(f"task-failed {event.error_code}: {event.error_message}")

            read = asyncio.create_task(reader())
            t0 = time.monotonic()
            for k, data in enumerate(frames):
                delay = t0 + k * FRAME_MS / 1000 - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                if read.done():
                    break
                sent_at[(k + 1) * FRAME_MS] = time.monotonic()
                out["late_sends"] += -delay > 0.05
                await ws.send(conn.send(p.Audio(data)))
            out["finish_sent"] = time.monotonic()
            if not read.done():
                await ws.send(conn.send(p.FinishTask(run.task_id)))
            await asyncio.wait_for(read, 120)
    except Exception as exc:  # counted, not raised: one failing client must not hide the others
        out["error"] = f"{type(exc).__name__}: {exc}"
    out["lat"] = lat
    out["frames"] = len(sent_at)


def pct(v: list[float], q: float) -> float | None:
    if not v:
        return None
    s = sorted(v)
    return s[min(len(s) - 1, int(round((len(s) - 1) * q)))]


async def run_clients(url: str, n: int, audio: np.ndarray, stagger_s: float) -> tuple[list[dict], float, float]:
    outs = [{"late_sends": 0} for _ in range(n)]
    start = time.monotonic() + 0.5
    cpu0 = time.process_time()
    await asyncio.gather(*(client(url, audio, start + stagger_s * i / n, out) for i, out in enumerate(outs)))
    return outs, time.process_time() - cpu0, time.monotonic() - start


def tone(seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * 16000)) / 16000
    return (8000 * np.sin(2 * np.pi * 300 * t)).astype("<i2")


def trivial_steps(args) -> list[dict]:
    audio = tone(args.seconds)
    rows = []
    server = Server("trivial")
    try:
        for n in args.steps:
            cpu0 = server.cpu_s()
            outs, client_cpu, wall = asyncio.run(run_clients(server.url, n, audio, 1.0))
            server_cpu = server.cpu_s() - cpu0
            lat = [l for o in outs for (_, l, _) in o.get("lat", [])]
            frames = sum(o.get("frames", 0) for o in outs)
            expected = sum(o.get("frames", 0) // 3 for o in outs)  # one result per 3 frames
            errors = [o["error"] for o in outs if "error" in o]
            row = {
                "clients": n, "results": len(lat), "expected_results": expected, "errors": len(errors),
                "first_error": errors[0] if errors else None,
                "p50_ms": _ms(pct(lat, 0.5)), "p99_ms": _ms(pct(lat, 0.99)), "max_ms": _ms(max(lat) if lat else None),
                "late_sends": sum(o["late_sends"] for o in outs), "frames": frames,
                "server_cpu_pct": round(100 * server_cpu / wall), "client_cpu_pct": round(100 * client_cpu / wall),
                "server_rss_mb": round(server.rss_mb()),
            }  # fmt: skip
            row["pass"] = bool(
                row["p99_ms"] is not None and row["p99_ms"] < 100 and not errors and len(lat) >= expected
            )
            rows.append(row)
            print(f"  trivial N={n}: {row}", file=sys.stderr, flush=True)
            if not row["pass"]:
                break
    finally:
        server.close()
    return rows


def local_steps(args) -> list[dict]:
    sys.path.insert(0, str(ROOT / "bench"))
    from latency import SCRIPT

    from captioner.testing.speech import utterances

    audio, _spans = utterances(SCRIPT)
    audio = audio[: int(args.engine_seconds * 16000)]
    audio_s = len(audio) / 16000
    rows = []
    server = Server("local")
    try:
        for n in args.engine_clients:
            cpu0 = server.cpu_s()
            outs, _client_cpu, wall = asyncio.run(run_clients(server.url, n, audio, 0.5))
            server_cpu = server.cpu_s() - cpu0
            finals = [(e, l) for o in outs for (e, l, f) in o.get("lat", []) if f]
            half = audio_s * 1000 / 2
            first = [l for e, l in finals if e <= half]
            second = [l for e, l in finals if e > half]
            errors = [o["error"] for o in outs if "error" in o]
            drains = [o.get("drain_s") for o in outs if o.get("drain_s") is not None]
            row = {
                "streams": n, "audio_s_each": round(audio_s, 1), "finals": len(finals), "errors": len(errors),
                "first_error": errors[0] if errors else None,
                "final_latency_p50_s": _s(pct([l for _, l in finals], 0.5)),
                "final_latency_max_s": _s(max((l for _, l in finals), default=None)),
                "final_latency_first_half_median_s": _s(statistics.median(first) if first else None),
                "final_latency_second_half_median_s": _s(statistics.median(second) if second else None),
                "drain_max_s": _s(max(drains) if drains else None),
                "server_cpu_s_per_audio_s_per_stream": round(server_cpu / (audio_s * n), 3),
                "server_cpu_pct_of_2_cores": round(100 * server_cpu / wall / (os.cpu_count() or 1)),
                "server_rss_mb": round(server.rss_mb()),
            }  # fmt: skip
            lat_max = row["final_latency_max_s"]
            row["sustained"] = bool(
                not errors and lat_max is not None and lat_max < 5.0 and (row["drain_max_s"] or 0) < 5.0
            )
            rows.append(row)
            print(f"  local N={n}: {row}", file=sys.stderr, flush=True)
    finally:
        server.close()
    return rows


def _ms(v):
    return None if v is None else round(v * 1000, 1)


def _s(v):
    return None if v is None else round(v, 2)


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        serve(sys.argv[2])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mode", choices=("trivial", "local", "both"), default="both")
    ap.add_argument("--seconds", type=float, default=20.0, help="stream length per client, trivial mode")
    ap.add_argument("--steps", default="50,100,200,300,400,500,600")
    ap.add_argument("--engine-seconds", type=float, default=40.0, help="stream length per client, local mode")
    ap.add_argument("--engine-clients", default="1,2,3,4")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    args.steps = [int(x) for x in args.steps.split(",")]
    args.engine_clients = [int(x) for x in args.engine_clients.split(",")]
    report: dict = {"cores": os.cpu_count()}
    if args.mode in ("trivial", "both"):
        report["trivial"] = trivial_steps(args)
        passing = [r["clients"] for r in report["trivial"] if r["pass"]]
        report["max_clients_p99_under_100ms"] = max(passing) if passing else 0
    if args.mode in ("local", "both"):
        report["local"] = local_steps(args)
        ok = [r["streams"] for r in report["local"] if r["sustained"]]
        report["max_sustained_local_streams"] = max(ok) if ok else 0
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
