"""CaptionSession's own logic: the clock, stop, source switching and failures.

The engine here is a scripted one (a final every five frames) so that each rule is tested
in isolation; the real engines are driven through this same object in their own tests.
"""

import asyncio

import pytest

from captioner.audio.frames import AudioFrame, AudioSource, AudioSourceError
from captioner.events import RecognitionError, Sentence
from captioner.pipeline import AudioLevel, CaptionSession, SessionState, SourceFailed, StateChanged
from captioner.recognition.base import RecognitionSession, Recognizer
from captioner.settings import RecognitionSettings
from captioner.testing.waiting import until

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
    await until(lambda: engine.sessions and len(engine.sessions[0].pushed) >= 7, "seven frames pushed")
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
    await until(lambda: engine.sessions and len(engine.sessions[0].pushed) >= 6, "six frames pushed")
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
    await until(lambda: any(isinstance(e, SourceFailed) for e in events), "the source failure reported")
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


# Overload sheds work, not words: dropped audio becomes a gap in the transcript -----------


class DroppingFrames(Frames):
    """Frames from a source whose buffer drops audio: before frame i, `drops[i]` ms more
    have been thrown away (as a bounded capture bridge does when the engine is slow)."""

    def __init__(self, count, drops, **kw):
        super().__init__(count, **kw)
        self.drops = drops
        self._dropped = 0.0

    @property
    def dropped_ms(self):
        return self._dropped

    async def frames(self):
        i = 0
        async for frame in super().frames():
            self._dropped += self.drops.get(i, 0)
            i += 1
            yield frame


async def test_dropped_audio_becomes_gaps_at_the_frame_positions_merged_while_drops_continue():
    from captioner.events import Gap

    recorded = []

    class Sink:
        def append(self, s):
            recorded.append(s)

        def append_gap(self, g):
            recorded.append(g)

    source = DroppingFrames(12, {3: 700.4, 4: 500, 5: 99.8, 9: 250})
    session = CaptionSession(source, Scripted(), RecognitionSettings(), sinks=[Sink()])
    events = record(session)
    transcript = await session.run()
    # Frames 3-5 each follow a drop: one gap before frame 3 (at 300 ms on the session clock).
    assert transcript.gaps == [Gap(300, 1300), Gap(900, 250)]
    assert [e for e in events if isinstance(e, Gap)] == transcript.gaps
    assert [g for g in recorded if isinstance(g, Gap)] == transcript.gaps
    # The session clock does not count dropped audio: frames are still consecutive.
    assert session.position_ms == 1200
    assert [type(e).__name__ for e in transcript.entries] == ["Sentence", "Gap", "Sentence", "Gap", "Sentence"]


async def test_a_drop_after_the_last_frame_and_a_long_overload_are_both_marked():
    from captioner import pipeline
    from captioner.events import Gap

    # Drops before every frame from 0 to 59 (6 s of clock), then one after the last frame.
    drops = {i: 100 for i in range(60)}
    source = DroppingFrames(61, drops)
    session = CaptionSession(source, Scripted(), RecognitionSettings())
    transcript = await session.run()
    split = pipeline.GAP_SPLIT_MS // 100
    assert transcript.gaps == [Gap(0, split * 100), Gap(pipeline.GAP_SPLIT_MS, (60 - split) * 100)]

    class Late(DroppingFrames):
        async def frames(self):
            async for f in super().frames():
                yield f
            self._dropped += 40  # dropped while the session wound down: checked at the end too

    transcript2 = await CaptionSession(Late(3, {}), Scripted(), RecognitionSettings()).run()
    assert transcript2.gaps == [Gap(300, 40)]


async def test_a_gap_the_engine_reports_is_recorded_like_the_sessions_own():
    from captioner.events import Gap

    class GapEngine(EveryFifthFrame):
        async def push(self, frame):
            await super().push(frame)
            if len(self.pushed) == 2:
                self._emit(Gap(frame.end_ms, 1500))

    class Engine(Scripted):
        async def start(self, settings):
            self.sessions.append(GapEngine())
            return self.sessions[-1]

    got = []

    class Sink:
        def append(self, s):
            pass

        def append_gap(self, g):
            got.append(g)

    session = CaptionSession(Frames(5), Engine(), RecognitionSettings(), sinks=[Sink()])
    events = record(session)
    transcript = await session.run()
    assert transcript.gaps == got == [Gap(200, 1500)] == [e for e in events if isinstance(e, Gap)]


async def test_sinks_with_append_partial_get_partials_and_plain_sinks_only_finals():
    plain, both = [], []

    class Plain:
        def append(self, s):
            plain.append(s)

    class Both:
        def append(self, s):
            both.append(("final", s.text))

        def append_partial(self, s):
            both.append(("partial", s.text))

    await CaptionSession(Frames(5), Scripted(), RecognitionSettings(), sinks=[Plain(), Both()]).run()
    assert [s.final for s in plain] == [True]
    assert both == [
        ("partial", "frames 0-100"),
        ("partial", "frames 0-200"),
        ("partial", "frames 0-300"),
        ("partial", "frames 0-400"),
        ("final", "frames 0-500"),
    ]
