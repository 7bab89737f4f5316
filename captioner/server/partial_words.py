"""Words for a partial result that came without any, as Paraformer's partials carry them.

Paraformer realtime sends `words` on every interim result, as on its finals (timed words,
the punctuation after each). The on-device engines decode partials quickly, without word
timestamps (a timing pass would slow every partial), so `captioner serve` works the times
out for Paraformer tasks from what it knows: the partial's text and the stretch of audio it
covers. Each word gets a share of that stretch in proportion to its length, in order, the
last ending where the partial's audio ends. They are estimates and only stand until the
final, which carries the decoder's own word times. Chinese, Japanese and Korean text is cut
per character, as Paraformer does; other text at spaces; trailing punctuation goes to
`punctuation`.
"""

from __future__ import annotations

import dataclasses
import re

from captioner.events import Sentence, Word
from captioner.recognition.words import punctuated_words

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
#: One CJK character (Han, kana, hangul), or a run of anything else.
_PIECE = re.compile(f"[{_CJK}]|[^{_CJK}]+")
_CJK_WEIGHT = 3  # about a syllable's worth of letters


def wants_partial_words(model: str) -> bool:
    """Models whose interim results carry words on the service."""
    return model.startswith("paraformer")


def with_estimated_words(sentence: Sentence) -> Sentence:
    """`sentence` with words, if it is a partial that has text but no words; else itself."""
    if sentence.final or sentence.words or not sentence.text.strip():
        return sentence
    return dataclasses.replace(sentence, words=estimated_words(sentence.text, sentence.begin_ms, sentence.end_ms))


def estimated_words(text: str, begin_ms: int, end_ms: int) -> tuple[Word, ...]:
    """The words of `text`, timed in order across begin_ms..end_ms by their length."""
    tokens = punctuated_words(piece for chunk in text.split() for piece in _PIECE.findall(chunk))
    if not tokens:
        return ()
    span = max(end_ms - begin_ms, len(tokens))  # at least 1 ms a word
    weights = [_CJK_WEIGHT if len(w) == 1 and not w.isascii() else len(w) + 2 for w, _ in tokens]
    total = sum(weights)
    out: list[Word] = []
    start, acc = begin_ms, 0
    for i, ((word, mark), weight) in enumerate(zip(tokens, weights, strict=True)):
        acc += weight
        end = begin_ms + round(span * acc / total)
        end = max(end, start + 1)
        end = min(end, begin_ms + span - (len(tokens) - i - 1))  # room for the rest
        out.append(Word(start, end, word, mark))
        start = end
    return tuple(out)
