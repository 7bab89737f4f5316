"""Subtitle cues, shared by SRT and WebVTT (and the live SRT): what is on screen, when.

Cues are laid out for reading, not copied from the recognizer: a long sentence becomes
several cues (`lines` decides where it breaks), and each cue is timed from the sentence's
word timestamps when it has them, otherwise in proportion to its share of the text, so a
cue appears when its words are spoken. Cues never overlap and never run backwards, since
players handle either badly, and a short sentence stays on screen for a minimum time where
the next one leaves room, since a flash cannot be read. SRT and WebVTT differ only in how
they write a cue down, so both take their cues from `build_cues` and cannot drift apart.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from captioner.events import Gap, Sentence
from captioner.transcript.export.entries import Entries, gap_text, split_entries, spoken_in_order
from captioner.transcript.export.lines import SentenceLayout, text_width, tokenize

#: How long a gap's cue asks to stay on screen; it gets less where speech follows at once.
GAP_CUE_MS = 2000


@dataclass(frozen=True, slots=True)
class CueLayout:
    """How subtitle cues are cut.

    42 columns by two lines is the common broadcast guideline for Latin text; counting a
    CJK character as two columns gives the usual 16–21 characters per CJK line.
    """

    max_line_width: int = 42
    max_lines: int = 2
    #: A cue shorter than this is lengthened into the silence that follows it (or, failing
    #: that, started up to half of this earlier), never over a neighbouring cue.
    min_duration_ms: int = 800

    def __post_init__(self) -> None:
        if self.max_line_width < 4:
            raise ValueError(f"max_line_width must be at least 4 (got {self.max_line_width})")
        if self.max_lines < 1:
            raise ValueError(f"max_lines must be at least 1 (got {self.max_lines})")
        if self.min_duration_ms < 0:
            raise ValueError(f"min_duration_ms must not be negative (got {self.min_duration_ms})")


DEFAULT_LAYOUT = CueLayout()


@dataclass(frozen=True, slots=True)
class Cue:
    """One subtitle on screen: numbered from 1, times in ms on the session clock."""

    index: int
    start_ms: int
    end_ms: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


# --------------------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------------------


def _word_times(sentence: Sentence, offsets: Sequence[int]) -> list[int | None]:
    """Times at which the given non-space character offsets of the text are spoken, read
    from the word timestamps (interpolated inside a word; the next word's start for text
    between words). None where the words do not line up with the text."""
    compact = "".join(sentence.text.split())
    result: list[int | None] = [None] * len(offsets)
    pending = sorted(range(len(offsets)), key=offsets.__getitem__)
    p = 0
    cursor = 0
    for word in sentence.words:
        if p == len(pending):
            break
        piece = "".join((word.text + word.punctuation).split())
        pos = compact.find(piece, cursor) if piece else -1
        if pos < 0 or pos - cursor > 8:
            bare = "".join(word.text.split())
            pos = compact.find(bare, cursor) if bare else -1
            if pos < 0 or pos - cursor > 8:
                continue
            piece = bare
        end = pos + len(piece)
        while p < len(pending) and offsets[pending[p]] < end:
            off = offsets[pending[p]]
            if off <= pos:
                result[pending[p]] = word.begin_ms
            else:
                span = max(0, word.end_ms - word.begin_ms)
                result[pending[p]] = word.begin_ms + span * (off - pos) // len(piece)
            p += 1
        cursor = end
    return result


class CueTimer:
    """Turns sentences into timed cues one at a time, carrying what the next one needs
    (the number to give it and where the previous cue ended).

    A sentence's cues live inside its window: from its begin (not before the previous cue
    ends) to its end (not after the next sentence begins). Each cue lasts at least 1 ms
    so no player drops it; a sentence that has no room pushes the next one on by that much.
    """

    def __init__(self, layout: CueLayout, index: int = 1, prev_end: int = 0) -> None:
        self.layout = layout
        self.index = index
        self.prev_end = prev_end

    def copy(self) -> CueTimer:
        return CueTimer(self.layout, self.index, self.prev_end)

    def add(self, s: Sentence, next_begin: int | None, out: list[Cue]) -> None:
        layout = self.layout
        b = max(s.begin_ms, self.prev_end, 0)
        e = max(s.end_ms, b)
        if next_begin is not None:
            e = min(e, max(next_begin, b))
        text = s.text
        one = " ".join(text.split()) if len(text) <= 2 * layout.max_line_width else ""
        if one and (
            len(one) <= layout.max_line_width
            and (2 * len(one) <= layout.max_line_width or one.isascii() or text_width(one) <= layout.max_line_width)
        ):
            ranges_lines = [[one]]  # the common case: one line, nothing to lay out
            bounds = [b]
        else:
            lay = SentenceLayout(tokenize(text, layout.max_line_width), layout.max_line_width, layout.max_lines)
            ranges = lay.cues()
            ranges_lines = [lay.lines(x, y) for x, y in ranges]
            bounds = [b]
            if len(ranges) > 1:
                # Too short to read all its cues: borrow from the silence that follows.
                want = b + len(ranges) * layout.min_duration_ms
                if e < want:
                    e = min(want, max(next_begin, e)) if next_begin is not None else want
                cuts = [lay.compact_offset(x) for x, _ in ranges[1:]]
                timed = _word_times(s, cuts) if s.words else [None] * len(cuts)
                total = lay.pw[lay.n] or 1
                dur = e - b
                for (x, _), t in zip(ranges[1:], timed, strict=False):
                    bounds.append(t if t is not None else b + dur * lay.pw[x] // total)
        m = len(ranges_lines)
        e = max(e, b + m)
        bounds.append(e)
        for k in range(1, m):  # strictly increasing, each cue at least 1 ms
            bounds[k] = min(max(bounds[k], bounds[k - 1] + 1), e - (m - k))
        min_dur = layout.min_duration_ms
        if bounds[m] - bounds[m - 1] < min_dur:
            limit = next_begin if next_begin is not None else bounds[m - 1] + min_dur
            bounds[m] = max(bounds[m], min(bounds[m - 1] + min_dur, limit))
        if m == 1 and bounds[1] - bounds[0] < min_dur:
            # Still short: appear a little early, into the silence before, but by no more
            # than half the minimum (a caption far ahead of its speech reads as wrong).
            early = max(self.prev_end, bounds[1] - min_dur, bounds[0] - min_dur // 2, 0)
            bounds[0] = min(bounds[0], early)
        idx = self.index
        for k in range(m):
            out.append(Cue(idx + k, bounds[k], bounds[k + 1], tuple(ranges_lines[k])))
        self.index = idx + m
        self.prev_end = bounds[m]


def _gap_cue_sentences(ordered: list[Sentence], gaps: list[Gap]) -> list[Sentence]:
    """Each gap as a marker "sentence" for the cue layout.

    A gap inside a sentence (the engine heard speech on both sides of the dropped audio)
    is shown when that sentence's cues end: placed at its own position it would cut the
    sentence's cues short, hiding words that were captioned to mark ones that were not.
    """
    begins = [s.begin_ms for s in ordered]
    reach = list(accumulate((s.end_ms for s in ordered), max))  # latest end so far
    out = []
    for g in gaps:
        k = bisect.bisect_left(begins, g.at_ms)  # sentences that began before the gap
        at = max(g.at_ms, reach[k - 1]) if k else g.at_ms
        out.append(Sentence(gap_text(g), at, at + GAP_CUE_MS, True))
    return out


def build_cues(entries: Entries, layout: CueLayout = DEFAULT_LAYOUT) -> list[Cue]:
    """Lay the sentences (and gap markers) out as numbered, ordered, non-overlapping
    subtitle cues."""
    sentences, gaps = split_entries(entries)
    ordered = spoken_in_order(sentences)
    if gaps:
        # Markers first: the stable sort then puts a marker before a sentence that
        # starts where it does.
        ordered = sorted([*_gap_cue_sentences(ordered, gaps), *ordered], key=lambda s: s.begin_ms)
    timer = CueTimer(layout)
    out: list[Cue] = []
    for i, s in enumerate(ordered):
        timer.add(s, ordered[i + 1].begin_ms if i + 1 < len(ordered) else None, out)
    return out
