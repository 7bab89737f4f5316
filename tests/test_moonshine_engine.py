"""The Moonshine engine on real speech: words, sentence breaks, silence, word times, partials
that stream, offline; and its word-timing and invention guards on their own."""

from __future__ import annotations

import asyncio
import itertools
import sys
from pathlib import Path

import numpy as np
import pytest

from captioner.audio.frames import FrameCutter
from captioner.errors import ModelError
from captioner.events import Sentence, Usage
from captioner.recognition.local.languages import UnsupportedLanguageError
from captioner.recognition.local.moonshine import (
    INSTALL,
    PARTIAL_EVERY_MS,
    MoonshineCannotDoError,
    MoonshineModel,
    MoonshineRecognizer,
)
from captioner.recognition.local.moonshine_text import believable, timed_words, words_of
from captioner.settings import RecognitionSettings
from captioner.testing.listen import recognise
from captioner.testing.speech import (
    GOFORWARD_RAW,
    GOFORWARD_TEXT,
    Utterance,
    check_sentences,
    librivox,
    read_speech,
    read_wav,
    silence,
    utterances,
    wer,
)


@pytest.fixture(scope="module")
def recognizer() -> MoonshineRecognizer:
    engine = MoonshineRecognizer()
    asyncio.run(engine.prepare())
    return engine


# Word times and the invention guard, alone ----------------------------------------------


def test_word_times_share_the_speech_and_skip_its_pauses() -> None:
    words = timed_words("Good morning, everyone. See you", 1000, 4000, pauses=((2000, 2600),))
    assert [(w.text, w.punctuation) for w in words] == [
        ("Good", ""),
        ("morning", ","),
        ("everyone", "."),
        ("See", ""),
        ("you", ""),
    ]
    assert words[0].begin_ms == 1000 and words[-1].end_ms == 4000
    previous = 1000
    for w in words:
        assert previous <= w.begin_ms < w.end_ms <= 4000
        assert not (2000 < w.begin_ms < 2600) and not (2000 < w.end_ms < 2600), w
        previous = w.end_ms


def test_partials_bound_word_ends() -> None:
    """A partial whose audio ended at 1500 ms showed 'one two': both ended by then, and the
    partial at 1200 ms that showed only 'one' means 'two' had not ended by 1200."""
    text = "one two three four five six seven eight"
    seen = [(1200, ["one"]), (1500, ["one", "two"]), (2600, ["one", "two", "threw"])]
    words = timed_words(text, 1000, 5000, seen=seen)
    assert words[1].end_ms <= 1500  # without the bound: 1000 + 4000 * 8/47 = 1681
    assert words[1].end_ms >= 1200
    # 'threw' is not 'three': the third partial bounds nothing beyond 'two'.
    assert words[2].end_ms > 1500
    assert words[-1].end_ms == 5000


def test_a_stock_word_needs_speech_to_back_it() -> None:
    assert believable("You", voiced_ms=96, mean_probability=0.9) == ""
    assert believable("You", voiced_ms=400, mean_probability=0.6) == ""  # unclear speech
    assert believable("You.", voiced_ms=400, mean_probability=0.9) == "You."
    assert believable("?", voiced_ms=2000, mean_probability=0.9) == ""
    assert believable(" Turn left. ", voiced_ms=300, mean_probability=0.6) == "Turn left."
    assert words_of("It's ill-disposed, Mr. Dashwood!") == ["it's", "illdisposed", "mr", "dashwood"]


# Loading and languages -------------------------------------------------------------------


