"""Never lose a spoken sentence, never invent one: the hard evaluation set (captioner/testing/corpus.py).

The scoring tests are fast and need no engine. The engine tests (slow) run cases of the set
through LocalRecognizer as fast as it takes them, like bench/quality.py, which reports the
whole set.
"""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from captioner.recognition.local.whisper import LocalRecognizer
from captioner.testing.corpus import (
    CASES,
    COMMANDS,
    Op,
    align,
    build,
    dbfs,
    longest_pause_ms,
    lost_passages,
    rms,
    score,
    speech_of,
)
from captioner.testing.listen import recognise
from captioner.testing.speech import normalise, wer

# -- Scoring ----------------------------------------------------------------------------------------


def kinds(ref: str, hyp: str) -> str:
    return " ".join(op.kind for op in align(ref.split(), hyp.split()))


def test_alignment_of_identical_texts_is_all_matches() -> None:
    assert kinds("it was the best of times", "it was the best of times") == "ok ok ok ok ok ok"
    assert align([], []) == []


def test_alignment_names_substitutions_deletions_and_insertions() -> None:
    assert kinds("a b c d", "a x c d e") == "ok sub ok ok ins"
    assert kinds("a b c d", "a d") in ("ok del del ok",)
    assert kinds("", "thank you") == "ins ins"
    assert kinds("go forward", "") == "del del"
    ops = align("a b c".split(), "a c".split())
    assert ops == [Op("ok", "a", "a"), Op("del", "b", None), Op("ok", "c", "c")]


def test_alignment_edit_count_is_the_word_error_rate() -> None:
    rng = np.random.default_rng(1)
    vocab = "it was the best of times worst age wisdom we had".split()
    for _ in range(200):
        ref = list(rng.choice(vocab, rng.integers(1, 15)))
        hyp = list(rng.choice(vocab, rng.integers(0, 15)))
        errors = sum(op.kind != "ok" for op in align(ref, hyp))
        assert errors / len(ref) == pytest.approx(wer(" ".join(ref), " ".join(hyp)))
        assert [op.ref for op in align(ref, hyp) if op.ref] == ref
        assert [op.hyp for op in align(ref, hyp) if op.hyp] == hyp


def test_a_lost_passage_is_five_or_more_consecutive_deleted_words() -> None:
    ref = "one two three four five six seven eight nine ten eleven twelve"
    words = ref.split()
    assert lost_passages(align(words, words)) == []
    four_gone = words[:3] + words[7:]
    assert lost_passages(align(words, four_gone)) == []
    five_gone = words[:3] + words[8:]
    assert lost_passages(align(words, five_gone)) == [words[3:8]]
    two_runs = words[:1] + words[6:7]
    assert len(lost_passages(align(words, two_runs))) == 2
    assert lost_passages(align(words, [])) == [words]


def test_insertions_do_not_end_a_lost_passage_but_matches_and_substitutions_do() -> None:
    dels = [Op("del", w, None) for w in "a b c".split()]
    more = [Op("del", w, None) for w in "d e".split()]
    assert lost_passages([*dels, Op("ins", None, "x"), *more]) == [list("abcde")]
    assert lost_passages([*dels, Op("sub", "q", "x"), *more]) == []
    assert lost_passages([*dels, Op("ok", "q", "q"), *more]) == []
    assert lost_passages(dels + more, min_words=6) == []


def test_invented_words_are_insertions_or_every_word_of_non_speech() -> None:
    speech = score("hello world", "Hello, there world!")
    assert (speech["invented_words"], speech["insertions"], speech["wer"]) == (1, 1, 0.5)
    assert speech["inserted"] == ["there"]
    nothing = score("", "Thank you for watching.", is_speech=False)
    assert (nothing["invented_words"], nothing["output_words"], nothing["wer"]) == (4, 4, None)
    assert score("", "", is_speech=False)["invented_words"] == 0


def test_score_normalises_like_the_word_error_rate() -> None:
    s = score("go forward ten meters", "Go forward, 10 meters.")
    assert (s["wer"], s["substitutions"], s["deletions"], s["insertions"]) == (0.0, 0, 0, 0)
    lost = score("a b c d e f g h", "a h")
    assert (lost["lost_passages"], lost["lost_words"], lost["lost"]) == (1, 6, ["b c d e f g"])


# -- The set itself ---------------------------------------------------------------------------------


def test_the_set_is_deterministic_and_as_described() -> None:
    for name in ("noise_5db", "music", "clicks_breaths", "reconnect"):
        assert np.array_equal(CASES[name]().samples, CASES[name]().samples), name
    for case in (build(n) for n in CASES):
        assert case.samples.dtype == np.dtype("<i2") and case.samples.ndim == 1
        assert case.is_speech == bool(case.reference) == bool(case.spans), case.name
        assert all(0 <= b < e <= case.seconds * 1000 for b, e in case.spans), case.name
    run_on = build("run_on")
    assert run_on.seconds > 180 and longest_pause_ms(run_on.samples[16 * 300 : -16 * 1500]) < 500
    assert 35 < build("tale").seconds < 45 and longest_pause_ms(build("tale").samples[16 * 300 :]) < 500
    quiet = build("quiet")
    assert rms(speech_of(quiet.samples, quiet.spans)) == pytest.approx(dbfs(-30), rel=0.01)
    assert normalise(build("commands").reference) == normalise(" ".join(COMMANDS))
    reconnect = build("reconnect")
    assert np.abs(reconnect.samples[: 16 * 64].astype(int)).max() > 1000  # the fragment is audible
    assert reconnect.spans[0][0] > 1000  # and the reference starts after it


