"""Words as the service reports them: the text, and the punctuation after it apart.

DashScope's words carry trailing punctuation in their own field (`punctuation`), so every
engine that makes words from decoded text cuts it the same way here: the on-device engines'
decodes (whisper's timed tokens, Moonshine's text) and the word estimates `captioner serve`
adds to Paraformer partials.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable


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
