"""The streaming on-device engine: Moonshine tiny (English) on the utterances Silero cuts.

Moonshine's encoder takes audio of any length (whisper pads everything to 30 s), so
decoding the open utterance again costs time in proportion to the speech heard so far,
tens of milliseconds a second of audio. That makes partials that follow speech word by
word affordable: the open utterance is decoded again every PARTIAL_EVERY_MS of speech.

The weights and runtime come from the `moonshine-voice` wheel, pinned to 0.1.0 because it
ships Moonshine tiny-en inside it (later versions fetch their model from the network at
run time; nothing here ever does). Its own voice detector is not used for endpointing:
the same Silero VAD as the whisper engine (vad.py) decides where sentences begin and end,
so `max_sentence_silence` and the other settings mean the same on both engines. Moonshine
is handed exactly one utterance at a time with its detector told that all of it is
speech (threshold 0), so it never splits or drops any of it.

Partials are a cost, never a backlog: one worker thread per session decodes, a partial is
skipped while it is busy, and after each partial the next waits until that decode's CPU time
is at most PARTIAL_CPU_SHARE of a core (measured, so a loaded machine or a long sentence
slows partials down instead of taking more CPU). Finals queue in order and are never
skipped. An early final (the final's decode, started once a pause has lasted the VAD's
300 ms tail) is shown as a partial at once, so a sentence's last words need not wait for the
endpoint, and is the final if the pause turns out to end the sentence.

Moonshine 0.1.0 ships no word-timing model: word times come from the speech the VAD heard
and from what each partial had already shown (moonshine_text.timed_words).

Nothing invented: audio with less voiced speech than a syllable is not decoded (Moonshine
writes "You" on silence and noise), text without a letter or digit is dropped, and its
stock words need the speech to back them, as whisper's do in decoding.py.

One piece: the loaded model, and the session whose audio in, decode scheduling (partials,
early and queued finals, the CPU rest) and events out share one state, as in whisper.py.
"""

from __future__ import annotations

import asyncio
import ctypes
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from captioner.audio.frames import SAMPLE_RATE
from captioner.errors import ModelError, ParameterError
from captioner.events import RecognitionError, Sentence
from captioner.recognition.base import Recognizer
from captioner.recognition.local.languages import ModelLanguages, allowed_languages
from captioner.recognition.local.moonshine_text import MIN_VOICED_MS, believable, timed_words, words_of
from captioner.recognition.local.utterances import Job, OpenUtterance, UtteranceSession
from captioner.recognition.local.vad import WINDOW_MS, VadParams
from captioner.settings import RecognitionSettings

#: The wheel that carries the runtime and the weights, and the exact version (see above).
PACKAGE = "moonshine-voice"
VERSION = "0.1.0"
INSTALL = f"pip install {PACKAGE}=={VERSION}"
#: The model folder inside the wheel.
MODEL_NAME = "tiny-en"
#: Its name in the engine catalog (recognition/catalog.py): what `--engine` takes.
CATALOG_NAME = "moonshine-tiny.en"
LANGUAGES = ModelLanguages("Moonshine tiny", False, ("en",))

#: Speech heard between two partial decodes: a spoken word is ~300 ms, so a new partial
#: comes about once a word.
PARTIAL_EVERY_MS = 200
#: Speech heard before the first partial: the first syllables, decoded as soon as there
#: is a word's worth of them.
FIRST_PARTIAL_AFTER_MS = 300
#: The share of one core partials may use: after each, the next waits until the CPU time
#: the decode took (all of Moonshine's threads) is at most this share of the time since it
#: began. Finals, the VAD and the window come on top; the issue's budget is half a core.
#: Measured (bench/engines.py, BENCHMARKS.md "Engines"): 0.25 gave words on screen 476 ms
#: after they were said (p50) at 27 % of a core while speaking, 0.35 gave 370 ms at 32 %.
PARTIAL_CPU_SHARE = 0.3


class MoonshineCannotDoError(ParameterError, RecognitionError):
    """A task asked the Moonshine engine for what it does not do: translation, or hot words
    (a vocabulary, Flash context). Refused rather than run without them: a task that named
    its words and got captions without them would never know."""

    TRANSLATION = (
        "The Moonshine engine transcribes English only and cannot translate; "
        "use whisper base (to English) or the cloud's gummy-realtime-v1"
    )
    HOT_WORDS = (
        "The Moonshine engine takes no hot words (a vocabulary or context terms); "
        "use the engine 'local', which runs such tasks on whisper, or 'whisper-tiny.en'"
    )

    def __init__(self, message: str) -> None:
        super().__init__("InvalidParameter", message)

    def __str__(self) -> str:
        return self.message


