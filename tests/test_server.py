"""`captioner serve` in-process over the trivial engine, driven by a websockets client.

The trivial engine makes the results predictable: every 3rd non-silent 100-ms frame adds a
word ("loud3"), every 9th ends a sentence, finish-task ends the open one. Timeouts are
shortened through the constructor; nothing here waits for a real 23 or 60 seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import struct
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from captioner.audio.stream import AudioDecoder, AudioFormatError
from captioner.protocol import realtime as p
from captioner.protocol.realtime import ErrorCode
from captioner.server.realtime import RECENT_TASKS
from captioner.server.rest import RestServer
from captioner.server.web import WebHost
from captioner.testing.faults import FaultPlan, FaultyServer
from captioner.testing.trivial import TrivialRecognizer

pytestmark = pytest.mark.timeout(60)


def tone(ms: int, rate: int = 16000, amplitude: float = 0.25) -> bytes:
    t = np.arange(rate * ms // 1000) / rate
    return (np.sin(2 * np.pi * 440 * t) * amplitude * 32767).astype("<i2").tobytes()


def silence(ms: int, rate: int = 16000) -> bytes:
    return bytes(2 * rate * ms // 1000)


def chunks(pcm: bytes, size: int = 3200) -> list[bytes]:
    return [pcm[i : i + size] for i in range(0, len(pcm), size)]


def wav_bytes(pcm: bytes, rate: int = 16000, channels: int = 1, extra_chunk: bytes = b"") -> bytes:
    """A RIFF/WAVE file; `extra_chunk` goes between fmt and data (like a LIST chunk)."""
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * 2 * channels, 2 * channels, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + extra_chunk
    body += b"data" + struct.pack("<I", len(pcm)) + pcm
    return b"RIFF" + struct.pack("<I", len(body)) + body


def run_task(task_id: str = "t1", model: str = "fun-asr-realtime", **parameters) -> str:
    params = {"sample_rate": 16000, "format": "pcm", **parameters}
    return p.encode(p.RunTask(task_id, model, params))


@contextlib.asynccontextmanager
async def serving(**kwargs):
    """The realtime server as `captioner serve` runs it: on one port beside the REST
    services (a `WebHost` mounting both), so every test here drives the shared port."""
    kwargs.setdefault("recognizer", TrivialRecognizer())
    server = FaultyServer(**kwargs)
    async with WebHost([server, RestServer(server.recognizer)]):
        yield server
    assert server.stats.internal_errors == 0
    assert server.stats.active_tasks == 0  # every slot given back, however the task ended


async def events_until_end(ws, timeout: float = 5.0) -> list[p.ServerEvent]:
    """Events up to and including task-finished or task-failed."""
    out = []
    while True:
        event = p.decode_event(await asyncio.wait_for(ws.recv(), timeout))
        out.append(event)
        if isinstance(event, (p.TaskFinished, p.TaskFailed)):
            return out


async def transcribe(ws, audio: list[bytes], task_id: str = "t1", **parameters) -> list[p.ServerEvent]:
    """One whole task on an open connection, the way a well-behaved client does it."""
    await ws.send(run_task(task_id, **parameters))
    started = p.decode_event(await asyncio.wait_for(ws.recv(), 5))
    if not isinstance(started, p.TaskStarted):
        return [started]
    for frame in audio:
        await ws.send(frame)
    await ws.send(p.encode(p.FinishTask(task_id)))
    return [started, *await events_until_end(ws)]


def finals(events) -> list[tuple[str, int, int]]:
    return [
        (e.sentence.text, e.sentence.begin_ms, e.sentence.end_ms)
        for e in events
        if isinstance(e, p.ResultGenerated) and e.sentence.final
    ]


async def failure(ws, timeout: float = 5.0) -> tuple[p.TaskFailed, int | None]:
    """The task-failed the server sends, and the close code that must follow it."""
    events = await events_until_end(ws, timeout)
    assert isinstance(events[-1], p.TaskFailed), events
    with pytest.raises(ConnectionClosed):
        await asyncio.wait_for(ws.recv(), timeout)
    return events[-1], ws.close_code


# -- The happy path ------------------------------------------------------------------------


async def test_streaming_task_then_another_on_the_same_connection():
    async with serving() as server, connect(server.url) as ws:
        events = await transcribe(ws, chunks(tone(1000)))
        assert isinstance(events[0], p.TaskStarted)
        assert finals(events) == [("loud3 loud6 loud9.", 0, 900), ("loud10.", 900, 1000)]
        interims = [e for e in events if isinstance(e, p.ResultGenerated) and not e.sentence.final]
        assert [e.sentence.text for e in interims] == ["loud3", "loud3 loud6"]
        assert [e.sentence.sentence_id for e in events if isinstance(e, p.ResultGenerated)] == [1, 1, 1, 2]
        # task-finished exactly as the SDK needs it (a non-empty payload)
        assert isinstance(events[-1], p.TaskFinished)
        # reuse: a new task, same socket; the 1.x SDK even reuses the task id
        again = await transcribe(ws, chunks(tone(300)), task_id="t1")
        assert finals(again) == [("loud3.", 0, 300)]
        assert server.stats.tasks_finished == 2 and server.stats.active_tasks == 0


async def test_raw_frames_match_the_service():
    async with serving() as server, connect(server.url + "/") as ws:  # trailing slash too
        await ws.send(run_task("abc"))
        assert await ws.recv() == '{"header":{"task_id":"abc","event":"task-started","attributes":{}},"payload":{}}'
        await ws.send(p.encode(p.FinishTask("abc")))
        assert await ws.recv() == (
            '{"header":{"task_id":"abc","event":"task-finished","attributes":{}},"payload":{"output":{}}}'
        )


async def test_server_records_what_it_received():
    async with serving() as server, connect(server.url) as ws:
        params = {"language_hints": ["en"], "max_sentence_silence": 700, "vocabulary_id": "vocab-x-1",
                  "speech_noise_threshold": -0.3, "diarization_enabled": True}  # fmt: skip
        await ws.send(run_task("rec", **params))
        await ws.recv()
        context = {"context": [{"role": "user", "content": [{"type": "input_text", "text": "Captioner"}]}]}
        await ws.send(p.encode(p.ContinueTask("rec", context)))
        await ws.send(p.encode(p.FinishTask("rec")))
        await events_until_end(ws)
        assert server.run_tasks["rec"].parameters == {"sample_rate": 16000, "format": "pcm", **params}
        assert server.last_run_task.task_id == "rec"
        assert server.contexts["rec"] == context


async def test_the_server_forgets_ended_tasks_but_the_latest_few():
    """A long-running serve stays the same size: after many tasks, on one connection and on
    many, the record holds the latest RECENT_TASKS only, newest last."""
    context = {"context": [{"role": "user", "content": [{"type": "input_text", "text": "x"}]}]}
    n = RECENT_TASKS + 20
    async with serving() as server:
        async with connect(server.url) as ws:
            for i in range(n // 2):
                await ws.send(p.encode(p.RunTask(f"a{i}", "fun-asr-realtime", {"sample_rate": 16000, "format": "pcm"})))
                await ws.recv()
                await ws.send(p.encode(p.ContinueTask(f"a{i}", context)))
                await ws.send(tone(100))
                await ws.send(p.encode(p.FinishTask(f"a{i}")))
                assert isinstance((await events_until_end(ws))[-1], p.TaskFinished)
        for i in range(n - n // 2):
            async with connect(server.url) as ws:
                assert isinstance((await transcribe(ws, [tone(100)], f"b{i}"))[-1], p.TaskFinished)
        assert server.stats.tasks_finished == n
        assert len(server.run_tasks) == RECENT_TASKS and server.last_run_task.task_id == f"b{n - n // 2 - 1}"
        assert "a0" not in server.run_tasks and "a0" not in server.contexts
        assert set(server.contexts) == {f"a{i}" for i in range(n // 2)} & set(server.run_tasks)


async def test_eight_khz_audio_keeps_the_clients_clock():
    async with serving() as server, connect(server.url) as ws:
        events = await transcribe(ws, chunks(tone(1000, rate=8000), 1600), model="paraformer-realtime-v2",
                                  sample_rate=8000)  # fmt: skip
        assert finals(events) == [("loud3 loud6 loud9.", 0, 900), ("loud10.", 900, 1000)]
        events = await transcribe(ws, chunks(tone(900, rate=8000), 1600), "t2", model="paraformer-realtime-8k-v2",
                                  sample_rate=8000)  # fmt: skip
        assert finals(events)[-1][2] == 900


async def test_wav_header_split_across_frames():
    pcm = tone(1000)
    baseline_events = None
    wav = wav_bytes(pcm, extra_chunk=b"LIST" + struct.pack("<I", 5) + b"abcde" + b"\0")  # odd size + pad
    trailing = wav + b"id3 " + bytes(40)  # a chunk after the data must not be heard as audio
    async with serving() as server, connect(server.url) as ws:
        baseline_events = await transcribe(ws, chunks(pcm))
        split = [trailing[i : i + 7] for i in range(0, 70, 7)] + chunks(trailing[70:], 12800)
        events = await transcribe(ws, split, "t2", format="wav")
        assert finals(events) == finals(baseline_events)


def test_audio_decoder_directly():
    pcm = tone(200)
    wav = wav_bytes(pcm)
    dec = AudioDecoder("wav", 16000)
    out = b"".join(dec.feed(bytes([b])) for b in wav) + dec.flush()  # one byte at a time
    assert out == pcm
    dec8 = AudioDecoder("pcm", 8000)
    out8 = dec8.feed(tone(1000, rate=8000)) + dec8.flush()
    assert len(out8) == 32000  # one second at 16 kHz
    for bad, words in [
        (wav_bytes(pcm, channels=2), "mono"),
        (wav_bytes(pcm, rate=8000), "header says 8000 Hz"),
        (b"ID3\x04" + bytes(100), "RIFF"),
        (b"RIFF\0\0\0\0data\0\0\0\0", "WAVE"),
    ]:
        with pytest.raises(AudioFormatError, match=words):
            AudioDecoder("wav", 16000).feed(bad)


# -- Refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model, params, code, words",
    [
        ("no-such-model", {}, ErrorCode.MODEL_NOT_FOUND, "no-such-model"),
        ("gummy-realtime-v1", {"transcription_enabled": False}, ErrorCode.INVALID_PARAMETER,
         "transcription_enabled: and translation_enabled are both false"),
        ("gummy-realtime-v1", {"translation_enabled": True}, ErrorCode.INVALID_PARAMETER,
         "translation_target_languages: name exactly one target language"),
        ("fun-asr-realtime", {"max_sentence_silence": 50}, ErrorCode.INVALID_PARAMETER,
         "max_sentence_silence: must be between 200 and 6000 ms (got 50)"),
        ("fun-asr-realtime", {"language_hints": ["xx"]}, ErrorCode.INVALID_PARAMETER, "language_hints"),
        ("fun-asr-realtime", {"format": "flac"}, ErrorCode.INVALID_PARAMETER, "format: must be one of"),
        ("fun-asr-realtime", {"sample_rate": 44100}, ErrorCode.INVALID_PARAMETER,
         "sample_rate: fun-asr-realtime takes 16000 Hz audio (got 44100 Hz)"),
        ("fun-asr-realtime-2025-11-07", {"sample_rate": 8000}, ErrorCode.INVALID_PARAMETER, "takes 16000 Hz"),
        ("paraformer-realtime-v1", {"sample_rate": 8000}, ErrorCode.INVALID_PARAMETER, "takes 16000 Hz"),
        ("paraformer-realtime-8k-v2", {}, ErrorCode.INVALID_PARAMETER, "takes 8000 Hz audio (got 16000 Hz)"),
        ("fun-asr-flash-8k-realtime", {"format": "opus"}, ErrorCode.INVALID_PARAMETER, "takes 8000 Hz"),
        ("paraformer-realtime-v2", {"sample_rate": 4000}, ErrorCode.INVALID_PARAMETER, "sample_rate"),
    ],
)  # fmt: skip
async def test_run_task_refusals(model, params, code, words):
    async with serving() as server, connect(server.url) as ws:
        await ws.send(run_task("bad", model, **params))
        failed, close_code = await failure(ws)
        assert (failed.task_id, failed.error_code) == ("bad", code)
        assert words in failed.error_message
        assert close_code == 1000
        assert server.stats.active_tasks == 0


@pytest.fixture(scope="module")
def local_engine():
    """The on-device engine with the packaged English-only model (whisper tiny.en)."""
    from captioner.recognition.local.whisper import LocalRecognizer

    return LocalRecognizer()


@pytest.mark.slow
@pytest.mark.parametrize(
    "model, hints, words",
    [
        ("fun-asr-realtime", ["ja"], "does not know the language 'ja'"),
        ("fun-asr-realtime", ["ja", "en"], "fun-asr-realtime reads only the first hint"),
        ("paraformer-realtime-v2", ["ja", "ko"], "does not know the languages 'ja', 'ko'"),
    ],
)
async def test_a_language_the_local_model_cannot_do_is_refused_by_name(local_engine, model, hints, words):
    async with serving(recognizer=local_engine) as server, connect(server.url) as ws:
        await ws.send(run_task("lang", model, language_hints=hints))
        failed, close_code = await failure(ws, timeout=30)
        assert failed.error_code == ErrorCode.INVALID_PARAMETER
        assert "whisper tiny.en (English only)" in failed.error_message and words in failed.error_message
        assert close_code == 1000 and server.stats.tasks_started == 0


@pytest.mark.slow
async def test_paraformer_hints_the_local_model_can_partly_serve_start_the_task(local_engine):
    """paraformer-realtime-v2 counts every hint: "zh or en" is served in English on tiny.en."""
    async with serving(recognizer=local_engine) as server, connect(server.url) as ws:
        await ws.send(run_task("mixed", "paraformer-realtime-v2", language_hints=["zh", "en"]))
        started = p.decode_event(await asyncio.wait_for(ws.recv(), 30))
        assert isinstance(started, p.TaskStarted), started


@pytest.mark.parametrize(
    "frame, code, words",
    [
        ('{"header": {"action": "dance", "task_id": "t1"}, "payload": {"input": {}}}', ErrorCode.CLIENT_ERROR,
         "unknown action"),
        ("{not json", ErrorCode.CLIENT_ERROR, "Invalid payload data"),
        ('{"header": {"action": "finish-task", "task_id": "t1"}, "payload": {}}', ErrorCode.CLIENT_ERROR,
         "Invalid payload data"),
        (b"\x01\x02", ErrorCode.CLIENT_ERROR, "audio is not allowed before run-task"),
    ],
)  # fmt: skip
async def test_protocol_violations_fail_the_task_and_close(frame, code, words):
    async with serving() as server, connect(server.url) as ws:
        await ws.send(frame)
        failed, close_code = await failure(ws)
        assert (failed.error_code, close_code) == (code, 1000)
        assert words in failed.error_message


async def test_connection_closes_promptly_while_the_client_still_streams():
    """After task-failed a client may not notice at once and keep sending audio: the close
    must not wait behind it."""
    async with serving(fault_plan=FaultPlan(fail_after_frames=3)) as server, connect(server.url) as ws:
        await ws.send(run_task())
        await ws.recv()
        t0 = time.monotonic()

        async def stream():
            with contextlib.suppress(ConnectionClosed):
                for frame in chunks(tone(60_000)):
                    await ws.send(frame)

        streaming = asyncio.create_task(stream())
        failed, close_code = await failure(ws)
        await streaming
        assert (failed.error_code, close_code) == (ErrorCode.INTERNAL_ERROR, 1000)
        assert time.monotonic() - t0 < 1.5


class SlowStart(TrivialRecognizer):
    """An engine whose start takes `start_delay`; it says when a start began and ended, and
    whether it was abandoned (cancelled) rather than finished."""

    def __init__(self, start_delay: float) -> None:
        super().__init__(start_delay=start_delay)
        self.start_began = asyncio.Event()
        self.start_ended = asyncio.Event()
        self.start_abandoned = False

    async def start(self, settings):
        self.start_began.set()
        try:
            return await super().start(settings)
        except asyncio.CancelledError:
            self.start_abandoned = True
            raise
        finally:
            self.start_ended.set()


async def test_audio_before_task_started():
    engine = SlowStart(start_delay=30)  # far longer than the test: only abandoning it ends it
    async with serving(recognizer=engine) as server, connect(server.url) as ws:
        await ws.send(run_task())
        await asyncio.wait_for(engine.start_began.wait(), 5)  # the engine start is under way
        await ws.send(tone(100))
        failed, _ = await failure(ws)
        assert (failed.task_id, failed.error_code) == ("t1", ErrorCode.CLIENT_ERROR)
        assert "before task-started" in failed.error_message
        # The engine start that was under way is abandoned cleanly: it ends, cancelled, so no
        # task can start after it.
        await asyncio.wait_for(engine.start_ended.wait(), 5)
        assert engine.start_abandoned
        assert server.stats.active_tasks == 0 and server.stats.tasks_started == 0


async def test_oversized_frames():
    async with serving(max_frame_bytes=16_000) as server:
        async with connect(server.url) as ws:
            await ws.send(run_task())
            await ws.recv()
            await ws.send(bytes(16_002))
            failed, _ = await failure(ws)
            assert failed.error_code == ErrorCode.CLIENT_ERROR
            assert "16002 bytes exceeds this server's limit of 16000 bytes" in failed.error_message
        async with connect(server.url) as ws:  # far beyond the limit: websockets cuts it off
            await ws.send(bytes(200_000))
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 5)
            assert ws.close_code == 1009


async def test_wrong_audio_for_the_declared_format():
    async with serving() as server, connect(server.url) as ws:
        await ws.send(run_task(format="wav"))
        await ws.recv()
        await ws.send(tone(100))  # no RIFF header
        failed, _ = await failure(ws)
        assert failed.error_code == ErrorCode.NO_VALID_AUDIO and "RIFF" in failed.error_message


# -- Authentication and paths --------------------------------------------------------------


async def test_api_key_is_checked_at_the_handshake():
    async with serving(token="sk-right") as server:
        for headers in ({}, {"Authorization": "Bearer sk-wrong"}, {"Authorization": "Basic sk-right"}):
            with pytest.raises(InvalidStatus) as info:
                async with connect(server.url, additional_headers=headers):
                    pass
            response = info.value.response
            assert response.status_code == 401
            assert response.headers["Content-Type"] == "application/json"
            body = json.loads(response.body)
            assert list(body) == ["code", "message", "request_id"]
            assert (body["code"], body["message"]) == ("InvalidApiKey", "Invalid API-key provided.")
            assert len(body["request_id"]) == 36
            assert len(response.body) == 114  # what the real gateway sends
        for scheme in ("Bearer", "bearer", "BEARER"):
            async with connect(server.url, additional_headers={"Authorization": f"{scheme} sk-right"}) as ws:
                assert len(await transcribe(ws, [tone(100)])) == 3


async def test_other_paths_are_not_found():
    async with serving() as server:
        with pytest.raises(InvalidStatus) as info:
            async with connect(server.url.replace("/inference", "/other")):
                pass
        assert info.value.response.status_code == 404
        async with connect(server.url + "?x=1") as ws:
            await ws.send(run_task())
            assert isinstance(p.decode_event(await ws.recv()), p.TaskStarted)


# -- Timeouts and heartbeat ----------------------------------------------------------------


async def test_no_data_timeout():
    async with serving(no_data_timeout=0.3) as server, connect(server.url) as ws:
        await ws.send(run_task())
        await ws.recv()
        await ws.send(tone(100))
        t0 = time.monotonic()
        failed, _ = await failure(ws)
        assert (failed.error_code, failed.error_message) == ("CLIENT_ERROR", "request timeout after 0.3 seconds.")
        assert 0.25 < time.monotonic() - t0 < 2
        assert p.is_retryable(failed.error_code, failed.error_message)


async def test_idle_connection_is_closed():
    async with serving(idle_timeout=0.3) as server:
        async with connect(server.url) as ws:
            await transcribe(ws, [tone(100)])
            t0 = time.monotonic()
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 5)
            assert 0.25 < time.monotonic() - t0 < 2 and ws.close_code == 1000
        async with connect(server.url) as ws:  # never started a task
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 5)


async def test_heartbeat_packets_during_silence():
    async with serving(heartbeat_interval=0.5) as server, connect(server.url) as ws:
        events = await transcribe(ws, chunks(silence(2000)), heartbeat=True)
        assert [type(e).__name__ for e in events] == ["TaskStarted"] + ["Heartbeat"] * 4 + ["TaskFinished"]


async def test_silence_without_heartbeat_times_out():
    async with serving(silence_timeout=1.5) as server, connect(server.url) as ws:
        await ws.send(run_task())
        await ws.recv()
        for frame in chunks(tone(500) + silence(1600)):
            await ws.send(frame)
        failed, _ = await failure(ws)
        assert failed.error_code == ErrorCode.REQUEST_TIMEOUT
        assert "heartbeat=true" in failed.error_message


# -- Limits, faults, concurrency -----------------------------------------------------------


async def test_max_sessions_refuses_extra_tasks():
    async with serving(max_sessions=1) as server, connect(server.url) as first:
        await first.send(run_task("a"))
        await first.recv()
        async with connect(server.url) as second:
            await second.send(run_task("b"))
            failed, _ = await failure(second)
            assert failed.error_code == ErrorCode.THROTTLING and "at most 1" in failed.error_message
            assert failed.retryable
        await first.send(p.encode(p.FinishTask("a")))
        await events_until_end(first)
        async with connect(server.url) as third:
            assert isinstance((await transcribe(third, [tone(100)], "c"))[-1], p.TaskFinished)


async def test_fault_plan_drops_connections_repeatedly():
    plan = FaultPlan(drop_after_frames=3, every_nth_connection=2, times=None)
    async with serving(fault_plan=plan) as server:
        outcomes = []
        for _ in range(4):
            async with connect(server.url) as ws:
                try:
                    events = await transcribe(ws, chunks(tone(500)))
                    outcomes.append(type(events[-1]).__name__)
                except ConnectionClosed:
                    outcomes.append(ws.close_code)
        assert outcomes == ["TaskFinished", 1006, "TaskFinished", 1006]
        assert server.faults_injected == 2 and server.stats.active_tasks == 0


async def test_fault_plan_survives_many_drops_in_one_long_stream():
    """A reconnecting client's view: 25 drops, each after 5 frames, then a clean finish."""
    plan = FaultPlan(drop_after_frames=5, times=25)
    audio = chunks(tone(3000))
    async with serving(fault_plan=plan) as server:
        drops = 0
        while True:
            async with connect(server.url) as ws:
                try:
                    events = await transcribe(ws, audio, task_id="same-id-every-time")
                    break
                except ConnectionClosed:
                    assert ws.close_code == 1006
                    drops += 1
        assert drops == 25 and isinstance(events[-1], p.TaskFinished)
        assert server.faults_injected == 25


