"""The synchronous call's handler (server/flash.py) on its own, transport-independent: bytes
and headers in, a reply out, over the trivial engine (fast, no model). What a request
costs when it goes wrong mid-way: an engine failure in a stream is an error event after the
sentences already sent; a client that goes away stops the recognition and leaves no
temporary file behind; audio longer than the limit is refused before it is decoded."""

from __future__ import annotations

import base64
import json
import tempfile
from pathlib import Path

import numpy as np
import pytest

from captioner.events import RecognitionError, Sentence
from captioner.protocol.flash import FLASH_MODEL, SseParser
from captioner.recognition.base import RecognitionSession, Recognizer
from captioner.server import file_jobs
from captioner.server.flash import handle
from captioner.server.vocabularies import VocabularyStore
from captioner.settings import RecognitionSettings
from captioner.testing.speech import write_wav
from captioner.testing.trivial import TrivialRecognizer

pytestmark = pytest.mark.timeout(60)

LIMITS = file_jobs.FileLimits(10**8, 10**9, 10.0, True)


class FailsAfterFirstFinal(Recognizer):
    """The trivial engine, whose task fails once it has given one final."""

    name = "fails"

    async def start(self, settings: RecognitionSettings) -> RecognitionSession:
        inner = await TrivialRecognizer(final_every=5).start(settings)
        original = inner._emit

        def emit(event) -> None:
            original(event)
            if isinstance(event, Sentence) and event.final:
                inner._fail(RecognitionError("InternalError.Algo", "the engine fell over"))

        inner._emit = emit  # type: ignore[method-assign]
        return inner


def tone_wav(tmp_path: Path, seconds: float) -> Path:
    n = int(16000 * seconds)
    loud = (np.sin(np.arange(n) / 5) * 8000).astype("<i2")
    return write_wav(tmp_path / "tone.wav", np.concatenate([loud, np.zeros(16000, "<i2")]))


def body(path: Path, **parameters) -> bytes:
    uri = "data:audio/wav;base64," + base64.b64encode(path.read_bytes()).decode()
    content = [{"type": "input_audio", "input_audio": {"data": uri}}]
    return json.dumps(
        {"model": FLASH_MODEL, "input": {"messages": [{"role": "user", "content": content}]}, "parameters": parameters}
    ).encode()


def leftovers() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("captioner-flash-*")}


async def collect(reply) -> list:
    parser = SseParser()
    events = []
    try:
        async for chunk in reply:
            events.extend(parser.feed(chunk))
    finally:
        await reply.close()
    return events


async def test_non_streaming_answer_over_the_trivial_engine(tmp_path) -> None:
    reply = await handle(body(tone_wav(tmp_path, 2)), {}, TrivialRecognizer(), VocabularyStore(), LIMITS)
    assert (reply.status, reply.content_type, reply.events) == (200, "application/json", None)
    answer = json.loads(reply.body)
    text = answer["output"]["choices"][0]["message"]["content"][0]["text"]
    assert text.startswith("loud") and len(answer["output"]["sentences"]) >= 2
    assert answer["usage"]["seconds"] == 3


async def test_an_engine_failure_mid_stream_is_an_error_event_after_the_sentences(tmp_path) -> None:
    before = leftovers()
    reply = await handle(
        body(tone_wav(tmp_path, 2)), {"x-dashscope-sse": "enable"}, FailsAfterFirstFinal(), VocabularyStore(), LIMITS
    )
    assert (reply.status, reply.content_type) == (200, "text/event-stream")
    events = await collect(reply)
    assert [e.event for e in events] == ["result", "error"]
    assert events[-1].status == 500 and events[-1].data["code"] == "InternalError.Algo"
    assert events[-1].data["request_id"] == events[0].data["request_id"]
    assert leftovers() == before


async def test_a_client_that_goes_away_stops_the_recognition_and_leaves_nothing(tmp_path) -> None:
    before = leftovers()
    engine = TrivialRecognizer(final_every=5, frame_delay=0.01)
    reply = await handle(body(tone_wav(tmp_path, 8)), {"x-dashscope-sse": "enable"}, engine, VocabularyStore(), LIMITS)
    assert leftovers() - before  # the inline audio is on disk while the answer streams
    async for _chunk in reply:
        break  # one event, then the client is gone
    await reply.close()
    assert leftovers() == before


async def test_longer_than_the_limit_is_refused_before_decoding(tmp_path) -> None:
    engine = TrivialRecognizer()
    reply = await handle(body(tone_wav(tmp_path, 2)), {}, engine, VocabularyStore(), LIMITS, max_duration_ms=2000)
    answer = json.loads(reply.body)
    assert (reply.status, answer["code"]) == (400, "InvalidParameter")
    assert "at most 2 s" in answer["message"] and "3.0 s" in answer["message"]


async def test_a_bad_sse_header_and_a_bad_body_are_refused(tmp_path) -> None:
    engine, store = TrivialRecognizer(), VocabularyStore()
    reply = await handle(body(tone_wav(tmp_path, 1)), {"x-dashscope-sse": "maybe"}, engine, store, LIMITS)
    assert reply.status == 400 and "X-DashScope-SSE" in json.loads(reply.body)["message"]
    reply = await handle(b"{not json", {}, engine, store, LIMITS)
    assert (reply.status, json.loads(reply.body)["code"]) == (400, "BadRequest.IllegalInput")