class MoonshineRecognizer(Recognizer):
    """Moonshine tiny-en (from the moonshine-voice wheel) with Silero VAD endpointing.

    `model_dir` is a folder with encoder_model.ort, decoder_model_merged.ort and
    tokenizer.bin; None uses the one the wheel ships. One loaded model serves every
    session (Moonshine serialises calls on it); each session has its own worker thread.
    """

    name = "moonshine"

    def __init__(self, model_dir: str | Path | None = None, *, cpu_threads: int = 0) -> None:
        # cpu_threads is what the catalog passes every on-device engine; Moonshine 0.1.0
        # picks its own (one decode at a time per session, measured at about one core).
        del cpu_threads
        self._model_dir = Path(model_dir) if model_dir is not None else None
        self._model: MoonshineModel | None = None

    async def prepare(self) -> None:
        await self._load()

    def check(self, settings: RecognitionSettings) -> None:
        """English only, no translation, no hot words: UnsupportedLanguageError / MoonshineCannotDoError."""
        allowed_languages(LANGUAGES, settings)
        if settings.translation_target is not None or not settings.transcription_enabled:
            raise MoonshineCannotDoError(MoonshineCannotDoError.TRANSLATION)
        if settings.hot_words:
            raise MoonshineCannotDoError(MoonshineCannotDoError.HOT_WORDS)

    async def start(self, settings: RecognitionSettings) -> MoonshineSession:
        self.check(settings)
        model = await self._load()
        return MoonshineSession(model, settings)

    def describe(self) -> dict[str, Any]:
        info: dict[str, Any] = {"engine": self.name, "streaming": True}
        if self._model_dir is None:
            info["catalog"] = CATALOG_NAME
        if self._model is not None:
            info["model"] = str(self._model.path)
            info["multilingual"] = False
        return info

    async def _load(self) -> MoonshineModel:
        if self._model is None:
            loop = asyncio.get_running_loop()
            self._model = await loop.run_in_executor(None, MoonshineModel.load, self._model_dir)
        return self._model


class MoonshineModel:
    """The loaded transcriber: audio of one utterance in, its text out."""

    def __init__(self, path: Path, transcriber: Any) -> None:
        self.path = path
        self._transcriber = transcriber
        self._lock = threading.Lock()

    @classmethod
    def load(cls, model_dir: Path | None = None) -> MoonshineModel:
        """Raises ModelError (with the install command) if the wheel or the folder is missing."""
        try:
            from moonshine_voice.moonshine_api import ModelArch
            from moonshine_voice.transcriber import Transcriber
            from moonshine_voice.utils import get_model_path
        except ImportError as e:
            raise ModelError(
                f"The Moonshine engine needs the {PACKAGE} package, which is not installed. Run: {INSTALL}"
            ) from e
        path = model_dir if model_dir is not None else Path(get_model_path(MODEL_NAME))
        if not (path / "encoder_model.ort").is_file():
            raise ModelError(f"No Moonshine model in {path} (encoder_model.ort is missing). Run: {INSTALL}")
        # vad_threshold 0: every sample is speech to Moonshine's own detector, so the one
        # utterance we hand it comes back as one line, never split or trimmed.
        options = {"vad_threshold": "0", "vad_max_segment_duration": "60"}
        try:
            transcriber = Transcriber(str(path), ModelArch.TINY, options=options)
        except Exception as e:  # MoonshineError and whatever the C library reports
            raise ModelError(f"Could not load the Moonshine model in {path}: {e}") from e
        return cls(path, transcriber)

    def transcribe(self, audio: np.ndarray) -> str:
        """The text of int16 `audio` (16 kHz mono): one utterance, decoded as a whole."""
        with self._lock:
            lines = transcript_lines(self._transcriber, audio)
        return " ".join(line.text.strip() for line in lines if line.text.strip())


def transcript_lines(transcriber: Any, audio: np.ndarray) -> Any:
    """The transcript lines a moonshine_voice Transcriber makes of int16 `audio` (16 kHz
    mono), decoded as a whole (the engine here; file diarization with the speaker models).

    The wrapper's transcribe_without_streaming copies the audio into a Python list first;
    the array goes to the C library in place instead. Not thread-safe per transcriber.
    """
    from moonshine_voice.errors import check_error
    from moonshine_voice.moonshine_api import TranscriptC

    samples = np.ascontiguousarray(audio, dtype=np.float32) / 32768.0
    out = ctypes.POINTER(TranscriptC)()
    error = transcriber._lib.moonshine_transcribe_without_streaming(
        transcriber._handle,
        samples.ctypes.data_as(ctypes.POINTER(ctypes.c_float)),
        len(samples),
        SAMPLE_RATE,
        0,
        ctypes.byref(out),
    )
    check_error(error)
    return transcriber._parse_transcript(out).lines


