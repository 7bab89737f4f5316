"""The hard evaluation set: cases that lose or invent sentences, made offline, with references.

Every case is built deterministically (fixed seeds, espeak-ng is deterministic) from what this
machine has without a network: espeak-ng voices (en-us, en-gb, en+f3, en-us+m3, en-gb+f2, at
several speeds) and the real LibriVox read speech of Debian's pocketsphinx-testdata
(captioner/testing/speech.py). A case is 16 kHz int16 mono samples, the reference text ('' when
nothing is said) and the speech spans (begin_ms, end_ms) where they are known.

Scoring (shared by tests/test_quality.py and bench/quality.py) works on the words of
captioner.testing.speech.normalise: a Levenshtein alignment with backtrace gives substitutions,
deletions and insertions; a *lost passage* is a run of >= 5 consecutive reference words all
deleted; an *invented word* is a word output where the reference has none (an insertion; for a
case with no speech, every word output).

One piece: the cases, the audio they are made of and the scoring that reads them are one
evaluation set; the texts and builders are data, and split apart they would only send a reader
between files to learn what a case name means.

API:
    CASES: dict name -> builder (each builder returns a Case)
    build(name) -> Case;  build_all(names=None) -> list[Case]
    align(ref_words, hyp_words) -> list[Op];  lost_passages(ops, min_words=5) -> list[list[str]]
    score(reference, hypothesis, is_speech=True) -> dict
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, field

import numpy as np

from captioner.testing.speech import (
    GOFORWARD_RAW,
    GOFORWARD_TEXT,
    espeak_samples,
    librivox,
    normalise,
    read_wav,
    silence,
    wer,
)

RATE = 16000
FULL_SCALE = 32768.0
#: espeak output louder than this (int16) counts as audible when trimming and finding spans.
AUDIBLE = 300

Span = tuple[int, int]


@dataclass(frozen=True)
class Case:
    name: str
    description: str
    is_speech: bool
    samples: np.ndarray  # 16 kHz int16 mono
    reference: str  # '' for non-speech
    spans: list[Span] = field(default_factory=list)  # speech (begin_ms, end_ms), where known

    @property
    def seconds(self) -> float:
        return len(self.samples) / RATE

    @property
    def reference_words(self) -> int:
        return len(normalise(self.reference))


# -- Texts ------------------------------------------------------------------------------------------

TALE_OF_TWO_CITIES = (
    "It was the best of times, it was the worst of times, it was the age of wisdom, it was the age "
    "of foolishness, it was the epoch of belief, it was the epoch of incredulity, it was the season "
    "of Light, it was the season of Darkness, it was the spring of hope, it was the winter of "
    "despair, we had everything before us, we had nothing before us, we were all going direct to "
    "Heaven, we were all going direct the other way, in short, the period was so far like the "
    "present period, that some of its noisiest authorities insisted on its being received, for "
    "good or for evil, in the superlative degree of comparison only."
)

#: Public-domain prose read in one espeak call (the Gettysburg Address, the openings of Pride and
#: Prejudice and Moby-Dick, the Declaration of Independence): only espeak's own sentence and
#: clause pauses, all under 0.5 s.
RUN_ON = (
    "Four score and seven years ago our fathers brought forth on this continent, a new nation, "
    "conceived in Liberty, and dedicated to the proposition that all men are created equal. Now we "
    "are engaged in a great civil war, testing whether that nation, or any nation so conceived and "
    "so dedicated, can long endure. We are met on a great battlefield of that war. We have come to "
    "dedicate a portion of that field, as a final resting place for those who here gave their lives "
    "that that nation might live. It is altogether fitting and proper that we should do this. But, "
    "in a larger sense, we cannot dedicate, we cannot consecrate, we cannot hallow this ground. The "
    "brave men, living and dead, who struggled here, have consecrated it, far above our poor power "
    "to add or detract. The world will little note, nor long remember what we say here, but it can "
    "never forget what they did here. It is for us the living, rather, to be dedicated here to the "
    "unfinished work which they who fought here have thus far so nobly advanced. It is rather for us "
    "to be here dedicated to the great task remaining before us, that from these honored dead we "
    "take increased devotion to that cause for which they gave the last full measure of devotion, "
    "that we here highly resolve that these dead shall not have died in vain, that this nation, "
    "under God, shall have a new birth of freedom, and that government of the people, by the "
    "people, for the people, shall not perish from the earth. "
    "It is a truth universally acknowledged, that a single man in possession of a good fortune, "
    "must be in want of a wife. However little known the feelings or views of such a man may be on "
    "his first entering a neighborhood, this truth is so well fixed in the minds of the surrounding "
    "families, that he is considered the rightful property of some one or other of their daughters. "
    "Call me Ishmael. Some years ago, never mind how long precisely, having little or no money in "
    "my purse, and nothing particular to interest me on shore, I thought I would sail about a little "
    "and see the watery part of the world. It is a way I have of driving off the spleen and "
    "regulating the circulation. Whenever I find myself growing grim about the mouth, whenever it "
    "is a damp, drizzly November in my soul, whenever I find myself involuntarily pausing before "
    "coffin warehouses, and bringing up the rear of every funeral I meet, then, I account it high "
    "time to get to sea as soon as I can. This is my substitute for pistol and ball. With a "
    "philosophical flourish Cato throws himself upon his sword, I quietly take to the ship. There is "
    "nothing surprising in this. If they but knew it, almost all men in their degree, some time or "
    "other, cherish very nearly the same feelings towards the ocean with me. "
    "We hold these truths to be self-evident, that all men are created equal, that they are endowed "
    "by their Creator with certain unalienable Rights, that among these are Life, Liberty and the "
    "pursuit of Happiness. That to secure these rights, Governments are instituted among Men, "
    "deriving their just powers from the consent of the governed."
)

SENTENCES = [
    "The meeting will start in five minutes.",
    "Please open the quarterly report on your screen.",
    "Our sales grew faster than we expected this spring.",
    "The new office opens next month near the river.",
    "Everyone should bring a laptop to the workshop.",
    "We will take a short break after the second talk.",
    "The train to the city leaves from platform two.",
    "Could you send me the slides before lunch?",
]

COMMANDS = ["yes", "stop", "no", "next slide", "previous slide", "go back", "start recording", "pause"]

VOICES = ["en-us", "en+f3", "en-gb", "en-us+m3", "en-gb+f2"]


# -- Sound makers -----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _espeak(text: str, voice: str, speed: int) -> bytes:
    return espeak_samples(text, voice, speed).tobytes()


def speak(text: str, voice: str = "en-us", speed: int = 150, trim: bool = True) -> np.ndarray:
    """espeak-ng speech (cached in memory), trimmed to where it is audible."""
    x = np.frombuffer(_espeak(text, voice, speed), dtype="<i2")
    if trim:
        loud = np.flatnonzero(np.abs(x.astype(np.int32)) > AUDIBLE)
        x = x[loud[0] : loud[-1] + 1] if loud.size else x
    return x.copy()


def speech_spans(x: np.ndarray, offset_ms: int = 0, bridge_ms: int = 300) -> list[Span]:
    """Audible stretches of a clean signal (10 ms blocks above AUDIBLE), gaps < bridge_ms joined."""
    blocks = len(x) // 160
    loud = np.abs(x[: blocks * 160].astype(np.int32)).reshape(blocks, 160).max(axis=1) > AUDIBLE
    spans: list[list[int]] = []
    for i in np.flatnonzero(loud):
        b, e = int(i) * 10, int(i) * 10 + 10
        if spans and b - spans[-1][1] < bridge_ms:
            spans[-1][1] = e
        else:
            spans.append([b, e])
    return [(b + offset_ms, e + offset_ms) for b, e in spans]


def longest_pause_ms(x: np.ndarray) -> int:
    """The longest inaudible stretch inside a clean signal (between its first and last sound)."""
    spans = speech_spans(x, bridge_ms=0)
    return max((b - e for (_, e), (b, _) in itertools.pairwise(spans)), default=0)


def sequence(parts: list) -> tuple[np.ndarray, str, list[Span]]:
    """Join parts into one signal: int = silence (ms); (text, voice, speed) = espeak speech;
    (samples, text) = recorded speech. Returns samples, reference text, speech spans."""
    chunks, texts, spans, pos = [], [], [], 0
    for part in parts:
        if isinstance(part, int):
            chunk = silence(part)
        elif isinstance(part[0], str):
            text, voice, speed = part
            chunk = speak(text, voice, speed)
            texts.append(text)
            spans += speech_spans(chunk, pos * 1000 // RATE)
        else:
            chunk, text = part
            texts.append(text)
            spans.append((pos * 1000 // RATE, (pos + len(chunk)) * 1000 // RATE))
        chunks.append(np.asarray(chunk, dtype="<i2"))
        pos += len(chunk)
    return np.concatenate(chunks), " ".join(texts), spans


def to_int16(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(x), -32768, 32767).astype("<i2")


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.asarray(x, dtype=np.float64) ** 2))) if len(x) else 0.0


def dbfs(level_db: float) -> float:
    """RMS in int16 units for a level in dBFS (RMS relative to full scale, 32768)."""
    return FULL_SCALE * 10 ** (level_db / 20)


def speech_of(x: np.ndarray, spans: list[Span]) -> np.ndarray:
    return np.concatenate([x[b * 16 : e * 16] for b, e in spans])


def band(x: np.ndarray, low_hz: float, high_hz: float, rate: int = RATE) -> np.ndarray:
    """Brick-wall band-pass in the frequency domain (float64 out)."""
    spectrum = np.fft.rfft(np.asarray(x, dtype=np.float64))
    f = np.fft.rfftfreq(len(x), 1 / rate)
    spectrum[(f < low_hz) | (f > high_hz)] = 0
    return np.fft.irfft(spectrum, len(x))


def white(n: int, rng: np.random.Generator) -> np.ndarray:
    return rng.standard_normal(n)


def pink(n: int, rng: np.random.Generator) -> np.ndarray:
    """1/f noise (power falls 3 dB an octave), unit RMS."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / RATE)
    spectrum[1:] /= np.sqrt(f[1:] / f[1])
    spectrum[0] = 0
    y = np.fft.irfft(spectrum, n)
    return y / rms(y)


