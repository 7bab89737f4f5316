"""What every format takes (finals and gap markers, mixed, in any order) and the few views
of it that the formats share.

Dropped audio is never silently skipped: each format marks a gap where it happened, with
the same words, and puts it in the same place relative to the sentences around it. Those
rules live here, once, so that an SRT and a TXT of the same session cannot disagree.
Every exporter takes `Transcript.entries`; a plain list of sentences works as well.
"""

from __future__ import annotations

from collections.abc import Iterable

from captioner.events import Gap, Sentence
from captioner.transcript.model import in_time_order

#: Finals and gap markers, in any order (the exporters put them in time order).
Entries = Iterable[Sentence | Gap]


def speaker_label(sentence: Sentence) -> str:
    """`[Speaker N] ` before a sentence whose speaker is known (N counts from 1; the
    service's `speaker_id` from 0), else nothing: the one label SRT, VTT and TXT write."""
    return "" if sentence.speaker_id is None else f"[Speaker {int(sentence.speaker_id) + 1}] "


def gap_text(gap: Gap) -> str:
    """The marker every format shows where audio was dropped."""
    return f"[not captioned: {gap.duration_ms / 1000:.1f} s]"


def split_entries(entries: Entries) -> tuple[list[Sentence], list[Gap]]:
    """(sentences, gaps) from a mixed iterable, each in its original order."""
    sentences: list[Sentence] = []
    gaps: list[Gap] = []
    for e in entries:
        if isinstance(e, Gap):
            gaps.append(e)
        else:
            sentences.append(e)
    return sentences, gaps


def spoken_in_order(sentences: Iterable[Sentence]) -> list[Sentence]:
    """The sentences that make cues, in time order (stable for equal begins)."""
    kept = [s for s in sentences if s.text and not s.text.isspace()]
    if any(kept[i].begin_ms > kept[i + 1].begin_ms for i in range(len(kept) - 1)):
        kept.sort(key=lambda s: s.begin_ms)
    return kept


def in_order(entries: Entries) -> list[Sentence | Gap]:
    """Non-empty sentences and gaps by position; a gap goes before a sentence starting at
    the same ms (its audio was lost before that sentence's first frame)."""
    sentences, gaps = split_entries(entries)
    return in_time_order(spoken_in_order(sentences), sorted(gaps, key=lambda g: g.at_ms))


def clock(ms: int, sep: str) -> str:
    """`HH:MM:SS` + `sep` + milliseconds: SRT's clock with ",", WebVTT's with "."."""
    s, ms = divmod(max(0, ms), 1000)
    m, s = divmod(s, 60)
    h, m = divmod(m, 60)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"
