"""The cloud client asking gummy-realtime-v1 for translations (issue #18), against
`captioner serve` on loopback, through dropped connections and task failures.

The server's engine is EchoRecognizer (its words are read from the audio: see
tests/test_client.py) with a translation made from each final ("w1001" -> "t1001"), so a
transcript made across any number of reconnects must equal the clean one, translation
included, and each translation must belong to its own sentence.
"""

from __future__ import annotations

import dataclasses

import pytest

from captioner.events import RecognitionError, Sentence, Translation
from captioner.recognition.base import RecognitionSession, Recognizer
from captioner.recognition.cloud.realtime import DashScopeRecognizer, ReconnectPolicy
from captioner.settings import RecognitionSettings
from captioner.testing.echo import EchoSession, word_frames
from captioner.testing.faults import FaultPlan, FaultyServer
from captioner.transcript.journal import Journal, load_session

pytestmark = pytest.mark.timeout(60)

FAST = ReconnectPolicy(initial_delay=0.02, max_delay=0.2, give_up_after=3.0, stable_after=1.0)
GUMMY = RecognitionSettings(model="gummy-realtime-v1", language_hints=("zh",), translation_target="en")


class TranslatingEcho(Recognizer):
    """EchoRecognizer whose finals carry a translation ("w" -> "t" in every word)."""

    name = "echo-translate"

    async def start(self, settings: RecognitionSettings) -> RecognitionSession:
        return TranslatingEchoSession(settings)


class TranslatingEchoSession(EchoSession):
    def __init__(self, settings: RecognitionSettings) -> None:
        super().__init__()
        self.target = settings.translation_target
        self.transcription = settings.transcription_enabled

    def _sentence(self, final: bool) -> Sentence:
        s = super()._sentence(final)
        if not final or self.target is None:
            return s
        words = tuple(dataclasses.replace(w, text=w.text.replace("w", "t")) for w in s.words)
        translation = Translation(self.target, s.text.replace("w", "t"), words)
        if not self.transcription:
            return dataclasses.replace(s, text="", words=(), translation=translation)
        return dataclasses.replace(s, translation=translation)

    def _emit(self, event) -> None:  # type: ignore[no-untyped-def]
        if self.transcription or not isinstance(event, Sentence) or event.final:
            super()._emit(event)


async def transcribe(server: FaultyServer, frames, settings: RecognitionSettings) -> tuple[object, list[object]]:
    session = await DashScopeRecognizer(url=server.url, reconnect=FAST).start(settings)
    for frame in frames:
        await session.push(frame)
    await session.finish()
    events = [e async for e in session.events()]
    return session, events


def finals(events: list[object]) -> list[Sentence]:
    return [e for e in events if isinstance(e, Sentence) and e.final]


async def serve(**kwargs) -> FaultyServer:  # type: ignore[no-untyped-def]
    server = FaultyServer(TranslatingEcho(), **kwargs)
    await server.start()
    return server


async def test_the_run_task_is_gummys_and_every_final_carries_its_translation() -> None:
    server = await serve()
    try:
        _, events = await transcribe(server, word_frames(12), GUMMY)
        run = server.last_run_task
    finally:
        await server.stop()
    assert run is not None and run.model == "gummy-realtime-v1"
    assert run.parameters["source_language"] == "zh" and run.parameters["translation_target_languages"] == ["en"]
    fs = finals(events)
    assert len(fs) > 3
    for s in fs:
        assert s.translation is not None and s.translation.language == "en"
        assert s.translation.text == s.text.replace("w", "t")
        assert [(w.begin_ms, w.end_ms) for w in s.translation.words] == [(w.begin_ms, w.end_ms) for w in s.words]
    partials = [e for e in events if isinstance(e, Sentence) and not e.final]
    assert partials and all(p.translation is None for p in partials)


async def test_drops_and_failures_keep_every_translation_with_its_sentence() -> None:
    frames = word_frames(60)
    server = await serve()
    try:
        _, clean = await transcribe(server, frames, GUMMY)
    finally:
        await server.stop()
    server = await serve(fault_plan=FaultPlan(drop_after_frames=50, times=None))
    try:
        session, faulty = await transcribe(server, frames, GUMMY)
        drops = server.faults_injected
    finally:
        await server.stop()
    assert drops >= 5 and session.metrics["reconnects"] == drops  # type: ignore[attr-defined]

    # Sentence ids start again on each reconnected task (as the service's do); the rest is the same.
    def key(s: Sentence) -> tuple[object, ...]:
        return (s.text, s.begin_ms, s.end_ms, s.words, s.translation)

    assert [key(s) for s in finals(faulty)] == [key(s) for s in finals(clean)]
    assert all(s.translation is not None and s.translation.text == s.text.replace("w", "t") for s in finals(faulty))


async def test_translation_alone_arrives_as_finals_without_source_text(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = GUMMY.replace(transcription_enabled=False)
    server = await serve(fault_plan=FaultPlan(drop_after_frames=40, times=2))
    try:
        _, events = await transcribe(server, word_frames(20), settings)
        assert server.last_run_task is not None
        assert server.last_run_task.parameters["transcription_enabled"] is False
    finally:
        await server.stop()
    sentences = [e for e in events if isinstance(e, Sentence)]
    assert sentences and all(s.final and s.text == "" and s.translation for s in sentences)
    assert all(s.translation.text.startswith("t") for s in sentences)  # type: ignore[union-attr]
    # The crash journal keeps them as they came.
    journal = Journal.create({"engine": "dashscope"}, directory=tmp_path)
    for s in sentences:
        journal.append(s)
    journal.close()
    assert load_session(journal.path)[1] == sentences


async def test_a_model_that_does_not_translate_is_refused_by_name() -> None:
    server = await serve()
    try:
        with pytest.raises(RecognitionError, match="fun-asr-realtime does not translate; choose the model gummy"):
            await DashScopeRecognizer(url=server.url, reconnect=FAST).start(GUMMY.replace(model="fun-asr-realtime"))
        assert server.last_run_task is None  # refused before anything was sent
    finally:
        await server.stop()
