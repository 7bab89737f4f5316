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
import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from captioner.audio.frames import SAMPLE_RATE, AudioFrame
from captioner.errors import ModelError, ParameterError
from captioner.events import EngineStatus, RecognitionError, Sentence, Usage
from captioner.recognition.base import RecognitionSession, Recognizer
from captioner.recognition.local.languages import ModelLanguages, allowed_languages
from captioner.recognition.local.moonshine_text import MIN_VOICED_MS, believable, timed_words, words_of
from captioner.recognition.local.vad import (
    WINDOW_MS,
    SpeechEnded,
    SpeechStarted,
    VadEvent,
    VadParams,
    VadSegmenter,
)
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
#: Speech queued for finals beyond which the engine reports it is lagging, and beyond
#: which `push` waits (back-pressure, as in the whisper engine).
LAGGING_BACKLOG_MS = 3000
MAX_BACKLOG_MS = 20_000
#: A hole in the frame clock up to the sentence-ending silence is filled with silence.
CLOCK_SLACK_MS = 20


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


@dataclass
class _OpenUtterance:
    number: int
    begin_ms: int
    #: Session time of the speech heard when the next partial is due.
    partial_due_ms: int
    floor_ms: int | None = None
    early_for_ms: int | None = None
    #: (session time the partial's audio ends, its words) for every partial decoded.
    seen: list[tuple[int, list[str]]] = field(default_factory=list)


PARTIAL, EARLY, FINAL = "partial", "early", "final"


@dataclass(frozen=True)
class _Job:
    kind: str
    utterance: int
    audio: np.ndarray
    audio_start_ms: int
    begin_ms: int
    end_ms: int
    probabilities: np.ndarray
    pauses: tuple[tuple[int, int], ...] = ()
    queued_at: float = field(default_factory=time.perf_counter)

    @property
    def audio_ms(self) -> int:
        return len(self.audio) * 1000 // SAMPLE_RATE


