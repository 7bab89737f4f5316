"""Does a long-running `captioner serve` forget finished tasks? Memory over 10 000 tasks.

Realtime (WebSocket): one DashScopeServer over TrivialRecognizer (answers without
recognising, so the server is measured, not an engine) in this process, on loopback.
`--clients` clients run `--tasks` tasks between them, as the SDK does: each task is
run-task with a fresh uuid task id, task-started, a continue-task with a context (so
`contexts` is exercised too), `--frames` 100-ms frames of a tone, finish-task, then events up
to task-finished. A connection runs `--per-connection` tasks in turn and then closes, so
connections come and go as well. Every `--every` tasks (after gc.collect()): the process's
RSS, the sizes of the server's per-task maps (run_tasks, contexts), its open connections and
the asyncio tasks alive.

REST (file transcription, `--rest-tasks`, 0 to skip): a RestServer over the same engine,
tasks of one 0.5-s local wav each, submitted and polled to the end one after another; RSS
and the sizes of its per-task maps (tasks, submissions, queries, result files) at eight
checkpoints, against its limit (MAX_FINISHED_TASKS, or `--rest-keep`), and whether the first
task is forgotten (UNKNOWN) and the last still there.

`--unbounded` replays the server as it was before it forgot tasks (RECENT_TASKS set beyond
reach: every run-task and context kept), for the before/after comparison.

usage: .venv/bin/python bench/server_tasks.py [--tasks 10000] [--every 1000] [--clients 4]
       [--per-connection 10] [--frames 3] [--rest-tasks 2000] [--unbounded] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
import tempfile
import time
import uuid
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import psutil  # noqa: E402

FRAME_MS = 100
CONTEXT = {"context": [{"role": "user", "content": [{"type": "input_text", "text": "Captioner, DashScope"}]}]}


def tone(ms: int) -> bytes:
    t = np.arange(16 * ms) / 16000
    return (8000 * np.sin(2 * np.pi * 300 * t)).astype("<i2").tobytes()


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


async def realtime(args) -> list[dict]:
    import websockets

    from captioner.protocol import realtime as p
    from captioner.server import realtime as server_module
    from captioner.server.realtime import DashScopeServer
    from captioner.testing.trivial import TrivialRecognizer

    if args.unbounded:
        server_module.RECENT_TASKS = 10**9
    frame = tone(FRAME_MS)
    server = DashScopeServer(TrivialRecognizer())
    await server.start()
    done = 0
    failures: list[str] = []
    rows: list[dict] = []
    t0 = time.monotonic()

    def checkpoint() -> None:
        gc.collect()
        rows.append({
            "tasks": done, "rss_mb": round(rss_mb(), 1), "run_tasks": len(server.run_tasks),
            "contexts": len(server.contexts), "connections": server.open_connections,
            "asyncio_tasks": len(asyncio.all_tasks()), "finished": server.stats.tasks_finished,
            "elapsed_s": round(time.monotonic() - t0, 1),
        })  # fmt: skip
        r = rows[-1]
        line = (f"{r['tasks']:>6} tasks  RSS {r['rss_mb']:7.1f} MB  run_tasks {r['run_tasks']:>6}  "
                f"contexts {r['contexts']:>6}  connections {r['connections']:>3}  "
                f"asyncio tasks {r['asyncio_tasks']:>4}  {r['elapsed_s']:6.1f} s")  # fmt: skip
        print(line, file=sys.stderr, flush=True)

    async def one_task(ws) -> None:
        task_id = uuid.uuid4().hex  # as the SDK makes them: never the same twice
        await ws.send(p.encode(p.RunTask(task_id, "fun-asr-realtime", {"sample_rate": 16000, "format": "pcm"})))
        started = p.decode_event(await asyncio.wait_for(ws.recv(), 30))
        if not isinstance(started, p.TaskStarted):
            raise RuntimeError(f"no task-started: {started!r}")
        await ws.send(p.encode(p.ContinueTask(task_id, CONTEXT)))
        for _ in range(args.frames):
            await ws.send(frame)
        await ws.send(p.encode(p.FinishTask(task_id)))
        while True:
            event = p.decode_event(await asyncio.wait_for(ws.recv(), 30))
            if isinstance(event, p.TaskFinished):
                return
            if isinstance(event, p.TaskFailed):
                raise RuntimeError(f"task-failed {event.error_code}: {event.error_message}")

    async def client(claim) -> None:
        nonlocal done
        while (n := claim(args.per_connection)) > 0:
            try:
                async with websockets.connect(server.url, compression=None, open_timeout=30) as ws:
                    for _ in range(n):
                        await one_task(ws)
                        done += 1
                        if done % args.every == 0:
                            checkpoint()
            except Exception as exc:  # counted, not raised
                failures.append(f"{type(exc).__name__}: {exc}")

    left = args.tasks

    def claim(k: int) -> int:
        nonlocal left
        n = min(k, left)
        left -= n
        return n

    checkpoint()
    try:
        await asyncio.gather(*(client(claim) for _ in range(args.clients)))
    finally:
        await server.stop()
    if failures:
        print(f"{len(failures)} failed connections; first: {failures[0]}", file=sys.stderr)
    rows[-1]["failures"] = len(failures)
    rows[-1]["internal_errors"] = server.stats.internal_errors
    return rows


async def rest(args) -> dict:
    from captioner.protocol.files import PollPolicy, TaskStatus, TranscriptionRequest
    from captioner.recognition.cloud.files import FileTranscriber
    from captioner.server.rest import MAX_FINISHED_TASKS, RestServer
    from captioner.testing.trivial import TrivialRecognizer

    keep = args.rest_keep or MAX_FINISHED_TASKS
    every = max(1, args.rest_tasks // 8)
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "tone.wav"
        with wave.open(str(wav), "wb") as w:
            w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000), w.writeframes(tone(500))
        t0 = time.monotonic()
        async with RestServer(TrivialRecognizer(), max_finished_tasks=keep) as server:
            client = FileTranscriber(server.url, poll=PollPolicy(initial=0.005, cap=0.01))
            ids = []
            for i in range(1, args.rest_tasks + 1):
                job = await client.transcribe(TranscriptionRequest("fun-asr", (str(wav),)))
                if job.task.status is not TaskStatus.SUCCEEDED:
                    raise RuntimeError(f"task {i}: {job.task.status}")
                ids.append(job.task.task_id)
                if i % every == 0 or i == args.rest_tasks:
                    gc.collect()
                    rows.append({
                        "tasks": i, "rss_mb": round(rss_mb(), 1), "held_tasks": len(server.tasks),
                        "submissions": len(server.submissions), "queries": len(server.queries),
                        "result_files": len(server._results), "elapsed_s": round(time.monotonic() - t0, 1),
                    })  # fmt: skip
                    print(f"REST {rows[-1]}", file=sys.stderr, flush=True)
            out = {
                "keep": keep, "rows": rows,
                "first_task": (await client.query(ids[0])).status.value,
                "last_task": (await client.query(ids[-1])).status.value,
                "internal_errors": server.stats.internal_errors,
            }  # fmt: skip
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tasks", type=int, default=10_000)
    ap.add_argument("--every", type=int, default=1000)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--per-connection", type=int, default=10)
    ap.add_argument("--frames", type=int, default=3)
    ap.add_argument("--rest-tasks", type=int, default=2000)
    ap.add_argument("--rest-keep", type=int, default=0, help="finished REST tasks kept (default MAX_FINISHED_TASKS)")
    ap.add_argument("--unbounded", action="store_true", help="keep every run-task, as before the fix")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    for name in ("tasks", "every", "clients", "per_connection", "frames"):
        if not 1 <= getattr(args, name) <= 100_000:
            ap.error(f"--{name.replace('_', '-')} must be 1..100000")
    if not 0 <= args.rest_tasks <= 100_000:
        ap.error("--rest-tasks must be 0..100000")
    rows = asyncio.run(realtime(args))
    result: dict = {"realtime": rows, "unbounded": args.unbounded}
    if args.rest_tasks:
        result["rest"] = asyncio.run(rest(args))
    first_k = next((r for r in rows if r["tasks"] >= args.every), rows[0])
    result["rss_growth_mb_after_first_checkpoint"] = round(rows[-1]["rss_mb"] - first_k["rss_mb"], 1)
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        print("| tasks | RSS MB | run_tasks | contexts | connections | asyncio tasks |")
        print("|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            print(f"| {r['tasks']} | {r['rss_mb']} | {r['run_tasks']} | {r['contexts']} | {r['connections']} "
                  f"| {r['asyncio_tasks']} |")  # fmt: skip
        print(
            f"RSS growth {first_k['tasks']} -> {rows[-1]['tasks']} tasks: "
            f"{result['rss_growth_mb_after_first_checkpoint']} MB"
        )
        if "rest" in result:
            r = result["rest"]
            print(
                f"\nREST, at most {r['keep']} finished tasks kept; first task now {r['first_task']}, "
                f"last {r['last_task']}, internal errors {r['internal_errors']}"
            )
            print("| tasks | RSS MB | tasks held | submissions | queries | result files |")
            print("|---:|---:|---:|---:|---:|---:|")
            for x in r["rows"]:
                print(f"| {x['tasks']} | {x['rss_mb']} | {x['held_tasks']} | {x['submissions']} | {x['queries']} "
                      f"| {x['result_files']} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
