"""The client against a server that sends garbage: random and garbled text and binary frames,
valid events with wild values, at any point of the task, followed by a close, a cut or
silence. Whatever it sends, the session ends with a RecognitionError or normally, never with
another exception, and never hangs (the shortened timeouts bound every wait)."""

from __future__ import annotations

import asyncio
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed

from captioner.audio.frames import AudioFrame
from captioner.events import RecognitionError, Sentence, Usage
from captioner.protocol import realtime as p
from captioner.recognition.cloud.realtime import DashScopeRecognizer, ReconnectPolicy, Timeouts
from captioner.settings import RecognitionSettings

pytestmark = pytest.mark.timeout(120)

TASK = "__TASK__"  # replaced by the client's task id, so "valid" events are for its task

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=10,
)
numbers = (
    st.none() | st.integers(-(10**12), 10**12) | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=3)
)
words = st.lists(
    st.fixed_dictionaries(
        {"begin_time": numbers, "end_time": numbers, "text": st.text(max_size=5) | json_values},
        optional={"punctuation": st.text(max_size=2) | json_values},
    ),
    max_size=3,
)
sentences = st.fixed_dictionaries(
    {},
    optional={
        "begin_time": numbers, "end_time": numbers, "text": st.text(max_size=12) | json_values,
        "heartbeat": st.booleans() | json_values, "sentence_end": st.booleans(), "sentence_id": numbers,
        "words": words | json_values, "speaker_id": json_values,
    },
)  # fmt: skip
events = st.fixed_dictionaries(
    {
        "header": st.fixed_dictionaries(
            {},
            optional={
                "event": st.sampled_from(["task-started", "result-generated", "task-finished", "task-failed", "x"])
                | json_values,
                "task_id": st.just(TASK) | json_values,
                "error_code": st.sampled_from(["InternalError", "InvalidApiKey", "Arrearage", ""]) | json_values,
                "error_message": st.text(max_size=10) | json_values,
            },
        ),
        "payload": st.fixed_dictionaries(
            {}, optional={"output": st.fixed_dictionaries({}, optional={"sentence": sentences}) | json_values,
                          "usage": st.fixed_dictionaries({"duration": numbers}) | json_values}
        ) | json_values,
    }
)  # fmt: skip
valid = st.sampled_from(
    [
        p.encode(p.TaskStarted(TASK)),
        p.encode(p.ResultGenerated(TASK, Sentence("hello", 0, 300, False))),
        p.encode(p.ResultGenerated(TASK, Sentence("hello world", 0, 600, True))),
        p.encode(p.Heartbeat(TASK)),
        p.encode(p.TaskFinished(TASK)),
        p.encode(p.TaskFailed(TASK, "InternalError", "retry me")),
        p.encode(p.TaskFailed(TASK, "InvalidParameter", "no")),
    ]
)
frames = (
    st.binary(max_size=64)
    | st.text(max_size=30)
    | json_values.map(json.dumps)
    | events.map(json.dumps)
    | valid
    | valid.map(lambda f: f[: len(f) // 2])  # truncated
)


@pytest.fixture(scope="module")
def fuzz_loop():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def audio(n: int) -> list[AudioFrame]:
    tone = (np.sin(np.arange(1600) / 3) * 8000).astype("<i2").tobytes()
    return [AudioFrame(tone, i * 100) for i in range(n)]


@given(
    started=st.booleans(),
    rest=st.lists(frames, max_size=8),
    ending=st.sampled_from(["close", "abort", "hang"]),
)
@hsettings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_garbled_server_frames_end_in_a_clear_error_never_a_hang(fuzz_loop, started, rest, ending):
    async def handler(ws):
        try:
            run = p.decode_command(await ws.recv())
            for frame in [p.encode(p.TaskStarted(TASK))] * started + rest:
                if isinstance(frame, str):
                    frame = frame.replace(TASK, run.task_id)
                await ws.send(frame)
            if ending == "close":
                await ws.close()
            elif ending == "abort":
                ws.transport.abort()
            else:
                await ws.wait_closed()
        except ConnectionClosed:
            pass

    async def scenario():
        async with serve(handler, "127.0.0.1", 0) as server:
            url = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}/api-ws/v1/inference"
            recognizer = DashScopeRecognizer(
                url=url,
                reconnect=ReconnectPolicy(initial_delay=0.01, max_delay=0.05, give_up_after=0.3, stable_after=30),
                timeouts=Timeouts(open=1, start=0.3, stall=0.3, close=0.2),
            )
            try:
                session = await recognizer.start(RecognitionSettings())
            except RecognitionError as exc:
                assert exc.code and exc.message
                return
            for frame in audio(5):
                await session.push(frame)
            await session.finish()
            seen = []
            try:
                async for event in session.events():
                    seen.append(event)
            except RecognitionError as exc:
                assert exc.code and exc.message
            for event in seen:
                if isinstance(event, Sentence):
                    assert isinstance(event.text, str) and event.text
                    assert isinstance(event.begin_ms, int) and isinstance(event.end_ms, int)
                else:
                    assert not isinstance(event, Usage) or event.duration_s >= 0
            await session.aclose()

    fuzz_loop.run_until_complete(asyncio.wait_for(scenario(), 10))
