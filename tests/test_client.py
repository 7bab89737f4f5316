"""The cloud client against `captioner serve` (DashScopeServer) on loopback, in-process.

Most tests use `EchoRecognizer` (captioner/testing/echo.py): its words are read from the audio itself (each 100-ms
"word" frame holds one constant sample value, silence ends a sentence), so a transcript made
across any number of reconnects must equal the one made without faults, word for word and
millisecond for millisecond. Timeouts and backoff are shortened through the constructors;
nothing here waits for a real 23 or 60 seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import logging
import random
import time

import numpy as np
import pytest

from captioner.audio.frames import AudioFrame, AudioSource, FrameCutter
from captioner.events import EngineStatus, RecognitionError, Sentence, Usage, Word
from captioner.protocol.endpoints import REGIONS, Endpoint
from captioner.protocol.realtime import ErrorCode
from captioner.recognition.base import Recognizer
from captioner.recognition.cloud.realtime import (
    BAD_SERVER,
    EXPLANATIONS,
    DashScopeRecognizer,
    DashScopeSession,
    ReconnectPolicy,
    Timeouts,
)
from captioner.server.realtime import DashScopeServer
from captioner.settings import RecognitionSettings
from captioner.testing.echo import EchoRecognizer, word_frames
from captioner.testing.faults import FaultPlan, FaultyServer
from captioner.testing.trivial import TrivialRecognizer
from captioner.testing.waiting import until

pytestmark = pytest.mark.timeout(60)

FAST = ReconnectPolicy(initial_delay=0.02, max_delay=0.2, give_up_after=3.0, stable_after=1.0)


def tone(ms: int, amplitude: float = 0.25) -> bytes:
    t = np.arange(16 * ms) / 16000
    return (np.sin(2 * np.pi * 440 * t) * amplitude * 32767).astype("<i2").tobytes()


def frames_of(pcm: bytes, start_ms: int = 0) -> list[AudioFrame]:
    return FrameCutter(start_samples=start_ms * 16).push(pcm)


# -- Helpers ---------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def serving(recognizer: Recognizer | None = None, **kwargs):
    server = FaultyServer(recognizer or EchoRecognizer(), **kwargs)
    async with server:
        yield server
        # After a task-failed the server stops reading; a client that had more audio in
        # flight leaves it waiting out its 5-s close timeout. Cut such connections.
        server.abort_connections()
    assert server.stats.internal_errors == 0


def client(server: DashScopeServer, **kwargs) -> DashScopeRecognizer:
    kwargs.setdefault("reconnect", FAST)
    return DashScopeRecognizer(url=server.url, **kwargs)


async def run_session(session: DashScopeSession, frames, *, pause_at: dict[int, float] | None = None, timeout=30):
    """Push all frames (as fast as possible, with optional pauses before frame i), finish,
    and collect every event; a RecognitionError is returned as the last item."""

    async def feed():
        for i, f in enumerate(frames):
            if pause_at and i in pause_at:
                await asyncio.sleep(pause_at[i])
            await session.push(f)
        await session.finish()

    feeder = asyncio.create_task(feed())
    events: list[object] = []

    async def consume():
        try:
            async for e in session.events():
                events.append(e)
        except RecognitionError as exc:
            events.append(exc)

    await asyncio.wait_for(consume(), timeout)
    feeder.cancel()
    await asyncio.gather(feeder, return_exceptions=True)
    return events


async def transcribe(server, frames, settings=None, **kwargs):
    session = await client(server, **kwargs).start(settings or RecognitionSettings())
    events = await run_session(session, frames)
    return session, events


def finals(events) -> list[tuple[str, int, int]]:
    return [(e.text, e.begin_ms, e.end_ms) for e in events if isinstance(e, Sentence) and e.final]


def assert_clean(events) -> None:
    """No error, no duplicate final, times monotonic."""
    assert not any(isinstance(e, RecognitionError) for e in events), events[-1]
    fs = finals(events)
    assert len({f for f in fs}) == len(fs)
    for (_, _b0, e0), (_, b1, e1) in itertools.pairwise(fs):
        assert e0 <= b1 and b1 < e1
    for e in events:
        if isinstance(e, Sentence):
            assert all(w.begin_ms <= w.end_ms for w in e.words)


def drop_all(server: DashScopeServer) -> int:
    """Cut every open connection without a close frame (a network failure)."""
    return server.abort_connections()


# -- The happy path --------------------------------------------------------------------------


async def test_partials_and_finals_on_the_session_clock():
    frames = word_frames(3)
    async with serving() as server:
        session, events = await transcribe(server, frames)
    assert_clean(events)
    sentences = [e for e in events if isinstance(e, Sentence)]
    fs = [s for s in sentences if s.final]
    assert fs and fs[0].begin_ms == 0 and fs[0].text.startswith("w1001 w1002 w1003")
    # every word appears once, in order, with the time of its frame
    words = [w for s in fs for w in s.words]
    loud = [f for f in frames if f.samples[0] != 0]
    assert [(w.text, w.begin_ms, w.end_ms) for w in words] == [(f"w{f.samples[0]}", f.start_ms, f.end_ms) for f in loud]
    # a partial precedes its final and is a prefix of it
    first_partial = next(s for s in sentences if not s.final)
    assert fs[0].text.startswith(first_partial.text) and sentences.index(first_partial) < sentences.index(fs[0])
    # status and usage
    statuses = [e.state for e in events if isinstance(e, EngineStatus)]
    assert statuses[:2] == ["connecting", "ready"]
    usage = [e.duration_s for e in events if isinstance(e, Usage)]
    assert usage == sorted(usage) and usage[-1] == session.metrics["usage_s"] >= 3
    m = session.metrics
    assert m["tasks"] == 1 and m["reconnects"] == 0 and len(m["task_id"]) == 32
    assert m["first_package_delay_ms"] is not None and m["last_package_delay_ms"] is not None
    assert m["audio_sent_ms"] == sum(f.duration_ms for f in frames)


async def test_every_setting_reaches_the_server():
    settings = RecognitionSettings(
        model="paraformer-realtime-v2",
        language_hints=("en", "zh"),
        semantic_punctuation_enabled=True,
        max_sentence_silence=700,
        multi_threshold_mode_enabled=True,
        punctuation_prediction_enabled=False,
        inverse_text_normalization_enabled=False,
        heartbeat=True,
        speech_noise_threshold=-0.3,
        vocabulary_id="vocab-test-0123456789abcdef",
        disfluency_removal_enabled=True,
        hot_words=("not", "sent"),
    )
    async with serving() as server:
        session, events = await transcribe(server, word_frames(1), settings)
        run = server.last_run_task
    assert_clean(events)
    assert run.task_id == session.metrics["task_id"]
    # hot_words is the only setting that is not a wire parameter (the cloud uses vocabulary_id)
    assert run.settings() == settings.replace(hot_words=())
    assert run.parameters["format"] == "pcm" and run.parameters["sample_rate"] == 16000


async def test_8k_models_get_8k_audio_on_the_session_clock():
    settings = RecognitionSettings(model="paraformer-realtime-8k-v2", sample_rate=8000)
    async with serving(TrivialRecognizer()) as server:
        _session, events = await transcribe(server, frames_of(tone(1800)), settings)
        assert server.stats.audio_bytes == pytest.approx(1800 * 16, abs=400)  # 8 kHz, 16-bit
    assert_clean(events)
    fs = finals(events)
    assert [f[0] for f in fs] == ["loud3 loud6 loud9.", "loud12 loud15 loud18."]
    assert fs[0][1] == 0 and abs(fs[0][2] - 900) <= 20 and abs(fs[1][2] - 1800) <= 100


async def test_an_8k_model_gets_8k_audio_when_the_user_set_no_rate():
    # The CLI and the window leave sample_rate at its default (16000); the service refuses
    # 16000 for a telephone model, so the client sends what the model takes.
    settings = RecognitionSettings(model="paraformer-realtime-8k-v2")
    async with serving(TrivialRecognizer()) as server:
        _session, events = await transcribe(server, frames_of(tone(1800)), settings)
        assert server.last_run_task.parameters["sample_rate"] == 8000
        assert server.stats.audio_bytes == pytest.approx(1800 * 16, abs=400)
    assert_clean(events)
    assert [f[0] for f in finals(events)] == ["loud3 loud6 loud9.", "loud12 loud15 loud18."]


async def test_long_frames_go_out_as_100_ms_frames(caplog):
    caplog.set_level(logging.DEBUG, logger="captioner.dashscope.wire")
    async with serving(TrivialRecognizer()) as server:
        pcm = tone(950)
        session, events = await transcribe(server, [AudioFrame(pcm, 0)])
        assert server.stats.audio_bytes == len(pcm)
    sent = [r.getMessage() for r in caplog.records if r.getMessage().startswith("> BINARY")]
    assert [m.rsplit("[", 1)[1] for m in sent] == ["3200 bytes]"] * 9 + ["1600 bytes]"]
    assert_clean(events)
    assert session.metrics["audio_sent_ms"] == 950
    assert finals(events) == [("loud3 loud6 loud9.", 0, 900), ("loud10.", 900, 950)]


async def test_format_other_than_pcm_is_refused_before_connecting():
    # (A compressed format is for a file's own packets: tests/test_compressed_upload.py.)
    async with serving() as server:
        with pytest.raises(RecognitionError, match="format must be one of those .got 'wav'"):
            await client(server).start(RecognitionSettings(format="wav"))
        assert server.stats.connections == 0


class HeaderRecorder(DashScopeServer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.requests = []

    def _check_request(self, request):
        self.requests.append(request.headers)
        return super()._check_request(request)


async def test_workspace_and_data_inspection_headers_arrive():
    async with HeaderRecorder(EchoRecognizer(), token="sk-test-123") as server:
        options = {"api_key": "sk-test-123", "workspace": "llm-abc123", "data_inspection": True}
        rec = client(server, **options)
        _, events = await transcribe(server, word_frames(1), **options)
        assert_clean(events)
        headers = server.requests[-1]
        assert headers["Authorization"] == "Bearer sk-test-123"
        assert headers["X-DashScope-WorkSpace"] == "llm-abc123"
        assert headers["X-DashScope-DataInspection"] == "enable"
        assert headers["User-Agent"].startswith("captioner/")
        # and none of the optional ones when not asked for
        await transcribe(server, word_frames(1), api_key="sk-test-123")
        assert "X-DashScope-WorkSpace" not in server.requests[-1]
        assert "X-DashScope-DataInspection" not in server.requests[-1]
    assert rec.describe()["workspace"] == "llm-abc123" and rec.describe()["data_inspection"] is True


async def test_heartbeat_is_requested_and_its_packets_are_swallowed():
    settings = RecognitionSettings(heartbeat=True)
    async with serving(TrivialRecognizer(), heartbeat_interval=0.2) as server:
        session, events = await transcribe(server, frames_of(tone(300) + bytes(32000 * 2) + tone(300)), settings)
    assert_clean(events)
    assert server.last_run_task.parameters["heartbeat"] is True
    assert session.metrics["heartbeats"] >= 5
    assert finals(events) == [("loud3.", 0, 300), ("loud6.", 2300, 2600)]


# -- Reconnecting without loss ---------------------------------------------------------------


async def test_twenty_plus_drops_in_a_long_stream_lose_and_repeat_nothing():
    frames = word_frames(150)  # 2.5 minutes, fed as fast as possible
    async with serving() as server:
        _, clean = await transcribe(server, frames)
    t0 = time.perf_counter()
    async with serving(fault_plan=FaultPlan(drop_after_frames=60, times=None)) as server:
        session, faulty = await transcribe(server, frames)
        drops = server.faults_injected
    elapsed = time.perf_counter() - t0
    assert_clean(clean)
    assert_clean(faulty)
    assert drops >= 20
    assert finals(faulty) == finals(clean)
    m = session.metrics
    assert m["reconnects"] == drops and m["tasks"] == drops + 1
    assert m["replayed_ms"] > 0 and m["reconnect_latency_ms_max"] < 1000
    statuses = [e.state for e in faulty if isinstance(e, EngineStatus)]
    assert statuses.count("reconnecting") == drops and statuses.count("ready") == drops + 1
    print(f"\n{drops} drops survived in {elapsed:.2f} s; reconnect latency max {m['reconnect_latency_ms_max']} ms")


async def test_drops_at_random_moments_with_paced_audio():
    """Drops from outside (not at frame counts) while audio trickles in like a microphone."""
    frames = word_frames(12, seed=7)
    async with serving() as server:
        _, clean = await transcribe(server, frames)
    async with serving() as server:
        session = await client(server).start(RecognitionSettings())
        rng = random.Random(3)
        dropped = 0

        async def saboteur():
            nonlocal dropped
            while True:
                await asyncio.sleep(rng.uniform(0.05, 0.25))
                dropped += drop_all(server)

        chaos = asyncio.create_task(saboteur())
        pauses = {i: 0.004 for i in range(len(frames))}  # ~25x real time
        try:
            events = await run_session(session, frames, pause_at=pauses)
        finally:
            chaos.cancel()
    assert_clean(events)
    assert dropped >= 3
    assert finals(events) == finals(clean)


async def test_retryable_task_failure_mid_stream_recovers():
    frames = word_frames(10)
    plan = FaultPlan(fail_after_frames=30, fail_code=ErrorCode.INTERNAL_ERROR, fail_message="boom", times=2)
    async with serving() as server:
        _, clean = await transcribe(server, frames)
    async with serving(fault_plan=plan) as server:
        session, events = await transcribe(server, frames)
        assert server.stats.failures[ErrorCode.INTERNAL_ERROR] == 2
    assert_clean(events)
    assert finals(events) == finals(clean)
    assert session.metrics["reconnects"] == 2
    reasons = [e.detail for e in events if isinstance(e, EngineStatus) and e.state == "reconnecting"]
    assert all("internal error" in r and "boom" in r for r in reasons)


async def test_the_no_data_timeout_is_retried_too():
    # CLIENT_ERROR is retryable only as the 23-s no-data timeout
    frames = word_frames(3)
    plan = FaultPlan(
        fail_after_frames=10, fail_code=ErrorCode.CLIENT_ERROR, fail_message="request timeout after 23 seconds."
    )
    async with serving(fault_plan=plan) as server:
        session, events = await transcribe(server, frames)
    assert_clean(events)
    assert session.metrics["reconnects"] == 1


async def test_a_drop_while_finishing_still_delivers_the_last_sentence():
    # One sentence without a pause: nothing is final before finish-task, so each
    # connection (the replay resends it all) is cut right after the last frame.
    frames = [f for f in word_frames(2) if f.samples.any()]
    frames = [dataclasses.replace(f, start_ms=i * 100) for i, f in enumerate(frames)]
    async with serving() as server:
        _, clean = await transcribe(server, frames)
    async with serving(fault_plan=FaultPlan(drop_after_frames=len(frames), times=2)) as server:
        session, events = await transcribe(server, frames)
    assert_clean(events)
    assert finals(events) == finals(clean)
    assert session.metrics["reconnects"] == 2


@pytest.mark.parametrize(
    "code", ["Arrearage", "InvalidParameter", "Throttling.AllocationQuota", "AccessDenied.Unpurchased", "SomethingNew"]
)
async def test_non_retryable_failures_stop_at_once(code):
    plan = FaultPlan(fail_after_frames=5, fail_code=code, fail_message="the service says no")
    async with serving(fault_plan=plan) as server:
        t0 = time.perf_counter()
        _session, events = await transcribe(server, word_frames(3))
        assert server.stats.connections == 1
    error = events[-1]
    assert isinstance(error, RecognitionError) and error.code == code and not error.retryable
    assert time.perf_counter() - t0 < 2
    assert "the service says no" in error.message
    assert EXPLANATIONS.get(code, "the service reported an error") in error.message
    assert not any(isinstance(e, EngineStatus) and e.state == "reconnecting" for e in events)


async def test_a_bad_key_is_refused_at_once_with_a_clear_message():
    async with serving(token="the-right-key") as server:
        t0 = time.perf_counter()
        with pytest.raises(RecognitionError) as info:
            await client(server, api_key="sk-wrong-key-000").start(RecognitionSettings())
        assert time.perf_counter() - t0 < 2 and server.stats.connections == 0  # refused at the handshake
        err = info.value
        assert err.code == ErrorCode.INVALID_API_KEY and not err.retryable
        assert "API key was rejected" in err.message and "HTTP 401" in err.message
        assert "sk-wrong-key-000" not in str(err) and "sk-wrong-key-000" not in repr(err)
        # Against the cloud, the message names the region and that keys are region-specific.
        rec = client(server, api_key="sk-wrong-key-000")
        rec.endpoint = Endpoint(server.url, REGIONS["intl"], custom=False)
        with pytest.raises(
            RecognitionError, match="region-specific: a key made for Beijing does not work in Singapore"
        ):
            await rec.start(RecognitionSettings())
        # no key at all
        with pytest.raises(RecognitionError, match="No key was sent: set the API key"):
            await client(server).start(RecognitionSettings())


async def test_a_pause_longer_than_the_no_data_timeout_keeps_the_task_and_the_clock():
    timeouts = Timeouts(keepalive_after=0.3, keepalive_every=0.2)
    async with serving(TrivialRecognizer(), no_data_timeout=1.0) as server:
        session = await client(server, timeouts=timeouts).start(RecognitionSettings())
        first, second = frames_of(tone(900)), frames_of(tone(900), start_ms=900)
        events = await run_session(session, first + second, pause_at={len(first): 2.5})
        assert server.stats.failures == {}
    assert_clean(events)
    m = session.metrics
    assert m["reconnects"] == 0 and m["tasks"] == 1 and m["keepalive_ms"] >= 800
    # the injected silence is not on the session clock
    assert finals(events) == [("loud3 loud6 loud9.", 0, 900), ("loud12 loud15 loud18.", 900, 1800)]


async def test_a_final_across_injected_silence_maps_each_time():
    from captioner.recognition.cloud.replay import TaskClock

    clock = TaskClock(0)
    clock.add_real(AudioFrame(bytes(3200), 0))  # task 0-100 = session 0-100
    clock.add_silence(1600 * 3)  # task 100-400: injected
    clock.add_real(AudioFrame(bytes(3200), 100))  # task 400-500 = session 100-200
    s = Sentence("a b", 50, 450, True, (Word(50, 90, "a"), Word(410, 450, "b")))
    m = clock.map(s)
    assert (m.begin_ms, m.end_ms, [(w.begin_ms, w.end_ms) for w in m.words]) == (50, 150, [(50, 90), (110, 150)])
    assert clock.to_session(250) == 100  # inside injected silence: where the real audio stopped


async def test_giving_up_after_a_bounded_time_when_the_server_is_gone():
    policy = ReconnectPolicy(initial_delay=0.05, max_delay=0.3, give_up_after=1.5)
    server = DashScopeServer(EchoRecognizer())
    await server.start()
    session = await client(server, reconnect=policy).start(RecognitionSettings())
    frames = word_frames(2)
    for f in frames[:5]:
        await session.push(f)
    await until(lambda: server.stats.audio_bytes >= 5 * 3200, "the server has the first five frames")
    await server.stop()
    t0 = time.perf_counter()
    for f in frames[5:]:
        await session.push(f)  # accepted (buffered) while the server is gone
    events = []
    with pytest.raises(RecognitionError) as info:
        async for e in session.events():
            events.append(e)
    took = time.perf_counter() - t0
    assert 1.4 <= took < 3.5
    err = info.value
    assert err.code == ErrorCode.NETWORK_ERROR and err.retryable
    assert "could not restore it within 1.5 s" in err.message and "refused" in err.message
    assert any(isinstance(e, EngineStatus) and e.state == "reconnecting" for e in events)


async def test_a_closed_session_is_never_resurrected():
    policy = ReconnectPolicy(initial_delay=0.05, max_delay=0.1, give_up_after=30)
    server = DashScopeServer(EchoRecognizer())
    await server.start()
    rec = client(server, reconnect=policy)
    attempts = 0
    connect = rec._connect

    async def counting_connect():
        nonlocal attempts
        attempts += 1
        return await connect()

    rec._connect = counting_connect
    session = await rec.start(RecognitionSettings())
    for f in word_frames(1):
        await session.push(f)
    await server.stop()  # the connection drops, and every reconnect is refused
    async for e in session.events():
        if isinstance(e, EngineStatus) and e.state == "reconnecting":
            break
    await until(lambda: attempts >= 3, "three refused reconnect attempts")
    await session.aclose()
    count = attempts
    # Not "none came for a while": every task but this test's has ended, so none can come.
    me = asyncio.current_task()
    await until(lambda: asyncio.all_tasks() == {me}, "the session's tasks ended")
    assert attempts == count  # no attempt after aclose()
    assert [e async for e in session.events()] == []  # events() ends, without an error
    await session.push(word_frames(1)[0])  # ignored


async def test_aclose_abandons_at_once_and_finish_then_aclose_is_safe():
    async with serving() as server:
        session = await client(server).start(RecognitionSettings())
        for f in word_frames(2):
            await session.push(f)
        await session.aclose()
        assert session.ended
        await session.finish()
        await session.aclose()


async def test_push_waits_when_too_much_audio_is_unsent():
    async with serving() as server:
        rec = client(server, max_unsent_ms=2000)
        session = await rec.start(RecognitionSettings())
        drop_all(server)  # reconnecting: nothing is sent for a moment
        await server.stop_listening()  # refuse new connections
        frames = word_frames(5)
        pushes = asyncio.create_task(_push_all(session, frames))
        # The push that took the unsent audio past the limit is waiting for it to go down.
        await until(lambda: session._log.unsent_ms > rec.max_unsent_ms, "~2 s of audio unsent")
        assert not pushes.done()  # held back at ~2 s of unsent audio
        await session.aclose()
        await asyncio.wait_for(pushes, 2)  # aclose() releases it


async def _push_all(session, frames):
    for f in frames:
        await session.push(f)


# -- Secrets -----------------------------------------------------------------------------------


async def test_the_key_never_reaches_logs_exceptions_or_reprs(caplog):
    key = "sk-0123456789abcdef-secret"
    caplog.set_level(logging.DEBUG)
    async with serving(token=key) as server:
        rec = client(server, api_key=key)
        session, events = await transcribe(server, word_frames(1), api_key=key)
        assert_clean(events)
        with pytest.raises(RecognitionError) as bad:
            await client(server, api_key=key + "-wrong").start(RecognitionSettings())
    handshake = [r.getMessage() for r in caplog.records if r.getMessage().lower().startswith("> authorization")]
    assert handshake == ["> Authorization: ***"] * 2  # DEBUG logging was on, and masked
    # The server (aiohttp) logs no handshake headers at all; were it to, masked.
    server_side = [r.getMessage() for r in caplog.records if r.getMessage().lower().startswith("< authorization")]
    assert all(m == "< Authorization: ***" for m in server_side)
    everything = "\n".join(
        [caplog.text, *(r.getMessage() for r in caplog.records), str(bad.value), repr(bad.value), repr(rec),
         repr(session), str(rec.describe()), repr(rec._key), str(rec._key), str(session.metrics)]
    )  # fmt: skip
    assert key not in everything
    assert rec.describe()["key_source"] == "explicit"


# -- TLS ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory):
    import subprocess

    d = tmp_path_factory.mktemp("tls")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", d / "key.pem", "-out", d / "cert.pem"],
        check=True, capture_output=True,
    )  # fmt: skip
    return d / "cert.pem", d / "key.pem"


async def test_wss_verifies_certificates(self_signed):
    import ssl

    from websockets.asyncio.server import serve

    from captioner.protocol import realtime as p

    cert, key = self_signed
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)

    async def handler(ws):  # a minimal DashScope server: start, then finish on request
        conn = p.ServerConnection()
        async for frame in ws:
            msg = conn.receive(frame)
            if isinstance(msg, p.RunTask):
                await ws.send(conn.send(p.TaskStarted(msg.task_id)))
            elif isinstance(msg, p.FinishTask):
                await ws.send(conn.send(p.TaskFinished(msg.task_id)))

    async with serve(handler, "127.0.0.1", 0, ssl=server_ctx) as srv:
        url = f"wss://127.0.0.1:{srv.sockets[0].getsockname()[1]}/api-ws/v1/inference"
        # the system trust store does not know this certificate: refused, not retried
        with pytest.raises(RecognitionError) as info:
            await DashScopeRecognizer(url=url, api_key="k").start(RecognitionSettings())
        assert info.value.code == "TLSError" and not info.value.retryable
        assert "certificate" in info.value.message
        # a context that trusts it (a corporate CA, say) still verifies, and works
        trusting = ssl.create_default_context(cafile=str(cert))
        session = await DashScopeRecognizer(url=url, api_key="k", ssl_context=trusting).start(RecognitionSettings())
        await session.finish()
        assert [e async for e in session.events()][-1] == EngineStatus("ready", f"the server at {url}")
    unverified = ssl.create_default_context()
    unverified.check_hostname = False
    unverified.verify_mode = ssl.CERT_NONE
    with pytest.raises(ValueError, match="must verify"):
        DashScopeRecognizer(url=url, api_key="k", ssl_context=unverified)


async def test_a_server_that_is_not_dashscope_gives_a_clear_error():
    from websockets.asyncio.server import serve

    async def handler(ws):
        await ws.recv()
        await ws.send('{"hello": "world"}')
        await ws.wait_closed()

    async with serve(handler, "127.0.0.1", 0) as srv:
        url = f"ws://127.0.0.1:{srv.sockets[0].getsockname()[1]}/"
        with pytest.raises(RecognitionError) as info:
            await DashScopeRecognizer(url=url).start(RecognitionSettings())
    assert info.value.code == BAD_SERVER and "does not speak the DashScope" in info.value.message


# -- Through the pipeline ------------------------------------------------------------------------


class ListSource(AudioSource):
    """An AudioSource over prepared frames, fed as fast as possible."""

    duration_ms = None

    def __init__(self, frames):
        self._frames = frames

    async def frames(self):
        for f in self._frames:
            yield f
            await asyncio.sleep(0)

    def close(self):
        pass


async def test_the_caption_session_shows_reconnecting_then_listening_and_loses_nothing():
    from captioner.pipeline import CaptionSession, SessionState, StateChanged

    frames = word_frames(20, seed=5)
    async with serving() as server:
        _, clean = await transcribe(server, frames)
    # A bounded number of drops: a server that drops *every* connection after 40 frames can
    # starve a loaded machine (results for the replayed audio never arrive before the drop).
    async with serving(fault_plan=FaultPlan(drop_after_frames=40, times=5)) as server:
        session = CaptionSession(ListSource(frames), client(server), RecognitionSettings())
        states = []
        session.subscribe(lambda e: states.append(e.state) if isinstance(e, StateChanged) else None)
        transcript = await asyncio.wait_for(session.run(), 60)
        drops = server.faults_injected
    assert drops >= 3
    assert [(s.text, s.begin_ms, s.end_ms) for s in transcript.finals] == finals(clean)
    assert states.count(SessionState.RECONNECTING) == drops
    i = states.index(SessionState.RECONNECTING)
    assert states[i + 1] is SessionState.LISTENING and states[-1] is SessionState.STOPPED
    assert session.metrics["reconnects"] == drops
