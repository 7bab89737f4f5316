"""An engine that answers without recognising anything, for load tests and protocol tests.

It behaves like a streaming recogniser in shape and timing only: every few non-silent
frames it grows the current sentence by one word and sends a partial, every so many it
finalises the sentence, a pause of `max_sentence_silence` ends it as a VAD would, and
`finish()` finalises whatever is open. The words say how loud
the frames were and how many there have been ("soft3 loud6 loud9."), so tests can check that
audio arrived in order without a speech model, and a server benchmark measures the server,
not the engine. Silent frames produce nothing, as with a real engine, so heartbeat and
silence handling can be tested too. Not offered to users.
"""

from __future__ import annotations

import asyncio

from captioner.audio.frames import AudioFrame
from captioner.events import Sentence, Word
from captioner.recognition.base import RecognitionSession, Recognizer
from captioner.settings import RecognitionSettings

#: RMS (full scale 1.0) below which a frame counts as silence: about -46 dBFS.
SILENCE_RMS = 0.005
LOUD_RMS = 0.1


class TrivialRecognizer(Recognizer):
    """Partials every `partial_every` non-silent frames, a final every `final_every`."""

    name = "trivial"

    def __init__(
        self, *, partial_every: int = 3, final_every: int = 9, start_delay: float = 0.0, frame_delay: float = 0.0
    ) -> None:
        if partial_every < 1 or final_every < 1:
            raise ValueError("partial_every and final_every must be at least 1")
        self.partial_every = partial_every
        self.final_every = final_every
        #: Seconds start() takes, to stand in for a model that loads slowly.
        self.start_delay = start_delay
        #: Seconds each push() takes, to stand in for an engine slower than the audio.
        self.frame_delay = frame_delay

    async def start(self, settings: RecognitionSettings) -> RecognitionSession:
        if self.start_delay:
            await asyncio.sleep(self.start_delay)
        return TrivialSession(self.partial_every, self.final_every, self.frame_delay, settings.max_sentence_silence)

    def describe(self) -> dict:
        return {"engine": self.name, "partial_every": self.partial_every, "final_every": self.final_every}


class TrivialSession(RecognitionSession):
    def __init__(self, partial_every: int, final_every: int, frame_delay: float = 0.0, endpoint_ms: int = 1300) -> None:
        super().__init__()
        self._frame_delay = frame_delay
        self._endpoint_ms = endpoint_ms
        self._silent_ms = 0  # silence since the last sound
        self._partial_every = partial_every
        self._final_every = final_every
        self._heard = 0  # non-silent frames so far in this task
        self._sentence_id = 1
        self._words: list[Word] = []
        self._begin_ms: int | None = None  # start of the open sentence
        self._word_begin_ms: int | None = None  # start of the frames not yet in a word
        self._end_ms = 0
        self._kind = "soft"
        self.metrics["frames"] = 0

    async def push(self, frame: AudioFrame) -> None:
        if self.ended:
            return
        if self._frame_delay:
            await asyncio.sleep(self._frame_delay)
        self.metrics["frames"] += 1
        rms, _ = frame.level()
        if rms < SILENCE_RMS:
            self._silent_ms += frame.duration_ms
            if self._begin_ms is not None and self._silent_ms >= self._endpoint_ms:
                self._finalise()
            return
        self._silent_ms = 0
        self._heard += 1
        if self._begin_ms is None:
            self._begin_ms = frame.start_ms
        if self._word_begin_ms is None:
            self._word_begin_ms = frame.start_ms
        self._end_ms = frame.end_ms
        if rms >= LOUD_RMS:
            self._kind = "loud"
        if self._heard % self._final_every == 0:
            self._finalise()
        elif self._heard % self._partial_every == 0:
            self._add_word()
            self._emit(self._sentence(final=False))

    async def finish(self) -> None:
        if self.ended:
            return
        if self._word_begin_ms is not None:
            self._add_word()
        if self._words:
            self._finalise()
        self._end()

    def _add_word(self) -> None:
        assert self._word_begin_ms is not None
        self._words.append(Word(self._word_begin_ms, self._end_ms, f"{self._kind}{self._heard}"))
        self._word_begin_ms = None
        self._kind = "soft"

    def _finalise(self) -> None:
        if self._word_begin_ms is not None:
            self._add_word()
        last = self._words[-1]
        self._words[-1] = Word(last.begin_ms, last.end_ms, last.text, ".")
        self._emit(self._sentence(final=True))
        self._sentence_id += 1
        self._words = []
        self._begin_ms = None

    def _sentence(self, final: bool) -> Sentence:
        text = " ".join(w.text for w in self._words) + ("." if final else "")
        begin = self._begin_ms if self._begin_ms is not None else 0
        return Sentence(text, begin, self._end_ms, final, tuple(self._words), self._sentence_id)
