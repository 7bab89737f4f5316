"""The safeguards between whisper's output and the screen, on made-up decodes (no model)."""

from __future__ import annotations

import itertools

import numpy as np

from captioner.events import Word
from captioner.recognition.local.decoding import (
    MIN_VOICED_MS,
    Evidence,
    RawWord,
    _believable,
    _loop_start,
    _trim_loop,
    _without_added_hot_words,
    _without_annotations,
    quietest_point,
)
from captioner.recognition.local.whisper import _with_duration


def timed(text: str, start: float = 0.0, each: float = 0.3) -> tuple[RawWord, ...]:
    return tuple((start + i * each, start + (i + 1) * each, " " + w) for i, w in enumerate(text.split()))


def text(words: tuple[RawWord, ...]) -> str:
    return "".join(w for _, _, w in words).strip()


SPEECH = Evidence(voiced_ms=3000, mean_probability=0.95)


def test_a_loop_that_ran_into_the_token_cap_is_cut_to_its_first_round() -> None:
    looped = timed("Send it to Dr. Okonkwo, okonkwo, okonkwo, okonkwo, okonkwo, ok")
    assert text(_trim_loop(looped, SPEECH, ran_on=True)) == "Send it to Dr. Okonkwo,"
    phrase = timed("thank you thank you thank you thank you thank")
    assert text(_trim_loop(phrase, SPEECH, ran_on=True)) == "thank you"


def test_a_sentence_long_loop_is_found_too() -> None:
    words = timed(" ".join(["I am going to the store."] * 5))
    assert _loop_start(words) == 6


def test_repetition_a_speaker_means_is_kept() -> None:
    said = timed("no no no no I said")
    assert _loop_start(said) is None
    earnest = timed("I said no, no, no, no")
    assert _loop_start(earnest) is not None
    assert text(_trim_loop(earnest, SPEECH, ran_on=False)) == "I said no, no, no, no"
    tale = timed("it was the best of times it was the worst of times it was the age of wisdom it was the age of folly")
    assert _loop_start(tale) is None


def test_repeats_that_take_no_time_are_not_speech() -> None:
    squeezed = timed("call Zarvox") + tuple((0.6, 0.6, " Zarvox,") for _ in range(4))
    assert text(_trim_loop(squeezed, SPEECH, ran_on=False)) == "call Zarvox"


def test_stock_phrases_need_the_speech_to_back_them() -> None:
    thanks = timed("Thank you.")
    assert _believable(thanks, Evidence(64, 0.9)) == ()
    assert _believable(thanks, Evidence(1000, 0.55)) == ()  # long but unsure: noise
    assert _believable(thanks, Evidence(600, 0.97)) == thanks  # someone said it
    sentence = timed("Thank you for the report.")
    assert _believable(sentence, Evidence(MIN_VOICED_MS, 0.6)) == sentence  # not a stock phrase


def test_sound_descriptions_are_not_words() -> None:
    assert text(_without_annotations(timed("[Music]"))) == ""
    assert text(_without_annotations(timed("♪ ♪"))) == ""
    assert text(_without_annotations(timed("(upbeat music) Hello there *laughs*"))) == "Hello there"
    assert text(_without_annotations(timed("Hello, world."))) == "Hello, world."


def test_a_vocabulary_may_change_a_word_but_not_add_one() -> None:
    hot = {"okonkwo", "umuofia", "zarvox"}
    plain = timed("please turn off the lights")
    leaked = timed("please turn off the lights Okonkwo Umuofia")
    assert text(_without_added_hot_words(leaked, plain, hot)) == "please turn off the lights"
    fixed = _without_added_hot_words(timed("we met Okonkwo today"), timed("we met oak on quo today"), hot)
    assert text(fixed) == "we met Okonkwo today"
    longer = _without_added_hot_words(timed("we met Okonkwo Zarvox today"), timed("we met okay today"), hot)
    assert text(longer) == "we met Okonkwo today"
    # a hot word in an insertion is dropped; one at zero duration is dropped wherever it is
    squeezed = (*timed("ask Zarvox"), (0.6, 0.6, " Zarvox"))
    assert text(_without_added_hot_words(squeezed, timed("ask Zarvox Zarvox"), hot)) == "ask Zarvox"


def test_the_quietest_point_is_a_gap_between_words() -> None:
    rng = np.random.default_rng(0)
    loud = (rng.standard_normal(16000 * 4) * 8000).astype(np.int16)
    loud[16000 * 2 + 1600 : 16000 * 2 + 3200] = 0  # a 100 ms gap a little after the middle
    probs = np.full(len(loud) // 512, 0.95, dtype=np.float32)
    probs[(16000 * 2 + 1600) // 512 : (16000 * 2 + 3200) // 512] = 0.2
    cut = quietest_point(loud, probs)
    assert 16000 * 2 + 1600 <= cut <= 16000 * 2 + 3200


def test_every_word_gets_time_in_order_inside_the_sentence() -> None:
    words = [Word(0, 300, "a"), Word(300, 600, "b"), Word(600, 600, "c"), Word(600, 600, "d")]
    spread = _with_duration(words, 0, 600)
    assert all(w.end_ms > w.begin_ms for w in spread)
    assert all(a.end_ms <= b.begin_ms for a, b in itertools.pairwise(spread))
    assert spread[0].begin_ms >= 0 and spread[-1].end_ms <= 600
    first = _with_duration([Word(100, 100, "x"), Word(100, 400, "y")], 0, 500)
    assert [w.end_ms > w.begin_ms for w in first] == [True, True] and first[-1].end_ms <= 500
    alone = _with_duration([Word(500, 500, "z")], 0, 500)
    assert alone[0].begin_ms < alone[0].end_ms <= 500
