"""A recognizer whose words are in the audio, for tests and the fault suite.

Each non-silent 100-ms frame is a "word" named after its first sample value, so a transcript
made through any number of reconnects can be compared word for word, and to the
millisecond, with one made without faults.
"""

import random

import numpy as np

from captioner.audio.frames import AudioFrame
from captioner.events import Sentence, Word
from captioner.recognition.base import RecognitionSession, Recognizer
from captioner.settings import RecognitionSettings


class EchoRecognizer(Recognizer):
    """Each non-silent 100-ms frame is a word named after its first sample ("w1234");
    a silent frame ends the sentence (a final); a partial every 3 words."""

    name = "echo"

    async def start(self, settings: RecognitionSettings) -> RecognitionSession:
        return EchoSession()


class EchoSession(RecognitionSession):
    def __init__(self) -> None:
        super().__init__()
        self.words: list[Word] = []
        self.sid = 1

    async def push(self, frame: AudioFrame) -> None:
        value = int(frame.samples[0]) if frame.sample_count else 0
        if value == 0:
            self._final()
            return
        self.words.append(Word(frame.start_ms, frame.end_ms, f"w{value}"))
        if len(self.words) % 3 == 0:
            self._emit(self._sentence(False))

    async def finish(self) -> None:
        self._final()
        self._end()

    def _final(self) -> None:
        if self.words:
            self._emit(self._sentence(True))
            self.words, self.sid = [], self.sid + 1

    def _sentence(self, final: bool) -> Sentence:
        w = self.words
        return Sentence(" ".join(x.text for x in w), w[0].begin_ms, w[-1].end_ms, final, tuple(w), self.sid)


def word_frames(seconds: float, seed: int = 1) -> list[AudioFrame]:
    """Sentences of 3-12 words separated by 1-3 silent frames, `seconds` long in all."""
    rng = random.Random(seed)
    frames, k, t = [], 0, 0
    while t < seconds * 1000:
        for _ in range(rng.randint(3, 12)):
            k += 1
            frames.append(AudioFrame(np.full(1600, 1000 + k, dtype="<i2").tobytes(), t))
            t += 100
        for _ in range(rng.randint(1, 3)):
            frames.append(AudioFrame(bytes(3200), t))
            t += 100
    return frames
