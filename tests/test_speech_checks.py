"""speech.check_sentences, the aggregate check real-speech tests use, must still fail."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from captioner.testing.speech import Utterance, check_sentences

SAID = [
    Utterance("The weather is lovely today.", 300, 1800),
    Utterance("Please turn off the lights in the kitchen.", 3000, 5100),
    Utterance("We will meet again next week.", 6300, 8000),
]


@dataclass
class Final:
    text: str
    begin_ms: int
    end_ms: int


def heard(*texts: str) -> list[Final]:
    return [Final(t, u.begin_ms + 20, u.end_ms - 20) for t, u in zip(texts, SAID, strict=False)]


def test_the_word_changes_seen_between_cpus_pass() -> None:
    got = heard(
        "The weather is lovely today.", "Please turn off my life in my kitchen.", "We will meet again next week."
    )
    assert check_sentences(SAID, got, max_wer=0.25) == pytest.approx(3 / 19)


def test_a_lost_sentence_fails() -> None:
    got = heard("The weather is lovely today.", "", "We will meet again next week.")
    with pytest.raises(AssertionError, match="lost: 'Please turn off"):
        check_sentences(SAID, [f for f in got if f.text], max_wer=0.5)


def test_a_sentence_garbled_beyond_recognition_counts_as_lost() -> None:
    got = heard(
        "The weather is lovely today.", "Police burn of a light sin a kitchenette.", "We will meet again next week."
    )
    with pytest.raises(AssertionError, match="lost"):
        check_sentences(SAID, got, max_wer=1.0)


def test_an_invented_sentence_in_silence_fails() -> None:
    got = [*heard(*(u.text for u in SAID)), Final("Thank you for watching.", 8600, 9400)]
    with pytest.raises(AssertionError, match="invented: 'Thank you"):
        check_sentences(SAID, got, max_wer=0.5)


def test_a_final_at_the_wrong_time_fails() -> None:
    got = heard(*(u.text for u in SAID))
    got[2] = Final(got[2].text, 12_000, 13_700)  # the right words, seconds late
    with pytest.raises(AssertionError, match="lost: 'We will meet"):
        check_sentences(SAID, got, max_wer=0.5)


def test_too_many_wrong_words_overall_fail() -> None:
    got = heard(
        "The weather is lovely to day.", "Please turn of my life in my kitchen.", "We will meat again next weak."
    )
    with pytest.raises(AssertionError, match="WER"):
        check_sentences(SAID, got, max_wer=0.25)
