"""CaptionSession's own logic: the clock, stop, source switching and failures.

The engine here is a scripted one (a final every five frames) so that each rule is tested
in isolation; the real engines are driven through this same object in their own tests.
"""

import asyncio

import pytest

from captioner.audio.frames import AudioFrame, AudioSource, AudioSourceError
from captioner.pipeline import AudioLevel, CaptionSession, SessionState, SourceFailed, StateChanged
from captioner.recognition.base import Recognizer, RecognitionSession
from captioner.recognition.events import RecognitionError, Sentence
from captioner.settings import RecognitionSettings

SILENT_100MS = bytes(3200)


class Frames(AudioSource):
    def __init__(self, count, *, fail_after=None, delay=0.0, start_ms=5000):
        self.count, self.fail_after, self.delay, self.start_ms = count, fail_after, delay, start_ms
        self.closed = asyncio.Event()

    def close(self):
        self.closed.set()

    async def frames(self):
        for i in range(self.count):
            if self.closed.is_set():
                return
            if self.fail_after is not None and i == self.fail_after:
                raise AudioSourceError("the microphone was unplugged")
            await asyncio.sleep(self.delay)
            # Sources stamp on their own clock; the session must re-stamp on its own.
            yield AudioFrame(SILENT_100MS, self.start_ms + i * 100)
        if self.fail_after is None:
            return
        await self.closed.wait()


class EveryFifthFrame(RecognitionSession):
    def __init__(self, fail_at=None):
        super().__init__()
        self.pushed: list[AudioFrame] = []
        self.fail_at = fail_at
        self.open_begin = None

    async def push(self, frame):
        if self.fail_at is not None and len(self.pushed) == self.fail_at:
            self._fail(RecognitionError("InvalidApiKey", "the API key was rejected"))
            return
        self.pushed.append(frame)
        self.open_begin = frame.start_ms if self.open_begin is None else self.open_begin
        text = f"frames {self.open_begin}-{frame.end_ms}"
        self._emit(Sentence(text, self.open_begin, frame.end_ms, final=len(self.pushed) % 5 == 0))
        if len(self.pushed) % 5 == 0:
            self.open_begin = None

    async def finish(self):
        if self.open_begin is not None:
            end = self.pushed[-1].end_ms
            self._emit(Sentence(f"frames {self.open_begin}-{end}", self.open_begin, end, final=True))
        self._end()


class Scripted(Recognizer):
    name = "scripted"

    def __init__(self, **kw):
        self.kw = kw
        self.sessions: list[EveryFifthFrame] = []

    async def start(self, settings):
        self.sessions.append(EveryFifthFrame(**self.kw))
        return self.sessions[-1]


def record(session):
    events = []
    session.subscribe(events.append)
    return events


async def test_frames_are_restamped_on_the_session_clock_and_finals_reach_the_transcript():
    engine = Scripted()
    session = CaptionSession(Frames(12), engine, RecognitionSettings())
    events = record(session)
    transcript = await session.run()
    pushed = engine.sessions[0].pushed
    assert [f.start_ms for f in pushed] == [i * 100 for i in range(12)]
    assert [s.text for s in transcript.finals] == ["frames 0-500", "frames 500-1000", "frames 1000-1200"]
    assert transcript.partial is None
    states = [e.state for e in events if isinstance(e, StateChanged)]
    assert states == [SessionState.STARTING, SessionState.LISTENING, SessionState.STOPPED]
    levels = [e for e in events if isinstance(e, AudioLevel)]
    assert [lv.position_ms for lv in levels] == [(i + 1) * 100 for i in range(12)]