def test_a_folder_without_the_model_says_how_to_get_it(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as caught:
        MoonshineModel.load(tmp_path)
    assert str(tmp_path) in str(caught.value) and INSTALL in str(caught.value)
    assert INSTALL == "pip install moonshine-voice==0.1.0"


async def test_the_recognizer_reports_a_missing_model_when_preparing(tmp_path: Path) -> None:
    with pytest.raises(ModelError):
        await MoonshineRecognizer(tmp_path).prepare()


async def test_another_language_is_refused_with_what_it_knows(recognizer: MoonshineRecognizer) -> None:
    with pytest.raises(UnsupportedLanguageError, match="English only"):
        await recognizer.start(RecognitionSettings(language_hints=("zh",)))
    # Paraformer's default ["zh", "en"] includes English, which this engine serves.
    session = await recognizer.start(RecognitionSettings(model="paraformer-realtime-v2", language_hints=("zh", "en")))
    await session.aclose()
    assert recognizer.describe()["streaming"] is True
    assert recognizer.describe()["catalog"] == "moonshine-tiny.en"
    with pytest.raises(MoonshineCannotDoError, match="cannot translate"):
        recognizer.check(RecognitionSettings(translation_target="zh"))
    # Named explicitly, Moonshine refuses hot words ('local' sends such a task to whisper).
    with pytest.raises(MoonshineCannotDoError, match="takes no hot words.*'local'"):
        await recognizer.start(RecognitionSettings(hot_words=("Zorvexa",)))


# Real speech -----------------------------------------------------------------------------


@pytest.mark.slow
async def test_read_speech_is_recognised_one_final_per_sentence(recognizer: MoonshineRecognizer) -> None:
    samples, clips = read_speech()  # five LibriVox sentences and goforward
    run = await recognise(recognizer, samples)
    reference = " ".join(c.text for c in clips)
    error = wer(reference, run.text)
    print(f"WER {error:.3f}; metrics {run.metrics}; {run.text}")
    # Measured 0.07 (Moonshine tiny, AMD EPYC): "ill-sposed", "cold-hearted" as one word...
    # Margin: about five more wrong words of the 75.
    assert error <= 0.15
    assert len(run.finals) == len(clips)
    assert [s.sentence_id for s in run.finals] == list(range(1, len(clips) + 1))
    usages = [e.duration_s for e in run.events if isinstance(e, Usage)]
    assert len(usages) == len(run.finals) and usages == sorted(usages)


def real_sentences(pause_ms: int) -> tuple[np.ndarray, list[Utterance]]:
    """Two recorded sentences (LibriVox, then "go forward ten meters") with a pause between,
    and where each one's speech lies."""
    first, second = read_wav(librivox()[1].path), np.fromfile(GOFORWARD_RAW, dtype="<i2")
    parts = [silence(300), first, silence(pause_ms), second, silence(1500)]
    spans, position = [], 0
    for part, text in zip(parts, [None, librivox()[1].text, None, GOFORWARD_TEXT, None], strict=True):
        if text is not None:
            loud = np.flatnonzero(np.abs(part.astype(np.int32)) > 300)
            spans.append(Utterance(text, (position + loud[0]) // 16, (position + loud[-1]) // 16))
        position += len(part)
    return np.concatenate(parts), spans


@pytest.mark.slow
@pytest.mark.parametrize(
    ("pause_ms", "max_sentence_silence", "sentences"),
    [(2500, 1300, 2), (500, 1300, 1), (900, 500, 2)],
)
async def test_pauses_split_sentences_as_max_sentence_silence_says(
    recognizer: MoonshineRecognizer, pause_ms: int, max_sentence_silence: int, sentences: int
) -> None:
    samples, spans = real_sentences(pause_ms)
    run = await recognise(recognizer, samples, RecognitionSettings(max_sentence_silence=max_sentence_silence))
    assert len(run.finals) == sentences, run.finals
    check_sentences(spans, run.finals, max_wer=0.25)


@pytest.mark.slow
@pytest.mark.parametrize("noise_threshold", [None, -1.0])
@pytest.mark.parametrize("kind", ["silence", "white noise"])
async def test_silence_and_noise_yield_no_text(
    recognizer: MoonshineRecognizer, kind: str, noise_threshold: float | None
) -> None:
    """At -1 the VAD lets noise through, so the engine's own guard is what is tested
    (Moonshine alone writes "You" for both)."""
    rng = np.random.default_rng(7)
    samples = silence(3000) if kind == "silence" else (rng.standard_normal(16 * 3000) * 0.1 * 32767).astype("<i2")
    run = await recognise(recognizer, samples, RecognitionSettings(speech_noise_threshold=noise_threshold))
    assert not [e for e in run.events if isinstance(e, (Sentence, Usage))]


@pytest.mark.slow
async def test_partials_follow_speech_and_word_times_lie_in_it(recognizer: MoonshineRecognizer) -> None:
    """Paced like a microphone. The 700 ms pause inside the first sentence does not end it
    at 800 ms max_sentence_silence (its early final is thrown away)."""
    texts = ["Please remember to bring the blue folder", "to the meeting tomorrow morning.", "Thank you."]
    samples, spans = utterances([400, texts[0], 700, texts[1], 1600, texts[2], 1600])
    sentences = [(spans[0].begin_ms, spans[1].end_ms), (spans[2].begin_ms, spans[2].end_ms)]
    run = await recognise(recognizer, samples, RecognitionSettings(max_sentence_silence=800), realtime=True)
    assert [s.sentence_id for s in run.finals] == [1, 2]
    check_sentences(spans, run.finals, max_wer=0.2)
    tolerance = 150
    for final, (begin_ms, end_ms) in zip(run.finals, sentences, strict=True):
        assert begin_ms - tolerance <= final.begin_ms < final.end_ms <= end_ms + 300 + tolerance
        assert final.words and final.begin_ms == final.words[0].begin_ms and final.end_ms == final.words[-1].end_ms
        previous_end = final.begin_ms
        for word in final.words:
            assert previous_end <= word.begin_ms < word.end_ms <= end_ms + 300 + tolerance
            previous_end = word.end_ms
    in_pause = [w for w in run.finals[0].words if spans[0].end_ms + 100 < w.begin_ms < spans[1].begin_ms - 100]
    assert not in_pause
    # Word by word: partials of the first sentence come at least every PARTIAL_EVERY_MS
    # of speech when the CPU keeps up, each hearing further, and they grow.
    first = [s for s in run.partials if s.sentence_id == 1]
    heard = [s.end_ms for s in first]
    # Each hears further, but for the early decode at the pause: it ends on the VAD's 32 ms
    # window where the speech stopped, and on a loaded machine it can come after an open
    # partial that reached the next 100 ms frame (5000, then 4992).
    assert all(b >= a - 100 for a, b in itertools.pairwise(heard)), heard
    assert all(s.begin_ms == first[0].begin_ms for s in first)
    speech_ms = spans[1].end_ms - spans[0].begin_ms
    keeping_up = float(str(run.metrics["rtf"])) < 0.5
    assert len(first) >= (speech_ms // (4 * PARTIAL_EVERY_MS) if keeping_up else 1), (speech_ms, first)
    assert len(words_of(first[-1].text)) > len(words_of(first[0].text))
    print(run.metrics, [(s.end_ms, s.text) for s in first])


@pytest.mark.slow
async def test_a_hole_in_the_frame_clock_keeps_times_on_the_session_clock(recognizer: MoonshineRecognizer) -> None:
    first, said_first = utterances([300, "Good morning everyone.", 700])
    second, said_second = utterances([300, "See you all tomorrow.", 1000])
    frames = FrameCutter().push(first.tobytes())
    later = FrameCutter(start_samples=16 * 60_000)
    frames += later.push(second.tobytes()) + later.flush()
    run = await recognise(recognizer, np.zeros(0), frames=frames)
    assert len(run.finals) == 2
    assert wer("good morning everyone see you all tomorrow", run.text) <= 0.2
    # Within a 32 ms VAD window or so of where the speech is, on the session clock.
    assert said_first[0].end_ms - 300 < run.finals[0].end_ms <= said_first[0].end_ms + 150
    assert 60_000 + said_second[0].begin_ms - 150 <= run.finals[1].begin_ms < 60_000 + said_second[0].begin_ms + 300
    assert run.finals[1].end_ms <= 60_000 + said_second[0].end_ms + 150


@pytest.mark.slow
async def test_aclose_abandons_without_a_final(recognizer: MoonshineRecognizer) -> None:
    samples, _ = utterances([300, "This sentence is never finished by the engine."])
    session = await recognizer.start(RecognitionSettings())
    for frame in FrameCutter().push(samples.tobytes()):
        await session.push(frame)
    await session.aclose()
    events = [e async for e in session.events()]
    assert not [e for e in events if isinstance(e, Sentence) and e.final]


# Offline ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_it_runs_offline_and_writes_nothing_outside_our_folders(tmp_path: Path, goforward_wav: Path) -> None:
    """`captioner transcribe --engine moonshine-tiny.en` under strace in an empty HOME, with
    onnxruntime telemetry asked for (as test_no_network.py does for whisper): no remote
    connect(), no file left in HOME."""
    from test_no_network import remote_connects, run, written_in

    argv = [sys.executable, "-m", "captioner", "transcribe", str(goforward_wav), "--engine", "moonshine-tiny.en"]
    r, log, home = run(argv, tmp_path)
    assert r.returncode == 0, r.stderr
    assert wer(GOFORWARD_TEXT, r.stdout.split("]", 1)[-1]) == 0, r.stdout
    assert remote_connects(log) == []
    assert written_in(home) == []
