"""What a Moonshine decode means for captions: its words, their times, and what not to believe.

Moonshine 0.1.0 ships no word-timing model, so `timed_words` works word times out from what
the engine saw: each word's share of the speech (by its length, skipping the VAD's pauses),
bounded by the partials (a word a partial already showed had been said by the end of that
partial's audio; one it did not show had not yet ended when its audio ended).

`believable` is the guard against inventions: Moonshine writes "You" for silence and noise,
as whisper writes "Thank you." (recognition/local/decoding.py has whisper's list).
"""

from __future__ import annotations

import re

from captioner.events import Word
from captioner.recognition.words import punctuated_words

#: Less voiced audio than this cannot hold a word (a syllable is ~150 ms): not decoded.
MIN_VOICED_MS = 160
#: Moonshine's inventions on non-speech (lower case, punctuation removed) and the voiced
#: time per word and mean speech probability they need to be believed.
STOCK_PHRASES = frozenset({"you", "thank you", "thanks", "bye", "oh", "so", "okay", "ok", "hmm", "uh", "um"})
STOCK_PHRASE_MS_PER_WORD = 200
STOCK_PHRASE_MIN_PROBABILITY = 0.8
_WORD = re.compile(r"\S+")


def believable(text: str, voiced_ms: int, mean_probability: float) -> str:
    """The decoded text, or "" if it holds no word or is a stock invention the speech
    heard does not back (Moonshine says "You" to silence and noise)."""
    words = words_of(text)
    if not words:
        return ""
    if " ".join(words) in STOCK_PHRASES:
        enough = voiced_ms >= STOCK_PHRASE_MS_PER_WORD * len(words)
        if not (enough and mean_probability >= STOCK_PHRASE_MIN_PROBABILITY):
            return ""
    return text.strip()


def words_of(text: str) -> list[str]:
    """Normalised words (lower case, letters, digits and apostrophes) for comparing decodes."""
    out = []
    for token in _WORD.findall(text):
        word = "".join(c for c in token.lower() if c.isalnum() or c == "'")
        if word:
            out.append(word)
    return out


def timed_words(
    text: str,
    begin_ms: int,
    end_ms: int,
    pauses: tuple[tuple[int, int], ...] = (),
    seen: list[tuple[int, list[str]]] | None = None,
) -> tuple[Word, ...]:
    """Words of `text` with times inside begin..end and outside the pauses.

    Each word gets a share of the speech time in proportion to its length; then the
    partials bound each word's end: a partial whose audio ended at t and that already
    showed the final's first k words means those k had been said by t; one that showed
    fewer (and nothing else) means the next word had not ended by t.
    """
    tokens = punctuated_words(_WORD.findall(text))
    if not tokens:
        return ()
    speech = _speech_spans(begin_ms, max(end_ms, begin_ms + len(tokens)), pauses)
    total = sum(b - a for a, b in speech)
    weights = [len(w) + 2 for w, _ in tokens]
    # Word ends on the speech-only clock (ms of speech since begin).
    ends, acc = [], 0
    for w in weights:
        acc += w
        ends.append(total * acc / sum(weights))
    final_words = [words_of(w)[0] if words_of(w) else w.lower() for w, _ in tokens]
    lower = [0.0] * len(tokens)
    upper = [float(total)] * len(tokens)
    for at_ms, shown in seen or []:
        t = _to_speech_clock(at_ms, speech)
        k = _common_prefix(shown, final_words)
        for i in range(k):
            upper[i] = min(upper[i], t)
        if k == len(shown) and k < len(tokens):
            lower[k] = max(lower[k], t)
    for i in range(len(ends)):
        ends[i] = min(max(ends[i], lower[i]), upper[i])
    # In order, each word at least 1 ms of the speech, none past the end.
    out: list[Word] = []
    previous = 0.0
    for i, (word, mark) in enumerate(tokens):
        room_left = len(tokens) - i - 1
        end = min(max(ends[i], previous + 1), total - room_left)
        start_clock = _from_speech_clock(previous, speech, start=True)
        end_clock = _from_speech_clock(end, speech, start=False)
        out.append(Word(start_clock, max(end_clock, start_clock + 1), word, mark))
        previous = end
    return tuple(out)


def _speech_spans(begin: int, end: int, pauses: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    spans, cursor = [], begin
    for a, b in sorted(pauses):
        if b <= cursor or a >= end:
            continue
        if a > cursor:
            spans.append((cursor, a))
        cursor = max(cursor, b)
    if cursor < end:
        spans.append((cursor, end))
    return spans or [(begin, max(end, begin + 1))]


def _to_speech_clock(at_ms: int, speech: list[tuple[int, int]]) -> float:
    done = 0
    for a, b in speech:
        if at_ms <= a:
            return float(done)
        if at_ms < b:
            return float(done + at_ms - a)
        done += b - a
    return float(done)


def _from_speech_clock(t: float, speech: list[tuple[int, int]], *, start: bool) -> int:
    """Session time of speech-clock time t; at a span boundary a word's start goes to the
    next span (after the pause), its end stays in the span before it."""
    done = 0
    for a, b in speech:
        length = b - a
        if t < done + length or (not start and t <= done + length):
            return a + round(t - done)
        done += length
    return speech[-1][1]


def _common_prefix(a: list[str], b: list[str]) -> int:
    k = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        k += 1
    return k
