"""Words as the service reports them: the text, and the punctuation after it apart.

DashScope's words carry trailing punctuation in their own field (`punctuation`), so every
engine that makes words from decoded text cuts it the same way here: the on-device engines'
decodes (whisper's timed tokens, Moonshine's text) and the word estimates `captioner serve`
adds to Paraformer partials. And how far two word (or letter) sequences are apart: the one
edit distance behind the self-test's WER, the hot-word guard's sound-alike test and the
benchmarks' error rates.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Hashable, Iterable, Sequence


def split_punctuation(word: str) -> tuple[str, str]:
    """("Hello,", ) -> ("Hello", ","); ("好。") -> ("好", "。")."""
    cut = len(word)
    while cut > 0 and unicodedata.category(word[cut - 1]).startswith("P"):
        cut -= 1
    return word[:cut], word[cut:]


def punctuated_words(pieces: Iterable[str]) -> list[tuple[str, str]]:
    """(word, trailing punctuation) for each piece of text, in order; a piece that is only
    punctuation joins the word before it (and is dropped at the start, with none before it)."""
    tokens: list[tuple[str, str]] = []
    for piece in pieces:
        word, mark = split_punctuation(piece)
        if word:
            tokens.append((word, mark))
        elif tokens:
            tokens[-1] = (tokens[-1][0], tokens[-1][1] + mark)
    return tokens


def edit_distance(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
    """Levenshtein distance: the fewest insertions, deletions and substitutions from a to b."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        diagonal, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diagonal + (x != y))
    return row[-1]
