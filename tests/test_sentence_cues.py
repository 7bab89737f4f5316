"""Sentences spoken without a pause long enough to end one still get subtitles of their own
(issue #19, item 10): real speech through the on-device engine, then the SRT layout."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
import srt

from captioner.events import Sentence
from captioner.recognition.local.whisper import LocalRecognizer
from captioner.settings import RecognitionSettings
from captioner.testing.listen import recognise
from captioner.testing.speech import MEETING, check_sentences, utterances
from captioner.transcript.export import build_cues, to_srt
from captioner.transcript.export.cues import sentence_ends


async def _finals(samples: np.ndarray) -> list[Sentence]:
    engine = LocalRecognizer()
    await engine.prepare()
    run = await recognise(engine, samples, RecognitionSettings())  # the default 1300 ms sentence silence
    return run.finals


@pytest.mark.slow
def test_seven_sentences_without_long_pauses_become_readable_cues_and_no_word_is_lost():
    parts: list[str | int] = [300]
    for text in MEETING:
        parts += [text, 350]  # shorter than the sentence silence: one utterance
    parts.append(1500)
    samples, spans = utterances(parts)
    finals = asyncio.run(_finals(samples))
    check_sentences(spans, finals, max_wer=0.3)  # nothing lost, nothing invented
    assert len(finals) < len(MEETING)  # the engine ran sentences together (what the issue saw)
    cues = build_cues(finals)
    words_in = " ".join(f.text for f in finals).split()
    words_out = " ".join(c.text.replace("\n", " ") for c in cues).split()
    assert words_out == words_in  # never lose a word, never show one twice
    assert all(c.end_ms - c.start_ms <= 7000 and len(c.lines) <= 2 for c in cues), cues
    # A cue never runs on past a sentence end the engine wrote into the middle of it.
    assert all(not sentence_ends(c.text.replace("\n", " ")) for c in cues), [c.text for c in cues]
    spoken_ends = sum(len(sentence_ends(f.text)) + 1 for f in finals)
    assert len(cues) >= spoken_ends >= len(MEETING) - 2, [f.text for f in finals]
    parsed = list(srt.parse(to_srt(finals)))
    assert [p.content for p in parsed] == [c.text for c in cues]
    print(f"{len(finals)} finals -> {len(cues)} cues: {[c.text for c in cues]}")