async def test_pings_are_answered_during_a_task():
    async with serving(recognizer=TrivialRecognizer()) as server, connect(server.url) as ws:
        await ws.send(run_task())
        await ws.recv()
        for frame in chunks(tone(500)):
            await ws.send(frame)
        latency = await asyncio.wait_for(await ws.ping(), 2)
        assert latency < 2


async def test_slow_engine_does_not_stop_the_server_listening():
    """A whole file sent at once to an engine slower than the upload: the server keeps
    reading (pings answered at once) and still recognises every frame."""
    slow = TrivialRecognizer(frame_delay=0.005)
    async with serving(recognizer=slow) as server, connect(server.url) as ws:
        await ws.send(run_task())
        await ws.recv()
        for frame in chunks(tone(30_000), 12800):  # more than websockets and the kernel buffer
            await ws.send(frame)
        latency = await asyncio.wait_for(await ws.ping(), 5)
        assert latency < 0.5  # the engine needs 1.5 s for this audio
        await ws.send(p.encode(p.FinishTask("t1")))
        events = await events_until_end(ws)
        assert finals(events)[-1] == ("loud300.", 29_700, 30_000)


async def test_fault_plan_fails_once_with_the_chosen_code():
    plan = FaultPlan(fail_after_frames=2, fail_code="ModelServingError", fail_message="overloaded")
    async with serving(fault_plan=plan) as server:
        async with connect(server.url) as ws:
            events = await transcribe(ws, chunks(tone(500)))
            assert events[-1] == p.TaskFailed("t1", "ModelServingError", "overloaded")
        async with connect(server.url) as ws:
            assert isinstance((await transcribe(ws, chunks(tone(500))))[-1], p.TaskFinished)


