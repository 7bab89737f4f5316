"""The safeguards between whisper's output and the screen, on made-up decodes (no model)."""

from __future__ import annotations

import itertools

import numpy as np

from captioner.events import Word
from captioner.recognition.local.decoding import (
    MIN_VOICED_MS,
    SOUND_ALIKE_MIN,
    Evidence,
    RawWord,
    _Attempt,
    _believable,
    _loop_start,
    _similarity,
    _sound_key,
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


def heard(spoken: str, *probabilities: float, **by_word: float) -> _Attempt:
    """A decode of `spoken`, 0.3 s a word, with each word's unbiased probability (the
    positional ones in order, then by word; 0.9 for the rest)."""
    words = timed(spoken)
    given = dict(enumerate(probabilities))
    p = {(a, b): given.get(i, by_word.get(w.strip(" .,").lower(), 0.9)) for i, (a, b, w) in enumerate(words)}
    return _Attempt(words, -0.3, 1.5, False, False, p)


def guarded(biased: _Attempt, plain: _Attempt, hot: set[str]) -> str:
    return text(_without_added_hot_words(biased, plain, hot))


def test_a_vocabulary_may_change_a_word_but_not_add_one() -> None:
    hot = {"okonkwo", "umuofia", "zarvox"}
    plain = heard("please turn off the lights")
    leaked = heard("please turn off the lights Okonkwo Umuofia", okonkwo=0.5, umuofia=0.5)
    assert guarded(leaked, plain, hot) == "please turn off the lights"
    fixed = heard("we met Okonkwo today", okonkwo=0.2)
    assert guarded(fixed, heard("we met oak on quo today", oak=0.3, on=0.3, quo=0.3), hot) == "we met Okonkwo today"
    longer = heard("we met Okonkwo Zarvox today", okonkwo=0.3, zarvox=0.3)
    assert guarded(longer, heard("we met okonko today", okonko=0.4), hot) == "we met Okonkwo today"
    # a hot word in an insertion is dropped; one at zero duration is dropped wherever it is
    squeezed = _Attempt((*timed("ask Zarvox"), (0.6, 0.6, " Zarvox")), -0.3, 1.5, False, False, {})
    assert guarded(squeezed, heard("ask Zarvox Zarvox"), hot) == "ask Zarvox"


def test_the_prompt_cannot_make_the_decoder_go_on_after_the_speech() -> None:
    """Measured: with "Marrakesh" in the context, "Tomorrow we fly to Marrakesh through the
    conference." got "This is..." after it, which the unbiased decode did not hear."""
    plain = heard("Tomorrow we fly to Maricash through the conference.", maricash=0.29)
    biased = heard("Tomorrow we fly to Marrakesh through the conference. This is...", marrakesh=0.33)
    assert guarded(biased, plain, {"marrakesh"}) == "Tomorrow we fly to Marrakesh through the conference."


def test_a_term_replaces_a_heard_word_only_if_it_sounds_like_it_and_is_plausible() -> None:
    """The measured cases (whisper tiny.en, 13 names as context; bench/flash_context.py)."""
    hot = {"marrakesh", "kubernetes", "zorvexa", "quintarello"}
    # "more coffee" sounds a little like "Marrakesh" (0.75), but was heard clearly (0.99)
    # and the unbiased model gives "Marrakesh" there 0.0003: what was heard stays
    plain = heard("We should buy more coffee and some bread", more=0.995, coffee=0.998)
    biased = heard("We should buy Marrakesh and some bread", marrakesh=0.0003)
    assert guarded(biased, plain, hot) == "We should buy more coffee and some bread"
    # "back" does not sound like "Marrakesh", however likely the model finds it
    assert guarded(heard("call me Marrakesh.", marrakesh=0.5), heard("call me back.", back=0.59), hot) == (
        "call me back."
    )
    # the unbiased model's sound-alike of a term that was said is corrected...
    plain = heard("our product is called Normexer and it ships", normexer=0.39)
    assert guarded(heard("our product is called Zorvexa and it ships", zorvexa=0.03), plain, hot) == (
        "our product is called Zorvexa and it ships"
    )
    cuba = heard("We deployed it on Cuba meets with Naramax.", cuba=0.12, meets=0.32, naramax=0.54)
    biased = heard("We deployed it on Kubernetes with Marrakesh.", kubernetes=0.75, marrakesh=0.08)
    # (a made-up name the model cannot spell is unlikely, but far less so than a wrong word)
    zarvox = heard("We deployed it on Kubernetes with Zarvox.", kubernetes=0.74, zarvox=0.010)
    assert guarded(zarvox, cuba, hot | {"zarvox"}) == "We deployed it on Kubernetes with Zarvox."
    # ...while "Naramax" (said: "Zarvox") is too far from "Marrakesh" to become it
    assert guarded(biased, cuba, hot) == "We deployed it on Kubernetes with Naramax."
    # a replacement whose unbiased probability is unknown is not believed
    unknown = _Attempt(timed("we met Quintarello today"), -0.3, 1.5, False, False, {})
    assert guarded(unknown, heard("we met Quintarelo today"), hot) == "we met Quintarelo today"


def test_sound_keys_hear_spellings_of_one_sound_as_one() -> None:
    assert _sound_key("Maricosch") == _sound_key("Marrakesh") == "marakax"
    assert _sound_key("oak on quo") == _sound_key("Okonkwo")
    assert _similarity(_sound_key("Normexer"), _sound_key("Zorvexa")) >= SOUND_ALIKE_MIN
    assert _similarity(_sound_key("Cuba meets"), _sound_key("Kubernetes")) >= SOUND_ALIKE_MIN
    # A silent gh: whisper wrote "will light" for "Quillbyte" on one CPU, "Willite" on another.
    assert _sound_key("night") == _sound_key("nit") and _sound_key("bought") == _sound_key("bot")
    assert _similarity(_sound_key("will light"), _sound_key("Quillbyte")) >= SOUND_ALIKE_MIN
    for unrelated in ("back", "Mac", "Naramax"):
        assert _similarity(_sound_key(unrelated), _sound_key("Marrakesh")) < SOUND_ALIKE_MIN
    assert _similarity("", "") == 1.0 and _similarity("a", "") == 0.0 and _similarity("kat", "kat") == 1.0


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