# -- The engine (slow) ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def recognizer() -> LocalRecognizer:
    engine = LocalRecognizer()
    asyncio.run(engine.prepare())
    return engine


async def scored(recognizer: LocalRecognizer, name: str) -> dict:
    case = build(name)
    text = (await recognise(recognizer, case.samples)).text
    return score(case.reference, text, case.is_speech) | {"hypothesis": text}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["music", "noise_only", "clicks_breaths"])
async def test_no_words_from_music_noise_or_clicks(recognizer: LocalRecognizer, name: str) -> None:
    s = await scored(recognizer, name)
    assert s["invented_words"] == 0, s["hypothesis"]


@pytest.mark.slow
async def test_short_commands_are_all_heard_and_nothing_else(recognizer: LocalRecognizer) -> None:
    s = await scored(recognizer, "commands")
    heard = iter(normalise(s["hypothesis"]))
    assert all(word in heard for word in normalise(" ".join(COMMANDS))), s["hypothesis"]  # in order
    assert s["invented_words"] == 0, s["inserted"]


@pytest.mark.slow
async def test_a_fragment_left_by_a_reconnect_produces_no_text(recognizer: LocalRecognizer) -> None:
    s = await scored(recognizer, "reconnect")
    assert s["invented_words"] == 0, s["hypothesis"]
    assert s["lost_passages"] == 0, s["lost"]


#: The Tale of Two Cities paragraph's WER measured at 29611cb (13.5 %, mostly espeak's "of"
#: heard as "on"), with 10 points of room: the test is about losing text, not word errors.
TALE_WER_MARGIN = 0.135 + 0.10


@pytest.mark.slow
async def test_repetitive_text_loses_no_passage(recognizer: LocalRecognizer) -> None:
    s = await scored(recognizer, "tale")
    assert s["lost_passages"] == 0, s["lost"]
    assert s["wer"] < TALE_WER_MARGIN, s["hypothesis"]


@pytest.mark.slow
async def test_three_minutes_of_run_on_reading_loses_no_passage(recognizer: LocalRecognizer) -> None:
    s = await scored(recognizer, "run_on")
    assert s["lost_passages"] == 0, (s["lost"], s["wer"])


@pytest.mark.slow
async def test_telephone_band_speech_loses_no_passage(recognizer: LocalRecognizer) -> None:
    """Silero half-recognises 300-3400 Hz speech; before the noise-floor weighting whole
    sentences went unheard (2 lost passages, WER 87 % at 29611cb)."""
    s = await scored(recognizer, "telephone")
    assert s["lost_passages"] == 0, s["lost"]


@pytest.mark.slow
async def test_when_every_decode_looks_degenerate_the_words_still_come_out(
    recognizer: LocalRecognizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever a threshold says (a CPU's rounding can move a compression ratio across it),
    the recovery ladder (temperature fallback, split at the quietest point, trimmed tail)
    still returns the speech: a failed-looking decode is never a dropped sentence."""
    from captioner.recognition.local import decoding

    monkeypatch.setattr(decoding, "MAX_COMPRESSION_RATIO", 0.5)  # every text is "a loop"
    s = await scored(recognizer, "fast")  # one 15 s utterance: the whole ladder runs
    assert s["lost_passages"] == 0, s["lost"]
    # Measured 25 % (2 % unforced): pieces a few seconds long lose whisper's context, and
    # fast speech has few clean gaps to split at. Worse words, but every passage is there.
    assert s["wer"] < 0.4, s["hypothesis"]


@pytest.mark.slow
@pytest.mark.timeout(180)
@pytest.mark.parametrize("name", ["commands", "reconnect"])
async def test_through_serve_with_dropped_connections_nothing_is_invented_or_lost(
    recognizer: LocalRecognizer, name: str
) -> None:
    """The same rules hold in `captioner serve`, including for the audio a client replays
    after a reconnect (each replay starts a new engine task on a fragment of speech)."""
    from captioner.recognition.cloud.realtime import DashScopeRecognizer, ReconnectPolicy
    from captioner.testing.faults import FaultPlan, FaultyServer

    case = build(name)
    plan = FaultPlan(drop_after_frames=23, times=5)  # cuts land mid-word and in pauses
    async with FaultyServer(recognizer, fault_plan=plan) as server:
        policy = ReconnectPolicy(initial_delay=0.05, max_delay=0.5, give_up_after=20)
        text = (await recognise(DashScopeRecognizer(url=server.url, reconnect=policy), case.samples)).text
        assert server.stats.connections > 1  # the drops did happen
    s = score(case.reference, text, case.is_speech)
    assert s["invented_words"] == 0, text
    assert s["lost_passages"] == 0, s["lost"]