async def test_fault_plan_delays_events():
    async with serving(fault_plan=FaultPlan(event_delay=0.2)) as server, connect(server.url) as ws:
        t0 = time.monotonic()
        await ws.send(run_task())
        await ws.recv()
        assert time.monotonic() - t0 >= 0.2


async def test_concurrent_sessions_one_misbehaving():
    async with serving() as server:

        async def good(n: int):
            async with connect(server.url) as ws:
                audio = chunks(tone(1000))
                await ws.send(run_task(f"good{n}"))
                await ws.recv()
                for frame in audio:
                    await ws.send(frame)
                    await asyncio.sleep(0.005)
                await ws.send(p.encode(p.FinishTask(f"good{n}")))
                return finals(await events_until_end(ws))

        async def bad():
            async with connect(server.url) as ws:
                await ws.send(run_task("bad"))
                await ws.recv()
                await ws.send(tone(100))
                await ws.send("\x00garbage")
                return await failure(ws)

        *results, (failed, _) = await asyncio.gather(*(good(n) for n in range(4)), bad())
        assert all(r == [("loud3 loud6 loud9.", 0, 900), ("loud10.", 900, 1000)] for r in results)
        assert failed.task_id == "bad" and failed.error_code == ErrorCode.CLIENT_ERROR
        assert server.stats.tasks_finished == 4 and server.stats.active_tasks == 0


