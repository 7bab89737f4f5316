"""The fault suite: what Captioner loses when things go wrong (the answer should be: nothing).

Prints one block of figures per fault, for BENCHMARKS.md. Run from the project root:

    .venv/bin/python bench/fault_suite.py [--quick]

1. 20 forced disconnects during a 10-minute stream (server fault injection): finals lost,
   duplicated, times monotonic, compared with the same stream without faults.
2. SIGKILL of `captioner transcribe` at random moments: every final printed before the kill
   is returned by `captioner recover`.
3. 10 000 hypothesis-generated garbled frames against the server and against the client:
   crashes, hangs, and whether every peer got a clear answer.
4. Bad inputs to the CLI: one clear message each, exit code != 0, nothing written.
5. A recognizer slower than real time behind live capture: memory bounded, lag reported,
   no deadlock.
The tests that back each figure run in CI (tests/test_client.py, test_crash_recovery.py,
test_server.py / test_client_fuzz.py, test_cli_transcribe.py, test_slow_engine.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from captioner.audio.frames import AudioFrame, AudioSource  # noqa: E402
from captioner.events import Sentence  # noqa: E402
from captioner.pipeline import CaptionSession  # noqa: E402
from captioner.recognition.cloud.realtime import DashScopeRecognizer, ReconnectPolicy  # noqa: E402
from captioner.server.realtime import DashScopeServer  # noqa: E402
from captioner.settings import RecognitionSettings  # noqa: E402
from captioner.testing.echo import EchoRecognizer, word_frames  # noqa: E402
from captioner.testing.faults import FaultPlan, FaultyServer  # noqa: E402
from captioner.testing.trivial import TrivialRecognizer  # noqa: E402

PY = sys.executable


def write_wav(path: Path, samples: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(samples.astype("<i2").tobytes())
    return path


def talk_like_signal(seconds: int) -> np.ndarray:
    """Bursts of 'speech' (tones of varying loudness) and pauses, so the trivial engine makes
    sentences that end on pauses, as real speech does."""
    rng = np.random.default_rng(7)
    chunks, total = [], 0
    while total < seconds * 16000:
        burst = int(rng.uniform(1.0, 4.0) * 16000)
        t = np.arange(burst) / 16000
        amp = rng.choice([0.05, 0.3])
        chunks.append((amp * np.sin(2 * np.pi * 220 * t) * 32767).astype("<i2"))
        chunks.append(np.zeros(int(rng.uniform(1.4, 2.5) * 16000), dtype="<i2"))
        total += len(chunks[-1]) + len(chunks[-2])
    return np.concatenate(chunks)[: seconds * 16000]


# -- 1. Disconnects ------------------------------------------------------------------------


class FrameList(AudioSource):
    """Pre-made frames, delivered as fast as the session takes them."""

    def __init__(self, frames: list[AudioFrame]) -> None:
        self._frames = frames
        self._closed = False

    def close(self) -> None:
        self._closed = True

    async def frames(self):
        for frame in self._frames:
            if self._closed:
                return
            yield frame


async def stream_through_server(frames: list[AudioFrame], plan: FaultPlan | None):
    async with FaultyServer(EchoRecognizer(), fault_plan=plan) as server:
        recognizer = DashScopeRecognizer(
            url=server.url, reconnect=ReconnectPolicy(initial_delay=0.01, max_delay=0.2, give_up_after=30)
        )
        session = CaptionSession(FrameList(frames), recognizer, RecognitionSettings())
        t0 = time.perf_counter()
        transcript = await session.run()
        return transcript.finals, session.metrics, time.perf_counter() - t0


def disconnects(minutes: int, drops: int) -> dict:
    """The engine behind the server is captioner/testing/echo.py's: its words are read from the audio,
    so the transcript through 20 reconnects must equal the fault-free one exactly."""
    frames = word_frames(minutes * 60)
    clean, _, _ = asyncio.run(stream_through_server(frames, None))
    plan = FaultPlan(drop_after_frames=len(frames) // (drops + 1), times=drops)
    faulty, metrics, seconds = asyncio.run(stream_through_server(frames, plan))
    key = [(s.text, s.begin_ms, s.end_ms) for s in clean]
    got = [(s.text, s.begin_ms, s.end_ms) for s in faulty]
    starts = [s.begin_ms for s in faulty]
    return {
        "audio_minutes": minutes,
        "drops_injected": drops,
        "reconnects": metrics.get("reconnects"),
        "finals_expected": len(key),
        "finals_lost": len(set(key) - set(got)),
        "finals_duplicated": len(got) - len(set(got)),
        "identical_to_fault_free_run": got == key,
        "times_monotonic": starts == sorted(starts) and all(s.end_ms >= s.begin_ms for s in faulty),
        "replayed_audio_s": round(metrics.get("replayed_ms", 0) / 1000, 1),
        "reconnect_latency_ms_max": metrics.get("reconnect_latency_ms_max"),
        "wall_seconds": round(seconds, 1),
    }


# -- 2. SIGKILL ----------------------------------------------------------------------------


def sigkill(trials: int) -> dict:
    sample = ROOT / "resources" / "sample.ogg"
    results = []
    rng = random.Random(3)
    for _ in range(trials):
        with tempfile.TemporaryDirectory() as data:
            env = {**os.environ, "CAPTIONER_DATA_DIR": data}
            proc = subprocess.Popen(
                [PY, "-m", "captioner", "transcribe", str(sample), "--realtime"],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                env=env,
            )
            want = rng.randint(1, 4)
            printed = []
            while len(printed) < want:
                line = proc.stdout.readline()
                if not line:
                    break
                printed.append(line.split("] ", 1)[1].strip())
            time.sleep(rng.uniform(0, 2.0))  # kill at a random moment, maybe mid-sentence
            proc.send_signal(signal.SIGKILL)
            rest = proc.stdout.read()
            printed += [ln.split("] ", 1)[1].strip() for ln in rest.splitlines() if "] " in ln]
            proc.wait()
            out = Path(data) / "r.json"
            subprocess.run(
                [PY, "-m", "captioner", "recover", "latest", "--json", str(out)],
                env=env,
                capture_output=True,
                check=True,
            )
            recovered = [s["text"] for s in json.loads(out.read_text())["transcripts"][0]["sentences"]]
            results.append((len(printed), sum(1 for p in printed if p not in recovered)))
    return {
        "kills": trials,
        "finals_printed_before_kill": sum(p for p, _ in results),
        "finals_missing_after_recover": sum(m for _, m in results),
    }


# -- 3. Garbled frames ---------------------------------------------------------------------


def garbled_frames(total: int) -> dict:
    import websockets
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    json_like = st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
        max_leaves=12,
    )
    actions = st.sampled_from(["run-task", "finish-task", "continue-task", "bogus", ""])
    command = st.builds(
        lambda action, tid, payload: json.dumps(
            {"header": {"action": action, "task_id": tid, "streaming": "duplex"}, "payload": payload}
        ),
        actions,
        st.text(max_size=40),
        json_like,
    )
    frame = st.one_of(command, st.text(max_size=200), st.binary(max_size=4000), json_like.map(json.dumps))
    counts = {
        "server_frames": 0,
        "server_connections": 0,
        "server_unanswered": 0,
        "client_frames": 0,
        "client_sessions": 0,
        "client_unclear": 0,
        "client_hangs": 0,
    }

    async def good_client_works(url: str) -> bool:
        rec = DashScopeRecognizer(url=url)
        session = await rec.start(RecognitionSettings())
        await session.push(AudioFrame(np.full(1600, 8000, "<i2").tobytes(), 0))
        await session.finish()
        return any([isinstance(e, Sentence) and e.final async for e in session.events()])

    async def attack_server(frames_list, server: DashScopeServer) -> None:
        async with websockets.connect(server.url) as ws:
            counts["server_connections"] += 1
            answered = False
            for f in frames_list:
                try:
                    await ws.send(f)
                except websockets.ConnectionClosed:
                    answered = True
                    break
                counts["server_frames"] += 1
            try:
                while True:
                    await asyncio.wait_for(ws.recv(), 3)
                    answered = True
            except (TimeoutError, websockets.ConnectionClosed) as exc:
                answered = answered or isinstance(exc, websockets.ConnectionClosed)
            if not answered and frames_list:
                counts["server_unanswered"] += 1

    async def server_run(batches):
        async with DashScopeServer(TrivialRecognizer(), no_data_timeout=2, idle_timeout=2) as server:
            for i in range(0, len(batches), 25):  # 25 misbehaving clients at a time
                await asyncio.gather(*(attack_server(b, server) for b in batches[i : i + 25]))
            ok = await good_client_works(server.url)
            return ok, server.stats.internal_errors

    batches: list[list] = []

    @settings(max_examples=50, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(frame, min_size=1, max_size=40))
    def collect(frames_list):
        batches.append(frames_list)

    while sum(len(b) for b in batches) < total:  # each call draws 50 fresh connections' worth
        collect()
    t0 = time.perf_counter()
    ok, internal_errors = asyncio.run(server_run(batches))
    server_seconds = time.perf_counter() - t0

    async def lying_server(frames_list):
        async def handler(ws):
            try:
                await ws.recv()
                for f in frames_list:
                    await ws.send(f)
                    counts["client_frames"] += 1
                await asyncio.sleep(0.05)
            except websockets.ConnectionClosed:
                pass

        from captioner.events import RecognitionError
        from captioner.recognition.cloud.realtime import Timeouts

        async with websockets.serve(handler, "127.0.0.1", 0) as srv:
            port = srv.sockets[0].getsockname()[1]
            rec = DashScopeRecognizer(
                url=f"ws://127.0.0.1:{port}/",
                reconnect=ReconnectPolicy(give_up_after=0.5),
                timeouts=Timeouts(open=2, start=2, stall=2),
            )
            counts["client_sessions"] += 1
            try:
                async with asyncio.timeout(15):
                    session = await rec.start(RecognitionSettings())
                    await session.finish()
                    async for _ in session.events():
                        pass
            except RecognitionError as exc:
                if not exc.message:
                    counts["client_unclear"] += 1
            except TimeoutError:
                counts["client_hangs"] += 1

    async def client_run():
        for i in range(0, len(batches), 25):
            await asyncio.gather(*(lying_server(b) for b in batches[i : i + 25]))

    t0 = time.perf_counter()
    asyncio.run(client_run())
    return {
        **counts,
        "server_internal_errors": internal_errors,
        "server_serves_good_client_after": ok,
        "server_seconds": round(server_seconds, 1),
        "client_seconds": round(time.perf_counter() - t0, 1),
    }


# -- 4. Bad inputs -------------------------------------------------------------------------


def bad_inputs() -> dict:
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        good = write_wav(tmp / "good.wav", talk_like_signal(3))
        data = good.read_bytes()
        (tmp / "corrupt.mp3").write_bytes(np.random.default_rng(1).bytes(50000))
        (tmp / "truncated.wav").write_bytes(data[: len(data) // 2])
        (tmp / "empty.wav").write_bytes(b"")
        zero_rate = bytearray(data)
        zero_rate[24:28] = (0).to_bytes(4, "little")
        (tmp / "zero_rate.wav").write_bytes(bytes(zero_rate))
        cases = {
            "corrupt media": [tmp / "corrupt.mp3"],
            "truncated media": [tmp / "truncated.wav"],
            "zero-length file": [tmp / "empty.wav"],
            "wrong sample rate (0 Hz header)": [tmp / "zero_rate.wav"],
            "out-of-range setting": [good, "--max-sentence-silence", "50"],
            "unknown device": ["--device", "no such microphone"],
            "missing model folder": [good, "--model-dir", tmp / "no-model"],
        }
        for name, args in cases.items():
            out = tmp / "out.srt"
            r = subprocess.run(
                [PY, "-m", "captioner", "transcribe", *map(str, args), "--srt", str(out)],
                capture_output=True,
                text=True,
                env={**os.environ, "CAPTIONER_DATA_DIR": str(tmp)},
            )
            errors = [ln for ln in r.stderr.splitlines() if ln.startswith("captioner: error:")]
            rows[name] = {
                "exit": r.returncode,
                "one_clear_message": len(errors) == 1 and "Traceback" not in r.stderr,
                "nothing_written": not out.exists(),
                "message": errors[0][len("captioner: error: ") :] if errors else r.stderr.strip()[-120:],
            }
    return rows


# -- 5. Slow recognizer --------------------------------------------------------------------


def slow_recognizer(seconds: float) -> dict:
    from captioner.testing.slow_engine import run_slow_engine_session  # the same scenario CI runs (test_slow_engine.py)

    return asyncio.run(run_slow_engine_session(seconds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts, for a smoke run")
    parser.add_argument("--only", choices=["disconnects", "sigkill", "garbled", "bad_inputs", "slow"])
    args = parser.parse_args()
    q = args.quick
    suite = {
        "disconnects": lambda: disconnects(minutes=2 if q else 10, drops=20),
        "sigkill": lambda: sigkill(2 if q else 5),
        "garbled": lambda: garbled_frames(1000 if q else 10_000),
        "bad_inputs": bad_inputs,
        "slow": lambda: slow_recognizer(10 if q else 30),
    }
    for name, run in suite.items():
        if args.only and name != args.only:
            continue
        t0 = time.perf_counter()
        result = run()
        print(f"## {name} ({time.perf_counter() - t0:.0f} s)")
        print(json.dumps(result, indent=2, default=str), flush=True)


if __name__ == "__main__":
    main()
