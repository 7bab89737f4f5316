"""Which text a file gets when sentences carry a translation: the original, the
translation, or both.

A translated session (Gummy, or the on-device translate task) has two texts per sentence,
and people want different files from it: subtitles in the language they read, a
transcript in the language spoken, or both, one under the other, to learn from or to
check the translation. Every format takes the same choice (`ExportOptions.text`):

- "original" and "translation" are one text per sentence, laid out exactly as an
  untranslated transcript would be (`choose_text`); a translation has no word times, so
  its cues are timed by its share of the sentence.
- "both" (the default; the same as "original" when nothing was translated): SRT and WebVTT
  cues have the original on their first line and the translation under it
  (`bilingual_cues`): a sentence long enough to need several cues gets its translation
  shared out between them in proportion, so each cue's two lines match. TXT puts each
  translation on the line under its sentence; JSON keeps both fields.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence

from captioner.events import Gap, Sentence
from captioner.transcript.export.cues import DEFAULT_LAYOUT, Cue, CueLayout, CueTimer, _gap_cue_sentences
from captioner.transcript.export.entries import Entries, split_entries, spoken_in_order
from captioner.transcript.export.lines import text_width

ORIGINAL, TRANSLATION, BOTH = "original", "translation", "both"
#: What `ExportOptions.text` (and `captioner transcribe --export-text`) accepts.
TEXT_CHOICES = (ORIGINAL, TRANSLATION, BOTH)


def check_choice(choice: str) -> None:
    if choice not in TEXT_CHOICES:
        raise ValueError(f"text must be one of {', '.join(TEXT_CHOICES)} (got {choice!r})")


def has_translations(entries: Entries) -> bool:
    return any(isinstance(e, Sentence) and e.translation is not None for e in entries)


def choose_text(entries: Entries, choice: str) -> list[Sentence | Gap]:
    """The entries with one text each ("original" / "translation"), or both ("both").

    "translation": a sentence takes its translation's text (and words, where it has them);
    one without a translation keeps its own, so nothing said goes missing. In every choice
    a sentence whose task sent no source text (translation alone) has its translation as
    its text, for the same reason.
    """
    check_choice(choice)
    out: list[Sentence | Gap] = []
    for e in entries:
        if isinstance(e, Sentence) and e.translation is not None:
            t = e.translation
            if choice == TRANSLATION or not e.text.strip():
                e = dataclasses.replace(e, text=t.text, words=t.words, translation=None)
            elif choice == ORIGINAL:
                e = dataclasses.replace(e, translation=None)
        out.append(e)
    return out


def bilingual_cues(entries: Entries, layout: CueLayout = DEFAULT_LAYOUT) -> list[Cue]:
    """Subtitle cues with the original on one line and its translation under it.

    The cues are `build_cues`'s with one line of original each (so a cue is two lines);
    a sentence with no source text (translation alone) shows its translation as its text.
    """
    sentences, gaps = split_entries(entries)
    ordered = spoken_in_order(with_text(s) for s in sentences)
    if gaps:
        ordered = sorted([*_gap_cue_sentences(ordered, gaps), *ordered], key=lambda s: s.begin_ms)
    timer = bilingual_timer(layout)
    out: list[Cue] = []
    for i, s in enumerate(ordered):
        add_cues(timer, s, ordered[i + 1].begin_ms if i + 1 < len(ordered) else None, out)
    return out


def with_text(s: Sentence) -> Sentence:
    """A sentence sent as its translation alone, with the translation as its text."""
    t = s.translation
    if t is not None and not s.text.strip():
        return dataclasses.replace(s, text=t.text, words=t.words, translation=None)
    return s


def bilingual_timer(layout: CueLayout) -> CueTimer:
    """The cue timer for bilingual cues: one line of original per cue."""
    return CueTimer(dataclasses.replace(layout, max_lines=1))


def add_cues(timer: CueTimer, s: Sentence, next_begin: int | None, out: list[Cue]) -> None:
    """`timer.add` for one sentence, its translation shared out under its cues' lines."""
    first = len(out)
    timer.add(s, next_begin, out)
    t = s.translation
    if t is None or not t.text.strip():
        return
    mine = out[first:]
    parts = share_out(t.text, [max(1, text_width(c.text)) for c in mine])
    for k, (cue, part) in enumerate(zip(mine, parts, strict=True)):
        if part:
            out[first + k] = Cue(cue.index, cue.start_ms, cue.end_ms, (*cue.lines, part))


def share_out(text: str, weights: Sequence[int]) -> list[str]:
    """`text` cut into len(weights) consecutive parts, at words (characters for CJK text
    without spaces), each about its weight's share; every word in exactly one part."""
    units = text.split() if " " in text.strip() else list(text.strip())
    spaced = " " in text.strip()
    if len(weights) <= 1:
        return [text.strip()] * len(weights)
    total = sum(weights)
    bounds = [round(len(units) * c / total) for c in itertools.accumulate(weights)]
    bounds[-1] = len(units)
    parts, start = [], 0
    for end in bounds:
        end = max(end, start)
        piece = units[start:end]
        parts.append(_joined(piece, spaced))
        start = end
    return parts


def _joined(units: Sequence[str], spaced: bool) -> str:
    return (" " if spaced else "").join(units)
