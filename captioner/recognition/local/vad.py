"""Streaming speech segmentation: Silero VAD probabilities turned into utterances.

Whisper is not a streaming recogniser, so the on-device engine needs someone to say where
an utterance begins and ends. This module does that with the Silero VAD model that
faster-whisper ships, fed incrementally, and honours the recognition settings the way
the cloud service does: `max_sentence_silence` is the silence that ends a sentence,
`speech_noise_threshold` moves the speech/noise decision, and
`multi_threshold_mode_enabled` keeps sentences short. Whatever the settings, an utterance
is cut before it outgrows whisper's 30-second window, at the most natural point of its last
seconds (a pause, else the quietest stretch), never blindly at the cap: a cut through a word
loses or doubles it.

Three layers, so each can be tested alone:
- `Endpointer`: pure logic over per-window speech probabilities (no model, no audio);
- `SileroStream`: the Silero network (silero.py, numpy) run window by window with its state
  carried along;
- `VadSegmenter`: both, plus the recent audio, fed with int16 samples.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from captioner.recognition.local.silero import SileroModel
from captioner.settings import RecognitionSettings

SAMPLE_RATE = 16_000
#: Silero v5+/v6 at 16 kHz scores windows of exactly 512 samples (32 ms)...
WINDOW_SAMPLES = 512
WINDOW_MS = WINDOW_SAMPLES * 1000 // SAMPLE_RATE
#: ...each preceded by the last 64 samples of the previous window.
CONTEXT_SAMPLES = 64

#: Whisper hears at most 30 s at once; leave room for the padding around the speech.
WHISPER_WINDOW_MS = 30_000
#: Where a too-long utterance may be cut: its last seconds before the cap. Long enough to
#: hold a breath or a clause boundary in run-on speech, short enough that both parts are
#: long sentences (whisper is most accurate with context).
CUT_LOOKBACK_MS = 8000
#: Windows averaged when looking for the quietest stretch (~100 ms: a gap between words).
QUIET_WINDOWS = 3
#: Silero is trained on wideband audio and scores telephone-band speech (nothing above
#: 4 kHz: an 8 kHz source, a phone or Bluetooth headset codec) at only 0.3-0.5, under its
#: threshold, so whole sentences went unheard. In band-limited audio (less than
#: NARROWBAND_FRACTION of a window's energy above 4.5 kHz: measured, 99 % of loud windows
#: of telephone-band speech have < 6e-7, 99 % of wideband speech windows > 9e-7 and half
#: of them > 5e-5) a
#: window LOUD_OVER_FLOOR_DB over the noise floor (the quietest moment of the last
#: NOISE_FLOOR_MS) has its probability doubled, up to LOUD_CEILING: clearly louder than
#: the room and already half-way speech-like is speech at the default threshold. Wideband
#: audio is left exactly as Silero scores it; steady noise never rises above its own floor;
#: a stricter speech_noise_threshold (above LOUD_CEILING) is not loosened.
NARROWBAND_FRACTION = 1e-6
NARROWBAND_FROM_BIN = 4500 * WINDOW_SAMPLES // SAMPLE_RATE
LOUD_OVER_FLOOR_DB = 12.0
LOUD_CEILING = 0.6
NOISE_FLOOR_MS = 5000


_HANN = np.hanning(WINDOW_SAMPLES).astype(np.float32)  # no leakage from the low band


@dataclass(frozen=True)
class VadParams:
    """How speech is told from silence and where utterances are cut (all times in ms)."""

    #: Speech probability at or above which a window is speech.
    threshold: float = 0.5
    #: Silence that ends an utterance (the settings' max_sentence_silence).
    end_silence_ms: int = 1300
    #: Cap on an utterance; cut at the most natural point of its last CUT_LOOKBACK_MS.
    max_utterance_ms: int = 28_000
    #: Beyond this length a shorter pause (`long_pause_ms`) ends the utterance; None = never.
    long_utterance_ms: int | None = None
    long_pause_ms: int = 300
    #: Speech must last this long to open an utterance (clicks and pops do not).
    min_speech_ms: int = 64
    #: A pause at least this long is a place where a forced cut may fall.
    cut_pause_ms: int = 96
    #: Audio kept before the detected onset and after the end, so no word is clipped.
    pre_roll_ms: int = 300
    tail_ms: int = 300

    def __post_init__(self) -> None:
        if self.max_utterance_ms + self.pre_roll_ms + self.tail_ms > WHISPER_WINDOW_MS:
            raise ValueError("an utterance with its padding must fit whisper's 30 s window")

    @property
    def release_threshold(self) -> float:
        """Below this a window is silence; between the two, the current state holds.

        The hysteresis keeps a soft syllable inside an utterance from counting as a pause.
        """
        return max(self.threshold - 0.15, 0.01)

    @classmethod
    def from_settings(cls, settings: RecognitionSettings) -> VadParams:
        """The settings' meaning, mapped onto Silero.

        speech_noise_threshold -1..1 moves the speech threshold linearly from 0.05 (almost
        any sound is speech) through Silero's default 0.5 (at 0 or unset) to 0.95 (only
        clear speech). Multi-threshold mode lets a 300 ms pause end an utterance once it
        is over 10 s long, and caps it at 20 s.
        """
        v = settings.speech_noise_threshold
        threshold = 0.5 if v is None else 0.5 + 0.45 * float(v)
        if settings.multi_threshold_mode_enabled:
            return cls(
                threshold=threshold,
                end_silence_ms=settings.max_sentence_silence,
                max_utterance_ms=20_000,
                long_utterance_ms=10_000,
            )
        return cls(threshold=threshold, end_silence_ms=settings.max_sentence_silence)


@dataclass(frozen=True)
class SpeechStarted:
    """An utterance opened; `at_ms` is the onset of its speech.

    `floor_ms` is set when it continues an utterance cut for length: its audio must not
    reach back past it (that audio went to the previous utterance), so no word is doubled.
    """

    at_ms: int
    floor_ms: int | None = None


@dataclass(frozen=True)
class SpeechEnded:
    """An utterance closed: speech from `begin_ms` to `end_ms`.

    `forced` means it was cut for length rather than ended by silence; after a forced cut
    mid-speech a `SpeechStarted` for the rest follows at once. `pauses` are the silences
    inside it (start, end), which whisper's word timings tend to smear words across.
    `ceiling_ms` (forced cuts) is where the next utterance's audio begins: padding must
    not reach past it.
    """

    begin_ms: int
    end_ms: int
    forced: bool = False
    pauses: tuple[tuple[int, int], ...] = ()
    ceiling_ms: int | None = None


VadEvent = SpeechStarted | SpeechEnded


class Endpointer:
    """Turns one speech probability per 32 ms window into utterance boundaries.

    Pure logic on a clock of windows (window i covers i*32 .. (i+1)*32 ms), so every rule
    can be tested with made-up probabilities.
    """

    def __init__(self, params: VadParams) -> None:
        self.params = params
        self._window = 0
        self._candidate: int | None = None  # first window of a run that may become speech
        self._onset: int | None = None  # first window of the open utterance
        self._silence_from: int | None = None  # first window of the silence run in progress
        self._pauses: list[tuple[int, int]] = []  # pauses inside the open utterance
        #: Probability of each window since the onset (or the candidate onset).
        self._probs: list[float] = []

    @property
    def onset_ms(self) -> int | None:
        """Onset of the open utterance, None between utterances."""
        return None if self._onset is None else self._onset * WINDOW_MS

    @property
    def pause_from_ms(self) -> int | None:
        """Where the pause in progress began: the end, should it become the endpoint."""
        if self._onset is None or self._silence_from is None:
            return None
        return self._silence_from * WINDOW_MS

    @property
    def pauses_ms(self) -> tuple[tuple[int, int], ...]:
        """Pauses (at least cut_pause_ms) in the open utterance that speech has followed."""
        return tuple((a * WINDOW_MS, b * WINDOW_MS) for a, b in self._pauses)

    def push(self, probability: float) -> list[VadEvent]:
        w = self._window
        self._window += 1
        self._probs.append(probability)
        if self._onset is None:
            return self._idle(w, probability)
        return self._speaking(w, probability)

    def flush(self) -> list[VadEvent]:
        """The audio ended: close the open utterance where its speech stopped."""
        if self._onset is None:
            return []
        end = self._silence_from if self._silence_from is not None else self._window
        return [self._close(end, forced=False)]

    def _idle(self, w: int, p: float) -> list[VadEvent]:
        if p < self.params.threshold:
            self._candidate = None
            self._probs = []
            return []
        if self._candidate is None:
            self._candidate = w
        if (w + 1 - self._candidate) * WINDOW_MS < self.params.min_speech_ms:
            return []
        onset = self._candidate
        self._open(onset)
        return [SpeechStarted(onset * WINDOW_MS)]

    def _speaking(self, w: int, p: float) -> list[VadEvent]:
        params = self.params
        if p >= params.threshold:
            if self._silence_from is not None and (w - self._silence_from) * WINDOW_MS >= params.cut_pause_ms:
                self._pauses.append((self._silence_from, w))
            self._silence_from = None
        elif p < params.release_threshold and self._silence_from is None:
            self._silence_from = w
        now = w + 1
        assert self._onset is not None
        if self._silence_from is not None:
            silent_ms = (now - self._silence_from) * WINDOW_MS
            if silent_ms >= self._required_silence_ms(self._silence_from):
                return [self._close(self._silence_from, forced=False)]
        if (now - self._onset) * WINDOW_MS >= params.max_utterance_ms:
            return self._cut(now)
        return []

    def _required_silence_ms(self, silence_from: int) -> int:
        params = self.params
        assert self._onset is not None
        spoken_ms = (silence_from - self._onset) * WINDOW_MS
        if params.long_utterance_ms is not None and spoken_ms >= params.long_utterance_ms:
            return min(params.end_silence_ms, params.long_pause_ms)
        return params.end_silence_ms

    def _cut(self, now: int) -> list[VadEvent]:
        """Too long: cut at the most natural point of the last CUT_LOOKBACK_MS.

        That is the silence in progress, else the longest pause there, else the quietest
        stretch (the gap between two words, in run-on speech). The rest of the speech goes
        on as a new utterance; the audio on either side of the cut goes to one side only.
        """
        if self._silence_from is not None:
            return [self._close(self._silence_from, forced=True)]
        assert self._onset is not None
        since = max(self._onset, now - CUT_LOOKBACK_MS // WINDOW_MS)
        recent = [pause for pause in self._pauses if pause[0] >= since]
        if recent:
            start, end = max(recent, key=lambda pause: (pause[1] - pause[0], pause[0]))
        else:
            start = end = self._quietest(since, now)
        rest = self._probs[end - self._onset :], [pause for pause in self._pauses if pause[0] >= end]
        self._pauses = [pause for pause in self._pauses if pause[1] <= start]
        ended = self._close(start, forced=True, ceiling=end)
        self._open(end)
        self._probs, self._pauses = rest
        return [ended, SpeechStarted(end * WINDOW_MS, floor_ms=start * WINDOW_MS)]

    def _quietest(self, since: int, now: int) -> int:
        """The window at the middle of the least speech-like QUIET_WINDOWS in since..now
        (the latest, on a tie: the longer the first part, the fewer cuts in all)."""
        assert self._onset is not None
        probs = np.asarray(self._probs[since - self._onset : now - self._onset], dtype=np.float64)
        if len(probs) < QUIET_WINDOWS + 2:
            return now
        smooth = np.convolve(probs, np.ones(QUIET_WINDOWS) / QUIET_WINDOWS, mode="valid")
        # Rounded so that float noise in the model's output cannot move the cut.
        smooth = np.round(smooth[:-1], 2)  # not the very last stretch: the cut would be "now"
        best = len(smooth) - 1 - int(np.argmin(smooth[::-1]))
        return since + best + QUIET_WINDOWS // 2

    def _open(self, onset: int) -> None:
        self._onset = onset
        self._candidate = None
        self._silence_from = None
        self._pauses = []

    def _close(self, end: int, *, forced: bool, ceiling: int | None = None) -> SpeechEnded:
        assert self._onset is not None
        event = SpeechEnded(
            self._onset * WINDOW_MS,
            end * WINDOW_MS,
            forced,
            self.pauses_ms,
            None if ceiling is None else ceiling * WINDOW_MS,
        )
        self._onset = None
        self._probs = []
        self._candidate = None
        self._silence_from = None
        self._pauses = []
        return event


_silero: SileroModel | None = None
_silero_lock = threading.Lock()


def shared_silero() -> SileroModel:
    """The Silero network, loaded once per process (it only reads its weights)."""
    global _silero
    with _silero_lock:
        if _silero is None:
            _silero = SileroModel()
        return _silero


class SileroStream:
    """Silero VAD over a stream: window-by-window results equal to a whole-file run.

    The network is faster-whisper's Silero v6, run in numpy (silero.py: onnxruntime is not
    needed); one copy of its weights is shared by every stream, and the state (h, c and the
    64-sample context) is carried from call to call here.
    """

    def __init__(self) -> None:
        self._model = shared_silero()
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(CONTEXT_SAMPLES, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)
        #: RMS (0..1) of the windows the last `probabilities` call scored, and whether
        #: each is band-limited (telephone band).
        self.last_levels = np.zeros(0, dtype=np.float32)
        self.last_narrowband = np.zeros(0, dtype=bool)

    def probabilities(self, samples: np.ndarray) -> np.ndarray:
        """Speech probability of each whole 512-sample window completed by `samples`.

        `samples` are float32 in -1..1; a leftover shorter than a window waits for more.
        """
        audio = np.concatenate([self._pending, samples.astype(np.float32, copy=False)])
        n = len(audio) // WINDOW_SAMPLES
        self._pending = audio[n * WINDOW_SAMPLES :]
        if n == 0:
            self.last_levels = np.zeros(0, dtype=np.float32)
            self.last_narrowband = np.zeros(0, dtype=bool)
            return np.zeros(0, dtype=np.float32)
        windows = audio[: n * WINDOW_SAMPLES].reshape(n, WINDOW_SAMPLES)
        self.last_levels = np.sqrt(np.mean(windows**2, axis=1))
        power = np.abs(np.fft.rfft(windows * _HANN, axis=1)) ** 2
        high = power[:, NARROWBAND_FROM_BIN:].sum(axis=1)
        self.last_narrowband = high < NARROWBAND_FRACTION * (power.sum(axis=1) + 1e-12)
        contexts = np.concatenate([self._context[None], windows[:-1, -CONTEXT_SAMPLES:]])
        self._context = windows[-1, -CONTEXT_SAMPLES:].copy()
        probs, self._h, self._c = self._model(np.concatenate([contexts, windows], axis=1), self._h, self._c)
        return np.asarray(probs, dtype=np.float32).reshape(-1)


class NoiseFloor:
    """The level of the room: the quietest 32 ms window of the last NOISE_FLOOR_MS.

    `weigh` doubles the speech probability of band-limited windows LOUD_OVER_FLOOR_DB above
    it, up to LOUD_CEILING (see the constants), so telephone-band speech, which Silero
    half-recognises, is heard.
    """

    def __init__(self) -> None:
        self._levels = np.zeros(0, dtype=np.float32)

    def weigh(self, probabilities: np.ndarray, levels: np.ndarray, narrowband: np.ndarray) -> np.ndarray:
        out = np.asarray(probabilities, dtype=np.float32).copy()
        gain = 10 ** (LOUD_OVER_FLOOR_DB / 20)
        for i, level in enumerate(levels):
            self._levels = np.append(self._levels[-(NOISE_FLOOR_MS // WINDOW_MS - 1) :], level)
            floor = max(float(self._levels.min()), 1e-4)  # -80 dBFS: digital silence
            if narrowband[i] and level >= floor * gain:
                out[i] = max(out[i], min(2 * out[i], LOUD_CEILING))
        return out


@dataclass(frozen=True)
class Clip:
    """Audio cut from the stream: int16 samples starting at `start_ms` on the VAD clock,
    with the speech probability of each 32 ms window they overlap (the evidence the engine
    weighs before it believes a short decode)."""

    start_ms: int
    samples: np.ndarray
    probabilities: np.ndarray

    @property
    def end_ms(self) -> int:
        return self.start_ms + len(self.samples) * 1000 // SAMPLE_RATE


class VadSegmenter:
    """Feed int16 samples, get utterance boundaries, and cut the audio of each utterance.

    Times are ms since the first sample fed. Only the audio an utterance may still need is
    kept (the open utterance plus its pre-roll), so memory stays bounded by the longest
    utterance. Clips for the events a `feed()` returned can be taken until the next `feed()`.
    """

    def __init__(self, params: VadParams) -> None:
        self.params = params
        self._endpointer = Endpointer(params)
        self._silero = SileroStream()
        self._floor = NoiseFloor()
        self._audio = np.zeros(0, dtype=np.int16)
        self._audio_start = 0  # sample index of self._audio[0]
        self._probs = np.zeros(0, dtype=np.float32)
        self._probs_start = 0  # window index of self._probs[0]
        self._fed = 0

    @property
    def position_ms(self) -> int:
        """How much audio was fed so far."""
        return self._fed * 1000 // SAMPLE_RATE

    @property
    def onset_ms(self) -> int | None:
        return self._endpointer.onset_ms

    @property
    def pause_from_ms(self) -> int | None:
        return self._endpointer.pause_from_ms

    @property
    def pauses_ms(self) -> tuple[tuple[int, int], ...]:
        return self._endpointer.pauses_ms

    def feed(self, samples: np.ndarray) -> list[VadEvent]:
        self._forget_old_audio()
        samples = np.asarray(samples, dtype=np.int16)
        self._audio = np.concatenate([self._audio, samples])
        self._fed += len(samples)
        probabilities = self._silero.probabilities(samples.astype(np.float32) / 32768.0)
        probabilities = self._floor.weigh(probabilities, self._silero.last_levels, self._silero.last_narrowband)
        self._probs = np.concatenate([self._probs, probabilities])
        events: list[VadEvent] = []
        for p in probabilities:
            events += self._endpointer.push(float(p))
        return events

    def finish(self) -> list[VadEvent]:
        """No more audio: close the open utterance, if any."""
        return self._endpointer.flush()

    def clip(self, begin_ms: int, end_ms: int, floor_ms: int | None = None, ceiling_ms: int | None = None) -> Clip:
        """Speech from begin_ms to end_ms with the pre-roll and tail padding around it,
        the padding stopping at floor_ms and ceiling_ms (the neighbours of a forced cut)."""
        first = max(self._audio_start, _samples(begin_ms - self.params.pre_roll_ms))
        last = min(self._fed, _samples(end_ms + self.params.tail_ms))
        if floor_ms is not None:
            first = max(first, min(_samples(floor_ms), _samples(begin_ms)))
        if ceiling_ms is not None:
            last = min(last, max(_samples(ceiling_ms), _samples(end_ms)))
        samples = self._audio[first - self._audio_start : max(first, last) - self._audio_start]
        w0 = max(first // WINDOW_SAMPLES - self._probs_start, 0)
        w1 = max(-(-last // WINDOW_SAMPLES) - self._probs_start, w0)
        return Clip(first * 1000 // SAMPLE_RATE, samples.copy(), self._probs[w0:w1].copy())

    def _forget_old_audio(self) -> None:
        onset = self._endpointer.onset_ms
        if onset is None:
            # Speech that began up to min_speech_ms (plus a window not yet scored) ago may
            # become an utterance during this feed and still needs its pre-roll.
            onset = self.position_ms - self.params.min_speech_ms - 2 * WINDOW_MS
        keep_from_ms = onset - self.params.pre_roll_ms
        drop = _samples(keep_from_ms) - self._audio_start
        if drop > 0:
            self._audio = self._audio[drop:]
            self._audio_start += drop
        drop_windows = self._audio_start // WINDOW_SAMPLES - self._probs_start
        if drop_windows > 0:
            self._probs = self._probs[drop_windows:]
            self._probs_start += drop_windows


def _samples(ms: int) -> int:
    return max(0, ms) * SAMPLE_RATE // 1000