async def test_stop_flushes_the_sentence_being_spoken():
    engine = Scripted()
    session = CaptionSession(Frames(1000, delay=0.005), engine, RecognitionSettings())
    task = asyncio.create_task(session.run())
    while len(engine.sessions) == 0 or len(engine.sessions[0].pushed) < 7:
        await asyncio.sleep(0.005)
    session.stop()
    transcript = await asyncio.wait_for(task, 2)
    assert transcript.finals[-1].text == f"frames 500-{transcript.finals[-1].end_ms}"
    assert transcript.finals[-1].end_ms == session.position_ms
    assert session.state is SessionState.STOPPED


async def test_switching_source_keeps_the_clock_and_the_transcript():
    engine = Scripted()
    first = Frames(1000, delay=0.002)
    session = CaptionSession(first, engine, RecognitionSettings())
    task = asyncio.create_task(session.run())
    while len(engine.sessions) == 0 or len(engine.sessions[0].pushed) < 6:
        await asyncio.sleep(0.002)
    session.switch_source(Frames(4, start_ms=0))
    transcript = await asyncio.wait_for(task, 2)
    starts = [f.start_ms for f in engine.sessions[0].pushed]
    assert starts == [i * 100 for i in range(len(starts))]  # no restart at zero, no gap
    assert first.closed.is_set()
    assert transcript.finals[0].text == "frames 0-500"


async def test_a_failing_source_is_reported_and_the_transcript_so_far_kept():
    engine = Scripted()
    session = CaptionSession(Frames(20, fail_after=7), engine, RecognitionSettings())
    events = record(session)
    transcript = await session.run()
    assert [e.message for e in events if isinstance(e, SourceFailed)] == ["the microphone was unplugged"]
    assert [s.text for s in transcript.finals] == ["frames 0-500", "frames 500-700"]
    assert session.state is SessionState.ERROR


async def test_the_gui_mode_waits_for_another_device_after_a_failure():
    engine = Scripted()
    session = CaptionSession(Frames(20, fail_after=3), engine, RecognitionSettings(), wait_on_source_error=True)
    events = record(session)
    task = asyncio.create_task(session.run())
    while not any(isinstance(e, SourceFailed) for e in events):
        await asyncio.sleep(0.005)
    assert session.state is SessionState.ERROR and not task.done()
    session.switch_source(Frames(3, start_ms=0))
    transcript = await asyncio.wait_for(task, 2)
    assert [f.start_ms for f in engine.sessions[0].pushed] == [i * 100 for i in range(6)]
    assert [s.text for s in transcript.finals] == ["frames 0-500", "frames 500-600"]
    assert session.state is SessionState.STOPPED


async def test_an_engine_failure_stops_the_session_with_its_reason():
    session = CaptionSession(Frames(50), Scripted(fail_at=3), RecognitionSettings())
    events = record(session)
    with pytest.raises(RecognitionError, match="API key was rejected"):
        await session.run()
    assert session.state is SessionState.ERROR
    assert events[-1] == StateChanged(SessionState.ERROR, "the API key was rejected")


async def test_a_broken_listener_does_not_stop_the_captions():
    session = CaptionSession(Frames(5), Scripted(), RecognitionSettings())
    session.subscribe(lambda e: 1 / 0)
    transcript = await session.run()
    assert len(transcript.finals) == 1


async def test_sinks_get_each_final_the_moment_it_arrives():
    got = []

    class Sink:
        def append(self, s):
            got.append((s.text, len(session.transcript.finals)))

    session = CaptionSession(Frames(10), Scripted(), RecognitionSettings(), sinks=[Sink()])
    await session.run()
    assert got == [("frames 0-500", 1), ("frames 500-1000", 2)]


async def test_a_bug_in_a_source_fails_the_session_instead_of_hanging_it():
    class Broken(Frames):
        async def frames(self):
            yield AudioFrame(SILENT_100MS, 0)
            raise ZeroDivisionError("a bug")

    session = CaptionSession(Broken(5), Scripted(), RecognitionSettings())
    with pytest.raises(ZeroDivisionError):
        await asyncio.wait_for(session.run(), 5)
    assert session.state is SessionState.ERROR