def babble_like(n: int, rng: np.random.Generator, talkers: int = 6) -> np.ndarray:
    """Speech-shaped noise (spectrum peaking at 300-1000 Hz, -6 dB/octave above) modulated by
    `talkers` independent syllable-rate (3-6 Hz) on/off envelopes: babble's spectrum and rhythm,
    with no words in it. Unit RMS."""
    f = np.fft.rfftfreq(n, 1 / RATE)
    shape = np.where(f < 300, (f / 300) ** 2, np.where(f < 1000, 1.0, 1000 / np.maximum(f, 1)))
    shape[f > 7000] = 0
    y = np.zeros(n)
    for _ in range(talkers):
        voice = np.fft.irfft(np.fft.rfft(rng.standard_normal(n)) * shape, n)
        gates = rng.random(int(n / RATE * rng.uniform(3, 6)) + 2) < 0.6
        env = np.repeat(gates.astype(float), n // (len(gates) - 1) + 1)[:n]
        env = np.convolve(env, np.hanning(1600) / np.hanning(1600).sum(), mode="same")
        y += voice * env
    return y / rms(y)


def fade(x: np.ndarray, ms: int = 50) -> np.ndarray:
    n = min(len(x) // 2, ms * 16)
    ramp = np.linspace(0, 1, n)
    x = np.asarray(x, dtype=np.float64).copy()
    x[:n] *= ramp
    x[len(x) - n :] *= ramp[::-1]
    return x


def add_noise(x: np.ndarray, spans: list[Span], snr_db: float, noise: np.ndarray) -> np.ndarray:
    """Noise over the whole signal at snr_db relative to the mean power of the speech spans."""
    sigma = rms(speech_of(x, spans)) / 10 ** (snr_db / 20)
    return to_int16(x.astype(np.float64) + noise[: len(x)] / rms(noise) * sigma)


def telephone(x: np.ndarray) -> np.ndarray:
    """Down to 8 kHz, 300-3400 Hz band, back up to 16 kHz (what a phone line leaves)."""
    import soxr

    narrow = soxr.resample(x.astype(np.float32), RATE, 8000)
    narrow = band(narrow, 300, 3400, rate=8000)
    return to_int16(soxr.resample(narrow.astype(np.float32), 8000, RATE))


def _tone(freq: float, seconds: float, harmonics=(1.0, 0.5, 0.33, 0.25, 0.2)) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return sum(a * np.sin(2 * np.pi * freq * (k + 1) * t) for k, a in enumerate(harmonics))


def _envelope(n: int, attack_ms: int = 15, release_ms: int = 120) -> np.ndarray:
    env = np.ones(n)
    a, r = min(n, attack_ms * 16), min(n, release_ms * 16)
    env[:a] = np.linspace(0, 1, a)
    env[n - r :] *= np.linspace(1, 0, r)
    return env * np.exp(-np.arange(n) / (0.8 * RATE))


def music(seconds: float = 20.0, seed: int = 7) -> np.ndarray:
    """A pop-like loop: C-G-Am-F chords (harmonic tones), a pentatonic melody in eighth notes,
    kick / snare / hi-hat drums at 100 bpm. -20 dBFS RMS."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    y = np.zeros(n + RATE)
    beat = 60 / 100
    chords = [(261.6, 329.6, 392.0), (196.0, 246.9, 293.7), (220.0, 261.6, 329.6), (174.6, 220.0, 261.6)]
    bar = 4 * beat
    for i in range(int(seconds / bar) + 1):
        start = int(i * bar * RATE)
        for f in chords[i % 4]:
            tone = _tone(f, bar) * _envelope(int(bar * RATE), 30, 300) * 0.25
            y[start : start + len(tone)] += tone[: len(y) - start]
        tone = _tone(chords[i % 4][0] / 2, bar, (1.0, 0.3)) * _envelope(int(bar * RATE), 10, 200) * 0.4
        y[start : start + len(tone)] += tone[: len(y) - start]
    scale = [523.3, 587.3, 659.3, 784.0, 880.0, 1046.5]
    for k in range(int(seconds / (beat / 2))):
        if rng.random() < 0.2:
            continue
        start = int(k * beat / 2 * RATE)
        note = _tone(scale[rng.integers(len(scale))], beat / 2, (1.0, 0.4, 0.2))
        note *= _envelope(int(beat / 2 * RATE), 5, 60)
        y[start : start + len(note)] += 0.35 * note
    for k in range(int(seconds / (beat / 2))):
        start = int(k * beat / 2 * RATE)
        t = np.arange(int(0.25 * RATE)) / RATE
        if k % 2 == 0 and (k // 2) % 2 == 0:  # kick on 1 and 3
            sweep = np.sin(2 * np.pi * np.cumsum(50 + 70 * np.exp(-t * 30)) / RATE) * np.exp(-t * 12)
            y[start : start + len(sweep)] += 1.2 * sweep
        if k % 2 == 0 and (k // 2) % 2 == 1:  # snare on 2 and 4
            snare = band(rng.standard_normal(len(t)), 1000, 7000) * 0.6 + np.sin(2 * np.pi * 200 * t)
            snare *= np.exp(-t * 25)
            y[start : start + len(snare)] += 0.6 * snare
        hat = band(rng.standard_normal(480), 6000, 8000) * np.exp(-np.arange(480) / 100)
        y[start : start + 480] += 0.5 * hat
    y = fade(y[:n], 100)
    return to_int16(y / rms(y) * dbfs(-20))


# -- The cases ------------------------------------------------------------------------------------


def _librivox_parts(indices=range(5)) -> list:
    recs = librivox()
    return [(read_wav(recs[i].path), recs[i].text) for i in indices]


def clean() -> Case:
    recs = [*_librivox_parts(), (np.fromfile(GOFORWARD_RAW, dtype="<i2"), GOFORWARD_TEXT)]
    parts: list = [300]
    for rec in recs:
        parts += [rec, 1500]
    x, text, spans = sequence(parts)
    return Case("clean", "LibriVox x5 + goforward (real read speech), 1.5 s silence after each, as bench/accuracy.py",
                True, x, text, spans)  # fmt: skip


def tale() -> Case:
    x, text, spans = sequence([300, (TALE_OF_TWO_CITIES, "en-us", 150), 1500])
    return Case("tale", "A Tale of Two Cities, opening paragraph: repetitive text in one breath (espeak en-us -s 150)",
                True, x, text, spans)  # fmt: skip


def run_on() -> Case:
    x, text, spans = sequence([300, (RUN_ON, "en-gb", 150), 1500])
    return Case("run_on", "3.3 min of continuous reading, one espeak call (en-gb -s 150): Gettysburg Address, "
                "Pride and Prejudice, Moby-Dick, Declaration of Independence; only espeak's own pauses (< 0.5 s)",
                True, x, text, spans)  # fmt: skip


def _paced(text: str, voice: str, pattern: str) -> tuple[np.ndarray, str, list[Span]]:
    """The same text, voice and speed read in pieces with 1.5 s pauses: the baseline that
    shows what continuous reading itself costs."""
    pieces = [p.strip() for p in re.split(pattern, text) if p.strip()]
    parts: list = [300]
    for piece in pieces:
        parts += [(piece, voice, 150), 1500]
    return sequence(parts)


def tale_paced() -> Case:
    x, text, spans = _paced(TALE_OF_TWO_CITIES, "en-us", r"(?<=[,.;]) ")
    return Case("tale_paced", "tale's text, voice and speed, one clause at a time with 1.5 s pauses (its baseline)",
                True, x, text, spans)  # fmt: skip


def run_on_paced() -> Case:
    x, text, spans = _paced(RUN_ON, "en-gb", r"(?<=[.!?]) ")
    return Case("run_on_paced", "run_on's text, voice and speed, a sentence at a time with 1.5 s pauses (its baseline)",
                True, x, text, spans)  # fmt: skip


def pauses() -> Case:
    gaps = [300, 2500, 300, 4000, 300, 3000, 300]
    parts: list = [300]
    for i, sentence in enumerate(SENTENCES):
        parts.append((sentence, VOICES[i % 3], 150))
        parts.append(gaps[i] if i < len(gaps) else 1500)
    x, text, spans = sequence(parts)
    description = "8 sentences, 3 voices, alternating 300 ms and 2.5-4 s pauses between them"
    return Case("pauses", description, True, x, text, spans)


def fast() -> Case:
    parts: list = [300]
    for i, sentence in enumerate(SENTENCES[:6]):
        parts += [(sentence, ["en-us", "en+f3"][i % 2], 240), 600]
    parts.append(900)
    x, text, spans = sequence(parts)
    return Case("fast", "6 sentences at 240 wpm (espeak en-us / en+f3), 600 ms apart", True, x, text, spans)


def quiet() -> Case:
    parts: list = [300]
    for i, rec in enumerate(_librivox_parts([0, 3])):
        parts += [rec, 1000, (SENTENCES[i], ["en-gb", "en+f3"][i], 150), 1000]
    x, text, spans = sequence(parts)
    y = x.astype(np.float64) * dbfs(-30) / rms(speech_of(x, spans))
    return Case("quiet", "2 LibriVox + 2 espeak sentences scaled so the RMS over the speech spans is -30 dBFS "
                "(peaks at -10.7 dBFS)", True, to_int16(y), text, spans)  # fmt: skip


def _noisy_base() -> tuple[np.ndarray, str, list[Span]]:
    parts: list = [500]
    recs = _librivox_parts([0, 1, 4])
    for i, rec in enumerate(recs):
        parts += [rec, 800, (SENTENCES[4 + i], VOICES[i], 150), 800]
    return sequence(parts)


def noise_10db() -> Case:
    x, text, spans = _noisy_base()
    y = add_noise(x, spans, 10, pink(len(x), np.random.default_rng(10)))
    return Case("noise_10db", "3 LibriVox + 3 espeak sentences in pink noise at 10 dB SNR (speech-span power), seed 10",
                True, y, text, spans)  # fmt: skip


def noise_5db() -> Case:
    x, text, spans = _noisy_base()
    y = add_noise(x, spans, 5, pink(len(x), np.random.default_rng(5)))
    return Case("noise_5db", "the same 6 sentences in pink noise at 5 dB SNR, seed 5", True, y, text, spans)


def music_only() -> Case:
    return Case("music", "20 s synthesised music: harmonic chords, melody, kick/snare/hi-hat, -20 dBFS RMS",
                False, music(20.0, seed=7), "", [])  # fmt: skip


def noise_only() -> Case:
    rng = np.random.default_rng(3)
    n = 7 * RATE
    y = np.concatenate([silence(500), fade(white(n, rng)) * dbfs(-35), silence(500), fade(pink(n, rng)) * dbfs(-25),
                        silence(500), fade(babble_like(n, rng)) * dbfs(-25), silence(500)])  # fmt: skip
    return Case("noise_only", "7 s each of white (-35 dBFS), pink (-25 dBFS) and babble-like speech-shaped "
                "syllable-modulated noise (-25 dBFS), seed 3", False, to_int16(y), "", [])  # fmt: skip


def clicks_breaths(seconds: float = 20.0, seed: int = 11) -> Case:
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    y = rng.standard_normal(n) * dbfs(-75)  # a faint noise floor, not digital zero
    for t in np.sort(rng.uniform(0.3, seconds - 0.3, 14)):
        start, width = int(t * RATE), int(rng.integers(8, 48))  # 0.5-3 ms decaying impulse
        click = rng.choice([-1, 1]) * rng.uniform(0.3, 0.9) * FULL_SCALE * np.exp(-np.arange(width) / (width / 4))
        y[start : start + width] += click
    for t in rng.uniform(0.5, seconds - 1.5, 7):
        length = int(rng.uniform(0.5, 0.9) * RATE)
        burst = band(rng.standard_normal(length), 300, 2500) * np.sin(np.linspace(0, np.pi, length)) ** 2
        start = int(t * RATE)
        y[start : start + length] += burst / rms(burst) * dbfs(rng.uniform(-40, -32))
    return Case("clicks_breaths", "20 s near-silence (-75 dBFS floor) with 14 clicks (0.5-3 ms impulses) and 7 "
                "breath-like bursts (300-2500 Hz noise, sin^2 envelope, 0.5-0.9 s, -40..-32 dBFS), seed 11",
                False, to_int16(y), "", [])  # fmt: skip


def telephone_band() -> Case:
    parts: list = [300]
    for i, rec in enumerate(_librivox_parts([2, 4])):
        parts += [rec, 1000, (SENTENCES[6 + i], ["en-us+m3", "en-gb+f2"][i], 150), 1000]
    x, text, spans = sequence(parts)
    return Case("telephone", "2 LibriVox + 2 espeak sentences through a phone line: 8 kHz, 300-3400 Hz, back to 16 kHz",
                True, telephone(x), text, spans)  # fmt: skip


def commands() -> Case:
    parts: list = [500]
    for i, command in enumerate(COMMANDS):
        parts += [(command, VOICES[i % len(VOICES)], 150), 2000]
    x, text, spans = sequence(parts)
    description = f"{len(COMMANDS)} short commands (5 voices), 2 s of silence after each"
    return Case("commands", description, True, x, text, spans)


def reconnect() -> Case:
    """The tail of a word (64 ms) at the very start, as a reconnect replay can leave it, then clean speech."""
    tail = speak("tomorrow", "en-us", 150)[-64 * 16 :]
    x, text, spans = sequence([(tail, ""), 1200, (SENTENCES[0], "en-us", 150), 800,
                               (SENTENCES[2], "en+f3", 150), 800, (SENTENCES[7], "en-gb", 150), 1500])  # fmt: skip
    return Case("reconnect", "a 64 ms fragment (the tail of 'tomorrow') at 0 s, 1.2 s silence, then 3 clean sentences; "
                "the reference is only the sentences", True, x, text.strip(), spans[1:])  # fmt: skip


def reversed_speech() -> Case:
    """Speech played backwards: a voice, its pitch and rhythm, and no words. A stress test of
    the no-speech guard, since the VAD rightly hears a voice; not a case to tune against."""
    recs = _librivox_parts([0, 3])
    parts = [silence(300)] + [r[0][::-1] for r in recs]
    parts += [speak(s, v, 150)[::-1] for s, v in zip(SENTENCES[:2], VOICES, strict=False)] + [silence(1500)]
    return Case("reversed_speech", "2 LibriVox + 2 espeak sentences played backwards: a voice with no words "
                "(stress test of the no-speech guard)", False, np.concatenate(parts), "", [])  # fmt: skip


CASES = {
    "clean": clean,
    "tale": tale,
    "tale_paced": tale_paced,
    "run_on": run_on,
    "run_on_paced": run_on_paced,
    "pauses": pauses,
    "fast": fast,
    "quiet": quiet,
    "noise_10db": noise_10db,
    "noise_5db": noise_5db,
    "music": music_only,
    "noise_only": noise_only,
    "clicks_breaths": clicks_breaths,
    "telephone": telephone_band,
    "commands": commands,
    "reconnect": reconnect,
    "reversed_speech": reversed_speech,
}


@functools.cache
def build(name: str) -> Case:
    return CASES[name]()


def build_all(names: list[str] | None = None) -> list[Case]:
    return [build(n) for n in (names or CASES)]


# -- Scoring --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Op:
    """One step of an alignment: 'ok', 'sub', 'del' (reference word missing), 'ins' (invented)."""

    kind: str
    ref: str | None
    hyp: str | None


def align(ref: list[str], hyp: list[str]) -> list[Op]:
    """Levenshtein alignment of two word lists with backtrace (unit costs; on ties a match or
    substitution is preferred, then a deletion)."""
    n, m = len(ref), len(hyp)
    d = [list(range(m + 1))]
    for i in range(1, n + 1):
        r, prev, row = ref[i - 1], d[i - 1], [i] + [0] * m
        for j in range(1, m + 1):
            row[j] = min(prev[j - 1] + (r != hyp[j - 1]), prev[j] + 1, row[j - 1] + 1)
        d.append(row)
    ops: list[Op] = []
    i, j = n, m
    while i or j:
        if i and j and d[i][j] == d[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]):
            ops.append(Op("ok" if ref[i - 1] == hyp[j - 1] else "sub", ref[i - 1], hyp[j - 1]))
            i, j = i - 1, j - 1
        elif i and d[i][j] == d[i - 1][j] + 1:
            ops.append(Op("del", ref[i - 1], None))
            i -= 1
        else:
            ops.append(Op("ins", None, hyp[j - 1]))
            j -= 1
    return ops[::-1]


def lost_passages(ops: list[Op], min_words: int = 5) -> list[list[str]]:
    """Runs of >= min_words consecutive reference words that were all deleted (insertions in
    between do not end a run: they are no reference word; a match or substitution does)."""
    runs: list[list[str]] = []
    current: list[str] = []
    for op in ops:
        if op.kind == "del" and op.ref is not None:  # a deletion always has its reference word
            current.append(op.ref)
        elif op.kind in ("ok", "sub"):
            if len(current) >= min_words:
                runs.append(current)
            current = []
    if len(current) >= min_words:
        runs.append(current)
    return runs


def score(reference: str, hypothesis: str, is_speech: bool = True) -> dict:
    """WER (captioner.testing.speech.wer; None without reference words), the alignment's counts, lost
    passages (runs of >= 5 deleted reference words) and invented words: insertions for speech,
    every output word for non-speech."""
    ref, hyp = normalise(reference), normalise(hypothesis)
    return scored(ref, hyp, " ", is_speech, wer(reference, hypothesis) if ref else None)


def scored(ref: list[str], hyp: list[str], joiner: str, is_speech: bool, error_rate: float | None = None) -> dict:
    """The report of `score` for reference and output already cut into units (words, or
    corpus_zh's characters); `error_rate` None: the alignment's errors per reference unit."""
    ops = align(ref, hyp)
    count = {k: sum(op.kind == k for op in ops) for k in ("ok", "sub", "del", "ins")}
    lost = lost_passages(ops)
    if error_rate is None and ref:
        error_rate = (count["sub"] + count["del"] + count["ins"]) / len(ref)
    return {
        "reference_words": len(ref),
        "output_words": len(hyp),
        "wer": round(error_rate, 4) if error_rate is not None else None,
        "substitutions": count["sub"],
        "deletions": count["del"],
        "insertions": count["ins"],
        "lost_passages": len(lost),
        "lost_words": sum(len(run) for run in lost),
        "lost": [joiner.join(run) for run in lost],
        "invented_words": count["ins"] if is_speech else len(hyp),
        "inserted": [op.hyp for op in ops if op.kind == "ins"],
    }
