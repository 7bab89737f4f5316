"""Subtitle cues, shared by SRT and WebVTT (and the live SRT): what is on screen, when.

Cues are laid out for reading, not copied from the recognizer: a long sentence becomes
several cues (`lines` decides where it breaks), and each cue is timed from the sentence's
word timestamps when it has them, otherwise in proportion to its share of the text, so a
cue appears when its words are spoken. A recognizer's sentence may hold several spoken
sentences (a speaker who does not pause long enough to end one): cues break at every
sentence end inside it, and a stretch of speech longer than `max_duration_ms` is cut at a
word, so a cue is one sentence (or part of one) and never on screen longer than a reader
needs. The pieces partition the text, so no word is lost or shown twice. Cues never overlap and never run backwards, since
players handle either badly, and a short sentence stays on screen for a minimum time where
the next one leaves room, since a flash cannot be read. SRT and WebVTT differ only in how
they write a cue down, so both take their cues from `build_cues` and cannot drift apart.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from captioner.events import Gap, Sentence
from captioner.transcript.export.entries import Entries, gap_text, speaker_label, split_entries, spoken_in_order
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
    #: A sentence timed by its words is cut (at a word) into stretches no longer than this.
    max_duration_ms: int = 7000

    def __post_init__(self) -> None:
        if self.max_line_width < 4:
            raise ValueError(f"max_line_width must be at least 4 (got {self.max_line_width})")
        if self.max_lines < 1:
            raise ValueError(f"max_lines must be at least 1 (got {self.max_lines})")
        if self.max_duration_ms < 1000:
            raise ValueError(f"max_duration_ms must be at least 1000 (got {self.max_duration_ms})")
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


#: Sentence-ending marks, and what may follow one before the next sentence starts.
_ENDS = frozenset(".!?…")
_CJK_ENDS = frozenset("。！？")
_CLOSERS = frozenset("\"'”’)]」』）")
_OPENERS = frozenset("\"'“‘([「『（")
_MARK = re.compile("[.!?…。！？]")
#: Words after which a full stop does not end the sentence.
_ABBREVIATIONS = frozenset("mr mrs ms dr prof st jr sr vs etc e.g i.e mt no fig approx".split())


def sentence_ends(text: str) -> list[int]:
    """Offsets in `text` where a new spoken sentence starts (after a full stop, question or
    exclamation mark and the space after it; a capital, digit or CJK character next; not
    after a known abbreviation or an initial)."""
    starts = []
    n = len(text)
    marks = _ENDS | _CJK_ENDS
    for found in _MARK.finditer(text, 0, n - 1):  # a mark at the very end starts nothing
        i = found.start()
        ch = text[i]
        if text[i + 1] in marks:
            continue  # the last mark of a run ("?!", "...") decides
        cjk = ch in _CJK_ENDS
        j = i + 1
        while j < n and text[j] in _CLOSERS:
            j += 1
        k = j
        while k < n and text[k].isspace():
            k += 1
        if k >= n or (k == j and not cjk):
            continue  # the end of the text, or "3.5", "U.S." (no space after the mark)
        nxt = text[k + 1] if text[k] in _OPENERS and k + 1 < n else text[k]
        if not cjk:
            before = text[:i].split()
            word = before[-1].lower() if before else ""
            if ch == "." and (word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())):
                continue
            if not (nxt.isupper() or nxt.isdigit() or ord(nxt) >= 0x2E80):
                continue
        starts.append(k)
    return starts


def _word_offsets(sentence: Sentence, compact: str) -> list[int | None]:
    """Where each word starts in the text without spaces (as `_word_times` matches them)."""
    result: list[int | None] = []
    cursor = 0
    for word in sentence.words:
        found = None
        for piece in ("".join((word.text + word.punctuation).split()), "".join(word.text.split())):
            pos = compact.find(piece, cursor) if piece else -1
            if 0 <= pos - cursor <= 8:
                found, cursor = pos, pos + len(piece)
                break
        result.append(found)
    return result


def sentence_pieces(s: Sentence, max_ms: int) -> list[Sentence]:
    """`s` cut at each spoken sentence end, and (where words time it) into stretches of at
    most `max_ms`; the pieces' texts are consecutive parts of its text, nothing left out."""
    text = s.text
    cuts = sentence_ends(text)
    if not s.words and not cuts:
        return [s]
    spaces = [i for i, c in enumerate(text) if not c.isspace()]  # compact offset -> index
    compact = "".join(text[i] for i in spaces)
    before = [0] * (len(text) + 1)  # index -> compact offset
    for c, i in enumerate(spaces):
        before[i + 1] = c + 1
    for i in range(1, len(text) + 1):
        before[i] = max(before[i], before[i - 1])
    offsets = _word_offsets(s, compact) if s.words else []
    # A word timed outside its own sentence (or backwards) cannot place a cut inside it: such
    # times would push a piece past the sentence, into the next one's cues. Its text stays.
    located = [
        (o, w)
        for o, w in zip(offsets, s.words, strict=True)
        if o is not None and s.begin_ms <= w.begin_ms <= w.end_ms <= s.end_ms
    ]
    # Long stretches of one sentence: cut before the word that would run past max_ms.
    bounds = [0, *(before[c] for c in cuts), len(compact)]
    extra: list[int] = []
    for a, b in itertools.pairwise(bounds):
        inside = [(o, w) for o, w in located if a <= o < b]
        start = inside[0][1].begin_ms if inside else 0
        for o, w in inside[1:]:
            if w.end_ms - start > max_ms:
                extra.append(o)
                start = w.begin_ms
    starts = sorted({0, *(before[c] for c in cuts), *extra} - {len(compact)})
    if len(starts) == 1:
        return [s]
    total = len(compact) or 1
    pieces: list[Sentence] = []
    for a, b in itertools.pairwise([*starts, len(compact)]):
        words = tuple(w for o, w in located if a <= o < b)
        first, last = spaces[a], spaces[b - 1]
        if words:
            begin, end = words[0].begin_ms, words[-1].end_ms
        else:
            begin = s.begin_ms + (s.end_ms - s.begin_ms) * a // total
            end = s.begin_ms + (s.end_ms - s.begin_ms) * b // total
        if not pieces:
            begin = s.begin_ms  # the sentence's own edges bound its first and last piece
        if b == len(compact):
            end = s.end_ms
        begin = min(max(begin, s.begin_ms, pieces[-1].end_ms if pieces else s.begin_ms), s.end_ms)
        end = min(max(end, begin), s.end_ms)
        pieces.append(Sentence(text[first : last + 1], begin, end, True, words, s.sentence_id, s.speaker_id))
    return pieces


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
        first = len(out)
        pieces = sentence_pieces(s, self.layout.max_duration_ms)
        for k, piece in enumerate(pieces):
            self._add_piece(piece, pieces[k + 1].begin_ms if k + 1 < len(pieces) else next_begin, out)
        label = speaker_label(s)
        if label and first < len(out):
            # A known speaker opens the sentence's first cue ("[Speaker 1] ..."). It is
            # added after layout, so the words' places (and so the cue times) are the
            # same as without speakers; that first line may run past max_line_width.
            cue = out[first]
            out[first] = dataclasses.replace(cue, lines=(label + cue.lines[0], *cue.lines[1:]))

    def _add_piece(self, s: Sentence, next_begin: int | None, out: list[Cue]) -> None:
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