# -- Fuzzing -------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=10,
)
commands = st.fixed_dictionaries(
    {"header": st.fixed_dictionaries({}, optional={
        "action": st.sampled_from(["run-task", "continue-task", "finish-task", "nope"]) | json_values,
        "task_id": st.just("f1") | json_values, "streaming": st.just("duplex")}),
     "payload": st.fixed_dictionaries({}, optional={
        "input": st.just({}) | json_values, "model": st.sampled_from(["fun-asr-realtime", "x"]) | json_values,
        "parameters": st.fixed_dictionaries({"sample_rate": st.sampled_from([16000, 8000, 0]),
                                             "format": st.sampled_from(["pcm", "wav", "mp3"])},
                                            optional={"heartbeat": json_values, "max_sentence_silence": json_values,
                                                      "language_hints": json_values}) | json_values})},
)  # fmt: skip
fuzz_frames = (
    st.binary(max_size=4000)
    | st.text(max_size=40)
    | json_values.map(json.dumps)
    | commands.map(json.dumps)
    | st.sampled_from([run_task("f1"), p.encode(p.FinishTask("f1")), tone(100)])
)


@pytest.fixture(scope="module")
def fuzz_loop():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@given(st.lists(fuzz_frames, max_size=6))
@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_fuzzed_clients_never_break_the_server(fuzz_loop, sequence):
    """Any frames, then one that is always wrong: the server answers task-failed and closes,
    sends only well-formed events, and still serves a good client afterwards."""

    async def scenario():
        async with serving(max_frame_bytes=3500, no_data_timeout=2) as server:
            async with connect(server.url) as ws:
                with contextlib.suppress(ConnectionClosed):
                    for frame in sequence:
                        await ws.send(frame)
                    await ws.send("{this is never valid")
                received = []
                with contextlib.suppress(ConnectionClosed):
                    while True:
                        received.append(p.decode_event(await asyncio.wait_for(ws.recv(), 5)))
                assert ws.close_code in (1000, 1009)
                assert [type(e) for e in received].count(p.TaskFailed) <= 1
                if ws.close_code == 1000:
                    assert isinstance(received[-1], p.TaskFailed)
            async with connect(server.url) as ws:
                assert finals(await transcribe(ws, chunks(tone(300)))) == [("loud3.", 0, 300)]

    fuzz_loop.run_until_complete(scenario())
