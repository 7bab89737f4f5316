"""What decoding a compressed realtime stream costs `captioner serve`, against raw PCM.

Audio: the five LibriVox sentences of Debian's pocketsphinx-testdata, joined and repeated to
--seconds of 16 kHz speech, encoded with `captioner.testing.encode` (Opus in Ogg at 32 kbit/s
with a page every 100 ms, MP3 at 32 kbit/s, ADTS AAC at 48 kbit/s, Speex, AMR-NB 12.2) and
cut into frames of 100 ms of audio each, as a streaming client sends them.

1. Decoder alone: `open_decoder(fmt, 16000)` fed frame by frame, as the server's reader
   loop does. CPU time (`time.process_time`) per second of audio, median of --runs runs;
   x 100 = % of one core for one real-time stream.
2. Through the server: an in-process `DashScopeServer` over `TrivialRecognizer` (so the
   engine costs next to nothing) in its own thread, one websockets client streaming the
   frames as fast as the server takes them. CPU of the server's thread alone (psutil per
   thread) per second of audio: WebSocket receive, decoding, frame cutting, the session and
   the results sent back. Minus the PCM figure, that is what the format adds.

psutil's per-thread times tick every 10 ms, hence the long default stream (300 s: one tick is
0.003 % of a core).

usage: .venv/bin/python bench/stream_decode.py [--seconds 300] [--runs 5] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import threading
import time

import numpy as np
import psutil
from websockets.asyncio.client import connect

from captioner.audio.stream import open_decoder
from captioner.protocol import realtime as p
from captioner.server.realtime import DashScopeServer
from captioner.testing.encode import encode
from captioner.testing.server_thread import ServerThread
from captioner.testing.speech import librivox, read_wav
from captioner.testing.trivial import TrivialRecognizer

FORMATS = ("pcm", "opus", "mp3", "aac", "speex", "amr")


def speech(seconds: float) -> np.ndarray:
    joined = np.concatenate([read_wav(r.path) for r in librivox()])
    reps = int(np.ceil(seconds * 16000 / len(joined)))
    return np.tile(joined, reps)[: int(seconds * 16000)]


def frames_of(samples: np.ndarray, fmt: str) -> list[bytes]:
    """The stream in frames of 100 ms of audio (compressed: the byte share of 100 ms)."""
    data = samples.tobytes() if fmt == "pcm" else encode(samples, fmt)
    n = len(samples) // 1600
    step = -(-len(data) // n)
    return [data[i : i + step] for i in range(0, len(data), step)]


def decoder_cpu(frames: list[bytes], fmt: str, runs: int) -> float:
    """CPU seconds per call to decode the whole stream (median)."""
    times = []
    for _ in range(runs):
        t = time.process_time()
        dec = open_decoder(fmt, 16000)
        for f in frames:
            dec.feed(f)
        dec.flush()
        times.append(time.process_time() - t)
    return statistics.median(times)


def server_cpu(url: str, thread_id: int, frames: list[bytes], fmt: str, runs: int) -> float:
    """CPU seconds of the server's thread per whole task (median)."""

    def thread_cpu() -> float:
        for t in psutil.Process().threads():
            if t.id == thread_id:
                return t.user_time + t.system_time
        raise RuntimeError("server thread not found")

    async def task(i: int) -> None:
        async with connect(url, compression=None) as ws:
            await ws.send(p.encode(p.RunTask(f"b{i}", "paraformer-realtime-v2", {"sample_rate": 16000, "format": fmt})))
            assert isinstance(p.decode_event(await ws.recv()), p.TaskStarted)
            for f in frames:
                await ws.send(f)
            await ws.send(p.encode(p.FinishTask(f"b{i}")))
            while not isinstance(event := p.decode_event(await ws.recv()), (p.TaskFinished, p.TaskFailed)):
                pass
            assert isinstance(event, p.TaskFinished), event

    times = []
    for i in range(runs):
        before = thread_cpu()
        asyncio.run(task(i))
        times.append(thread_cpu() - before)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    audio = speech(args.seconds)
    streams = {fmt: frames_of(audio, fmt) for fmt in FORMATS}
    results = {}
    server = DashScopeServer(TrivialRecognizer(), max_frame_bytes=1 << 20)
    with ServerThread(server) as srv:
        thread = next(t for t in threading.enumerate() if t.name == "dashscope-server")
        assert thread.native_id is not None
        for fmt, frames in streams.items():
            dec = decoder_cpu(frames, fmt, args.runs)
            total = server_cpu(srv.url, thread.native_id, frames, fmt, args.runs)
            results[fmt] = {
                "bytes_per_s": sum(map(len, frames)) / args.seconds,
                "decoder_core_pct": 100 * dec / args.seconds,
                "server_core_pct": 100 * total / args.seconds,
            }
        assert srv.stats.internal_errors == 0
    base = results["pcm"]["server_core_pct"]
    for r in results.values():
        r["server_extra_core_pct"] = r["server_core_pct"] - base
    if args.json:
        print(json.dumps({"seconds": args.seconds, "runs": args.runs, "results": results}, indent=2))
        return
    print(
        f"{args.seconds:g} s of speech, 100-ms frames, median of {args.runs} runs; % of one core per real-time stream"
    )
    print(f"{'format':8} {'kB/s':>7} {'decoder':>9} {'server':>9} {'vs pcm':>9}")
    for fmt, r in results.items():
        print(
            f"{fmt:8} {r['bytes_per_s'] / 1000:7.1f} {r['decoder_core_pct']:8.4f}% {r['server_core_pct']:8.4f}% "
            f"{r['server_extra_core_pct']:+8.4f}%"
        )


if __name__ == "__main__":
    main()