class MoonshineSession(RecognitionSession):
    """One recognition task on the Moonshine engine. Driven from one asyncio loop.

    metrics: rtf (decode time / audio pushed, partials included), decode_ms_last,
    backlog_ms, final_delay_ms_last, early_finals, partials (decoded).
    """

    def __init__(self, model: MoonshineModel, settings: RecognitionSettings) -> None:
        super().__init__()
        self.settings = settings
        self._model = model
        params = VadParams.from_settings(settings)
        self._threshold = params.threshold
        self._vad = VadSegmenter(params)
        # As soon as a pause has lasted the tail the clip takes after speech, the final's
        # decode can start (Moonshine is cheap enough to spend one on every such pause), and
        # its text is shown at once as a partial: the last words of a sentence appear about
        # tail + decode after they were said instead of with the final at the endpoint.
        self._early_after_ms = params.tail_ms
        self._offset_ms: int | None = None
        self._pushed_ms = 0
        self._open: _OpenUtterance | None = None
        self._utterances = 0
        self._next_sentence_id = 1
        self._on_screen: Sentence | None = None
        self._early: tuple[tuple[int, int], Decoded] | None = None
        self._ends: dict[int, int] = {}
        self._seen: dict[int, list[tuple[int, list[str]]]] = {}
        self._jobs: asyncio.Queue[_Job | None] = asyncio.Queue()
        self._busy = False
        self._decoding_final = False
        self._rest_until = 0.0  # perf_counter time before which no partial starts
        self._backlog_ms = 0
        self._waiting_ms = 0
        self._lagging = False
        self._progress = asyncio.Event()
        self._finishing = False
        self._decode_s = 0.0
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="captioner-moonshine")
        self._worker = asyncio.get_running_loop().create_task(self._work())
        self.metrics = {
            "rtf": 0.0,
            "decode_ms_last": 0,
            "backlog_ms": 0,
            "final_delay_ms_last": 0,
            "early_finals": 0,
            "partials": 0,
        }

    async def push(self, frame: AudioFrame) -> None:
        """Feed ~100 ms of audio; waits while too much speech awaits its final decode."""
        if self.ended or self._finishing:
            return
        self._follow_clock(frame)
        self._pushed_ms += frame.duration_ms
        self._on_vad(self._vad.feed(frame.samples))
        self._maybe_decode_open_utterance()
        while self._backlog_ms > MAX_BACKLOG_MS and not self.ended:
            self._progress.clear()
            await self._progress.wait()

    async def finish(self) -> None:
        if not self._finishing and not self.ended:
            self._finishing = True
            self._on_vad(self._vad.finish())
            self._jobs.put_nowait(None)
        await asyncio.wait([self._worker])

    async def aclose(self) -> None:
        self._worker.cancel()
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._end()

    # Audio in -----------------------------------------------------------------------

    def _follow_clock(self, frame: AudioFrame) -> None:
        """Keep the VAD's clock on the session clock across frames upstream dropped."""
        if self._offset_ms is None:
            self._offset_ms = frame.start_ms
            return
        gap = frame.start_ms - (self._offset_ms + self._vad.position_ms)
        if gap <= CLOCK_SLACK_MS:
            return
        if gap <= self._vad.params.end_silence_ms:
            self._on_vad(self._vad.feed(np.zeros(gap * SAMPLE_RATE // 1000, dtype=np.int16)))
        else:
            self._on_vad(self._vad.finish())
            self._offset_ms += gap

    def _session_ms(self, vad_ms: int) -> int:
        assert self._offset_ms is not None
        return self._offset_ms + vad_ms

    def _on_vad(self, events: list[VadEvent]) -> None:
        for event in events:
            if isinstance(event, SpeechStarted):
                self._utterances += 1
                begin = self._session_ms(event.at_ms)
                self._open = _OpenUtterance(self._utterances, begin, begin + FIRST_PARTIAL_AFTER_MS, event.floor_ms)
            elif isinstance(event, SpeechEnded) and self._open is not None:
                job = self._job(FINAL, event.begin_ms, event.end_ms, event.pauses, event.ceiling_ms)
                self._jobs.put_nowait(job)
                self._ends[job.utterance] = job.end_ms
                self._seen[job.utterance] = self._open.seen
                self._backlog_ms += job.audio_ms
                self._waiting_ms += job.audio_ms
                self.metrics["backlog_ms"] = self._backlog_ms
                self._check_lagging()
                self._open = None

    def _job(
        self,
        kind: str,
        begin_vad_ms: int,
        end_vad_ms: int,
        pauses: tuple[tuple[int, int], ...] = (),
        ceiling_ms: int | None = None,
    ) -> _Job:
        assert self._open is not None
        clip = self._vad.clip(begin_vad_ms, end_vad_ms, self._open.floor_ms, ceiling_ms)
        return _Job(
            kind,
            self._open.number,
            clip.samples,
            self._session_ms(clip.start_ms),
            self._session_ms(begin_vad_ms),
            self._session_ms(end_vad_ms),
            clip.probabilities,
            tuple((self._session_ms(a), self._session_ms(b)) for a, b in pauses),
        )

    def _maybe_decode_open_utterance(self) -> None:
        """Use an idle worker: a partial while speech goes on, an early final in a pause."""
        utterance, onset = self._open, self._vad.onset_ms
        if utterance is None or onset is None or self._busy or not self._jobs.empty():
            return
        position = self._vad.position_ms
        pause = self._vad.pause_from_ms
        if pause is None:
            now = self._session_ms(position)
            if now >= utterance.partial_due_ms and time.perf_counter() >= self._rest_until:
                utterance.partial_due_ms = now + PARTIAL_EVERY_MS
                self._jobs.put_nowait(self._job(PARTIAL, onset, position))
        elif position - pause >= self._early_after_ms and utterance.early_for_ms != pause:
            utterance.early_for_ms = pause
            self._jobs.put_nowait(self._job(EARLY, onset, pause, self._vad.pauses_ms))

    def _check_lagging(self) -> None:
        if self._decoding_final and self._waiting_ms > LAGGING_BACKLOG_MS and not self._lagging:
            self._lagging = True
            waiting = f"{self._waiting_ms / 1000:.0f} s of speech waiting to be recognised"
            self._emit(EngineStatus("lagging", f"{waiting}; live partial captions paused until it catches up"))

    # Decoding -----------------------------------------------------------------------

    async def _work(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while (job := await self._jobs.get()) is not None:
                if job.kind != FINAL and self._stale(job):
                    continue
                if job.kind == FINAL:
                    self._waiting_ms -= job.audio_ms
                decoded = self._early_result(job)
                if decoded is None:
                    self._busy, self._decoding_final = True, job.kind == FINAL
                    self._check_lagging()
                    try:
                        decoded = await loop.run_in_executor(self._executor, self._decode, job)
                    finally:
                        self._busy = self._decoding_final = False
                    self._decode_s += decoded.seconds
                    self.metrics["decode_ms_last"] = round(decoded.seconds * 1000)
                    self.metrics["rtf"] = round(self._decode_s / max(self._pushed_ms / 1000, 1.0), 3)
                if job.kind != FINAL:
                    rest = decoded.cpu_seconds / PARTIAL_CPU_SHARE - decoded.seconds
                    self._rest_until = time.perf_counter() + max(0.0, rest)
                if job.kind == PARTIAL:
                    self._partial(job, decoded)
                elif job.kind == EARLY:
                    self._early = ((job.utterance, job.end_ms), decoded)
                    if not self._stale(job):  # still paused there: show it while the pause lasts
                        self._partial(job, decoded)
                else:
                    self._finalised(job, decoded)
        except asyncio.CancelledError:
            raise
        except Exception as e:  # any decoder failure ends the task, reported
            self._fail(RecognitionError("InternalError", f"On-device recognition failed: {e}"))
        else:
            self._end()
        finally:
            self._executor.shutdown(wait=False)
            self._progress.set()

    def _stale(self, job: _Job) -> bool:
        current = self._open is not None and self._open.number == job.utterance
        if job.kind == PARTIAL:
            return not current
        if not current:
            return self._ends.get(job.utterance) != job.end_ms
        pause = self._vad.pause_from_ms
        return pause is None or self._session_ms(pause) != job.end_ms

    def _early_result(self, job: _Job) -> Decoded | None:
        if job.kind != FINAL:
            return None
        early, self._early = self._early, None
        if early is not None and early[0] == (job.utterance, job.end_ms):
            self.metrics["early_finals"] += 1
            return early[1]
        return None

    def _decode(self, job: _Job) -> Decoded:
        """Runs on the worker thread."""
        started, cpu = time.perf_counter(), time.process_time()
        voiced = job.probabilities[job.probabilities >= self._threshold]
        if len(voiced) * WINDOW_MS < MIN_VOICED_MS:
            return Decoded("", time.perf_counter() - started)
        text = believable(self._model.transcribe(job.audio), len(voiced) * WINDOW_MS, float(voiced.mean()))
        return Decoded(text, time.perf_counter() - started, time.process_time() - cpu)

    def _partial(self, job: _Job, decoded: Decoded) -> None:
        text = decoded.text.rstrip(".,;:!?")  # the sentence is not over yet
        if self._open is not None and self._open.number == job.utterance:
            self._open.seen.append((job.end_ms, words_of(decoded.text)))
        self.metrics["partials"] += 1
        if not text:
            return
        self._on_screen = Sentence(text, job.begin_ms, job.end_ms, False, sentence_id=self._next_sentence_id)
        self._emit(self._on_screen)

    def _finalised(self, job: _Job, decoded: Decoded) -> None:
        del self._ends[job.utterance]
        seen = self._seen.pop(job.utterance, [])
        self._backlog_ms -= job.audio_ms
        self.metrics["backlog_ms"] = self._backlog_ms
        self.metrics["final_delay_ms_last"] = round((time.perf_counter() - job.queued_at) * 1000)
        self._progress.set()
        shown = self._on_screen
        if decoded.text:
            begin, end = self._voiced_span(job)
            words = timed_words(decoded.text, begin, end, job.pauses, seen)
            self._final(
                Sentence(decoded.text, words[0].begin_ms, words[-1].end_ms, True, words, self._next_sentence_id)
            )
        elif shown is not None and shown.begin_ms == job.begin_ms:
            # The reader saw these words: they stay, rather than vanish with nothing in the transcript.
            self._final(Sentence(shown.text, job.begin_ms, job.end_ms, True, (), self._next_sentence_id))
        if self._lagging and self._waiting_ms <= 0:
            self._lagging = False
            self._emit(EngineStatus("ready", "caught up"))

    def _voiced_span(self, job: _Job) -> tuple[int, int]:
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

    def _final(self, sentence: Sentence) -> None:
        self._emit(sentence)
        self._next_sentence_id += 1
        self._emit(Usage(math.ceil(self._pushed_ms / 1000)))
        self._on_screen = None


__all__ = ["MoonshineModel", "MoonshineRecognizer", "MoonshineSession"]