@dataclass(frozen=True)
class Decoded:
    text: str
    #: Wall time of the decode, and the process CPU time it took (all threads).
    seconds: float
    cpu_seconds: float = 0.0


class MoonshineSession(UtteranceSession[Decoded]):
    """One recognition task on the Moonshine engine (scheduling: utterances.py).

    metrics: those of UtteranceSession, and partials (decoded).
    """

    partial_every_ms = PARTIAL_EVERY_MS
    first_partial_after_ms = FIRST_PARTIAL_AFTER_MS

    def __init__(self, model: MoonshineModel, settings: RecognitionSettings) -> None:
        self._model = model
        params = VadParams.from_settings(settings)
        self._threshold = params.threshold
        self._seen: dict[int, list[tuple[int, list[str]]]] = {}
        self._rest_until = 0.0  # perf_counter time before which no partial starts
        # As soon as a pause has lasted the tail the clip takes after speech, the final's
        # decode can start (Moonshine is cheap enough to spend one on every such pause), and
        # its text is shown at once as a partial: the last words of a sentence appear about
        # tail + decode after they were said instead of with the final at the endpoint.
        super().__init__(settings, params, early_after_ms=params.tail_ms, thread_name="captioner-moonshine")
        self.metrics["partials"] = 0

    def _partial_may_start(self) -> bool:
        return time.perf_counter() >= self._rest_until

    def _final_queued(self, job: Job, utterance: OpenUtterance) -> None:
        self._seen[job.utterance] = utterance.seen

    def _decoded_open(self, job: Job, decoded: Decoded) -> None:
        rest = decoded.cpu_seconds / PARTIAL_CPU_SHARE - decoded.seconds
        self._rest_until = time.perf_counter() + max(0.0, rest)

    def _early_decoded(self, job: Job, decoded: Decoded) -> None:
        if not self._stale(job):  # still paused there: show it while the pause lasts
            self._partial(job, decoded)

    def _decode(self, job: Job) -> Decoded:
        """Runs on the worker thread."""
        started, cpu = time.perf_counter(), time.process_time()
        voiced = job.probabilities[job.probabilities >= self._threshold]
        if len(voiced) * WINDOW_MS < MIN_VOICED_MS:
            return Decoded("", time.perf_counter() - started)
        text = believable(self._model.transcribe(job.audio), len(voiced) * WINDOW_MS, float(voiced.mean()))
        return Decoded(text, time.perf_counter() - started, time.process_time() - cpu)

    def _partial(self, job: Job, decoded: Decoded) -> None:
        text = decoded.text.rstrip(".,;:!?")  # the sentence is not over yet
        if self._open is not None and self._open.number == job.utterance:
            self._open.seen.append((job.end_ms, words_of(decoded.text)))
        self.metrics["partials"] += 1
        if not text:
            return
        self._on_screen = Sentence(text, job.begin_ms, job.end_ms, False, sentence_id=self._next_sentence_id)
        self._emit(self._on_screen)

    def _final_sentence(self, job: Job, decoded: Decoded) -> Sentence | None:
        seen = self._seen.pop(job.utterance, [])
        if not decoded.text:
            return None
        begin, end = self._voiced_span(job)
        words = timed_words(decoded.text, begin, end, job.pauses, seen)
        return Sentence(decoded.text, words[0].begin_ms, words[-1].end_ms, True, words, self._next_sentence_id)

    def _voiced_span(self, job: Job) -> tuple[int, int]:
        """Where the utterance's speech is: the VAD's span, narrowed to its first and last
        voiced windows (an utterance closed by finish() or a clock jump ends where the
        audio did, not where the speech did)."""
        voiced = np.flatnonzero(job.probabilities >= self._threshold)
        if not len(voiced):
            return job.begin_ms, job.end_ms
        first = job.audio_start_ms + int(voiced[0]) * WINDOW_MS
        last = job.audio_start_ms + (int(voiced[-1]) + 1) * WINDOW_MS
        begin = min(max(job.begin_ms, first), job.end_ms)
        end = max(min(job.end_ms, last), begin + 1)
        return begin, end


__all__ = ["MoonshineModel", "MoonshineRecognizer", "MoonshineSession"]
