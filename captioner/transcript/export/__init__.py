"""Transcript files: SRT, WebVTT, plain text and JSON, written atomically.

Subtitle cues are laid out for reading, not copied from the recognizer: a long sentence
becomes several cues of at most two lines of about 42 columns (a CJK character counts two
columns, and CJK text without spaces breaks between characters, preferably after
punctuation), and each cue is timed from the sentence's word timestamps when it has them
(otherwise in proportion to its share of the text). Cues never overlap, never run backwards,
and a short sentence stays on screen for a minimum time where the next one leaves room.

The JSON file has the shape of DashScope's file-transcription result
(`transcripts[0].sentences[]` with `begin_time`/`end_time`/`text`/`sentence_id`/
`speaker_id`/`words[]`), so tools written for the service read ours, and `read_json` reads
both ours and the service's.

Dropped audio (a `Gap`: the engine could not keep up and audio was thrown away) is never
silently skipped: every format marks it where it happened, as "[not captioned: 3.2 s]" (a
cue, a line, or in JSON a `{"type": "gap", ...}` entry among the sentences). Every exporter
takes finals and gaps mixed in one iterable (`Transcript.entries`); a plain list of
sentences works as before.

Every file is written to a temporary file in the same folder and moved over the target with
`os.replace`, so a reader (or a crash) never sees half a file.
"""

from __future__ import annotations

import bisect
import contextlib
import html
import json
import math
import os
import secrets
import sys
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from json.encoder import encode_basestring as _encode_str
from pathlib import Path
from typing import Any

from captioner.events import Gap, Sentence
from captioner.protocol.sentences import sentence_from_dict, whole_ms
from captioner.transcript.model import in_time_order

#: Version of our JSON additions (the `captioner` key); the service's shape is unversioned.
#: 2: gap markers (`{"type": "gap"}`) may appear among the sentences.
JSON_FORMAT_VERSION = 2

#: Finals and gap markers, in any order (the exporters put them in time order).
Entries = Iterable[Sentence | Gap]
#: How long a gap's cue asks to stay on screen; it gets less where speech follows at once.
GAP_CUE_MS = 2000


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


# --------------------------------------------------------------------------------------
# Layout settings and cues
# --------------------------------------------------------------------------------------


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
# Character classes and widths
# --------------------------------------------------------------------------------------

#: Marks that must not start a line: they stay with what precedes them (kinsoku shori).
_CLOSING = frozenset(
    "，。、；：！？）」』》〉】〕〗〙〛｝］｠…‥・·”’,.;:!?)]}%‰℃°"
    "ーァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎ々〻ゝゞヽヾ～〜"
)
#: Wide opening brackets and quotes: they stay with what follows them.
_OPENING = frozenset("（「『《〈【〔〖〘〚｛［｟“‘")
#: A break right after one of these reads best (a clause or sentence ends there).
_BREAK_AFTER = frozenset("，。、；：！？,.;:!?…—")
_ZWJ = "\u200d"

_width_cache: dict[str, int] = {}


def char_width(ch: str) -> int:
    """Display columns of one character: 2 for wide (CJK, fullwidth), 0 for marks."""
    w = _width_cache.get(ch)
    if w is None:
        if ch < "\u0300":
            w = 0 if ch < " " or "\x7f" <= ch < "\xa0" else 1
        elif unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            w = 0
        elif unicodedata.east_asian_width(ch) in ("W", "F"):
            w = 2
        else:
            w = 1
        _width_cache[ch] = w
    return w


def text_width(text: str) -> int:
    """Display columns of a string (see `char_width`)."""
    if text.isascii():
        return len(text)
    return sum(map(char_width, text))


def _is_hangul(ch: str) -> bool:
    o = ord(ch)
    return 0xAC00 <= o <= 0xD7FF or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F or 0xA960 <= o <= 0xA97F


# Character classes for the tokenizer (with the width, cached per character).
_SPACE, _ATTACH, _OPEN, _CJK, _LATIN = range(5)
_class_cache: dict[str, tuple[int, int]] = {}


def _char_class(ch: str) -> tuple[int, int]:
    """(class, width): spaces separate; marks, joiners and closing punctuation attach to
    what precedes; wide opening brackets attach to what follows; other wide characters
    (except Hangul, which is written in spaced words) stand alone; the rest form words."""
    c = _class_cache.get(ch)
    if c is None:
        w = char_width(ch)
        if ch.isspace():
            c = (_SPACE, 0)
        elif w == 0 or ch in _CLOSING:
            c = (_ATTACH, w)
        elif w == 2 and ch in _OPENING:
            c = (_OPEN, w)
        elif w == 2 and not _is_hangul(ch):
            c = (_CJK, w)
        else:
            c = (_LATIN, w)
        _class_cache[ch] = c
    return c


def _is_cjk_joiner(a: str, b: str) -> bool:
    """Whether `a` followed by `b` (no space) reads as CJK, i.e. joins with no space."""
    return char_width(a) == 2 and char_width(b) == 2


# --------------------------------------------------------------------------------------
# Tokens: the pieces a line may break between
# --------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Tokens:
    """A sentence cut into unbreakable pieces.

    `spaced[i]` says a space separated token i from token i-1 in the source, so a line
    rebuilt from tokens keeps Latin words apart and CJK characters together.
    """

    texts: list[str]
    widths: list[int]
    spaced: list[bool]
    #: Every token but the first follows a space (plain spaced text): lines are " ".join.
    latin: bool = False

    def line(self, a: int, b: int) -> str:
        texts, spaced = self.texts, self.spaced
        if self.latin:
            return " ".join(texts[a:b])
        parts = [texts[a]]
        for i in range(a + 1, b):
            if spaced[i]:
                parts.append(" ")
            parts.append(texts[i])
        return "".join(parts)


def _tokenize(text: str, max_width: int) -> _Tokens:
    """Latin-like words stay whole; CJK breaks between characters (keeping punctuation with
    the character before it and opening brackets with the one after it); anything wider
    than two lines is cut into line-sized chunks, since no reader can take it whole."""
    if text.isascii():
        texts = text.split()
        widths = [len(t) for t in texts]
        spaced = [True] * len(texts)
    else:
        texts, widths, spaced = [], [], []
        in_word = False  # the last token is a Latin-like run that more letters extend
        pending_space = False
        prefix, prefix_w, prefix_spaced = "", 0, False
        after_zwj = False
        cache = _class_cache
        for ch in text:
            cls, w = cache.get(ch) or _char_class(ch)
            if cls == _SPACE:
                if prefix:  # an opening bracket followed by a space stands alone
                    texts.append(prefix)
                    widths.append(prefix_w)
                    spaced.append(prefix_spaced)
                    prefix, prefix_w, in_word = "", 0, False
                pending_space = True
                after_zwj = False
                continue
            if texts and not pending_space and not prefix and (
                cls == _ATTACH or after_zwj or (cls == _LATIN and in_word)
            ):
                texts[-1] += ch
                widths[-1] += w
            elif cls == _OPEN:
                if not prefix:
                    prefix_spaced = pending_space
                prefix += ch
                prefix_w += w
                pending_space = False
            else:
                if prefix:
                    texts.append(prefix + ch)
                    widths.append(prefix_w + w)
                    spaced.append(prefix_spaced)
                    prefix, prefix_w = "", 0
                else:
                    texts.append(ch)
                    widths.append(w)
                    spaced.append(pending_space)
                in_word = cls == _LATIN or (cls == _ATTACH and w < 2)
                pending_space = False
            after_zwj = ch == _ZWJ
        if prefix:
            texts.append(prefix)
            widths.append(prefix_w)
            spaced.append(prefix_spaced)
    if spaced:
        spaced[0] = False
    limit = 2 * max_width
    if any(w > limit for w in widths):
        texts, widths, spaced = _chop_long(texts, widths, spaced, max_width, limit)
    return _Tokens(texts, widths, spaced, all(spaced[1:]))


def _chop_long(
    texts: list[str], widths: list[int], spaced: list[bool], max_width: int, limit: int
) -> tuple[list[str], list[int], list[bool]]:
    """Cut tokens wider than `limit` into pieces of at most `max_width` columns, never
    before a zero-width mark (so an accent stays on its letter)."""
    out_t: list[str] = []
    out_w: list[int] = []
    out_s: list[bool] = []
    for t, w, s in zip(texts, widths, spaced, strict=False):
        if w <= limit:
            out_t.append(t)
            out_w.append(w)
            out_s.append(s)
            continue
        piece, pw, first = "", 0, True
        for ch in t:
            cw = char_width(ch)
            if piece and cw and pw + cw > max_width:
                out_t.append(piece)
                out_w.append(pw)
                out_s.append(s if first else False)
                piece, pw, first = "", 0, False
            piece += ch
            pw += cw
        if piece:
            out_t.append(piece)
            out_w.append(pw)
            out_s.append(s if first else False)
    return out_t, out_w, out_s


# --------------------------------------------------------------------------------------
# Cutting a sentence into cues and lines
# --------------------------------------------------------------------------------------


class _Layout:
    """Line and cue breaking over one sentence's tokens, using prefix sums so the width of
    any run of tokens on one line is O(1)."""

    def __init__(self, tokens: _Tokens, layout: CueLayout) -> None:
        self.t = tokens
        self.max_w = layout.max_line_width
        self.max_lines = layout.max_lines
        self.n = len(tokens.texts)
        self.pw = [0, *accumulate(tokens.widths)]
        self.ps = [0, *accumulate(tokens.spaced)]
        self.punct = [bool(x) and x[-1] in _BREAK_AFTER for x in tokens.texts]

    def width(self, a: int, b: int) -> int:
        """Columns of tokens[a:b] on one line."""
        if b <= a:
            return 0
        return self.pw[b] - self.pw[a] + self.ps[b] - self.ps[a + 1]

    def greedy_lines(self, a: int, b: int) -> list[tuple[int, int]]:
        """Fill lines left to right; a token wider than a line gets a line of its own."""
        widths, spaced, max_w = self.t.widths, self.t.spaced, self.max_w
        lines = []
        start, cur = a, widths[a]
        for i in range(a + 1, b):
            w = widths[i]
            nxt = cur + spaced[i] + w
            if nxt <= max_w:
                cur = nxt
            else:
                lines.append((start, i))
                start, cur = i, w
        lines.append((start, b))
        return lines

    def _fit_end(self, a: int) -> int:
        """The largest b such that tokens[a:b] fills at most max_lines lines."""
        widths, spaced, max_w = self.t.widths, self.t.spaced, self.max_w
        lines, cur = 1, widths[a]
        for i in range(a + 1, self.n):
            w = widths[i]
            nxt = cur + spaced[i] + w
            if nxt <= max_w:
                cur = nxt
            elif lines == self.max_lines:
                return i
            else:
                lines += 1
                cur = w
        return self.n

    def fits_cue(self, a: int, b: int) -> bool:
        return b > a and len(self.greedy_lines(a, b)) <= self.max_lines

    def cues(self) -> list[tuple[int, int]]:
        """Token ranges, one per cue: full cues, cut after punctuation when that keeps the
        cue at least half full, and a short last cue evened out with the one before."""
        out: list[tuple[int, int]] = []
        a = 0
        while a < self.n:
            b = self._fit_end(a)
            if b < self.n and not self.punct[b - 1]:
                full = self.width(a, b)
                for j in range(b - 1, a, -1):
                    if 2 * self.width(a, j) < full:
                        break
                    if self.punct[j - 1]:
                        b = j
                        break
            out.append((a, b))
            a = b
        if len(out) >= 2:
            (a, m), (_, b) = out[-2], out[-1]
            if 2 * self.width(m, b) < self.width(a, m):
                best, best_cost = m, abs(self.width(a, m) - self.width(m, b))
                for k in range(m - 1, a, -1):
                    w1, w2 = self.width(a, k), self.width(k, b)
                    if w2 > w1 + self.max_w:
                        break
                    cost = abs(w1 - w2) - (self.max_w // 2 if self.punct[k - 1] else 0)
                    if cost < best_cost and self.fits_cue(a, k) and self.fits_cue(k, b):
                        best, best_cost = k, cost
                out[-2:] = [(a, best), (best, b)]
        return out

    def lines(self, a: int, b: int) -> list[str]:
        """The cue's lines: one if it fits, two balanced ones (preferring a break after
        punctuation, and a longer bottom line) when max_lines is 2, else filled greedily."""
        t = self.t
        if self.width(a, b) <= self.max_w or b - a == 1:
            return [t.line(a, b)]
        if self.max_lines == 2:
            best, best_cost = -1, math.inf
            pw, ps, punct, max_w = self.pw, self.ps, self.punct, self.max_w
            bonus = max_w // 2  # a clause break is worth up to half a line of imbalance
            for k in range(a + 1, b):
                w1 = pw[k] - pw[a] + ps[k] - ps[a + 1]
                w2 = pw[b] - pw[k] + ps[b] - ps[k + 1]
                if (w1 > max_w and k - a > 1) or (w2 > max_w and b - k > 1):
                    continue
                cost = abs(w1 - w2) + (w1 > w2) - (bonus if punct[k - 1] else 0)
                if cost < best_cost:
                    best, best_cost = k, cost
            if best > 0:
                return [t.line(a, best), t.line(best, b)]
        return [t.line(x, y) for x, y in self.greedy_lines(a, b)]

    def compact_offset(self, k: int) -> int:
        """How many non-space characters precede token k."""
        return sum(len(x) for x in self.t.texts[:k])


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


class _Timer:
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

    def copy(self) -> _Timer:
        return _Timer(self.layout, self.index, self.prev_end)

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
            lay = _Layout(_tokenize(text, layout.max_line_width), layout)
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


def _ordered(sentences: Iterable[Sentence]) -> list[Sentence]:
    """The sentences that make cues, in time order (stable for equal begins)."""
    kept = [s for s in sentences if s.text and not s.text.isspace()]
    if any(kept[i].begin_ms > kept[i + 1].begin_ms for i in range(len(kept) - 1)):
        kept.sort(key=lambda s: s.begin_ms)
    return kept


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
    ordered = _ordered(sentences)
    if gaps:
        # Markers first: the stable sort then puts a marker before a sentence that
        # starts where it does.
        ordered = sorted([*_gap_cue_sentences(ordered, gaps), *ordered], key=lambda s: s.begin_ms)
    timer = _Timer(layout)
    out: list[Cue] = []
    for i, s in enumerate(ordered):
        timer.add(s, ordered[i + 1].begin_ms if i + 1 < len(ordered) else None, out)
    return out


# --------------------------------------------------------------------------------------
# SRT and WebVTT
# --------------------------------------------------------------------------------------


def _clock(ms: int, sep: str) -> str:
    s, ms = divmod(max(0, ms), 1000)
    m, s = divmod(s, 60)
    h, m = divmod(m, 60)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def srt_block(cue: Cue) -> str:
    """One SRT cue, with the blank line that ends it."""
    return f"{cue.index}\n{_clock(cue.start_ms, ',')} --> {_clock(cue.end_ms, ',')}\n{cue.text}\n\n"


def cues_to_srt(cues: Iterable[Cue]) -> str:
    return "".join([srt_block(c) for c in cues])


def to_srt(sentences: Entries, layout: CueLayout = DEFAULT_LAYOUT) -> str:
    """SubRip text (UTF-8 without BOM when written; LF line ends)."""
    return cues_to_srt(build_cues(sentences, layout))


def _vtt_escape(text: str) -> str:
    # WebVTT cue text is markup: &, < and > must be escaped, and escaping > also keeps
    # the forbidden "-->" out of cue text.
    if "&" in text or "<" in text or ">" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def to_vtt(sentences: Entries, layout: CueLayout = DEFAULT_LAYOUT) -> str:
    """WebVTT text, cues numbered like the SRT so the two can be compared."""
    parts = ["WEBVTT\n\n"]
    for c in build_cues(sentences, layout):
        parts.append(
            f"{c.index}\n{_clock(c.start_ms, '.')} --> {_clock(c.end_ms, '.')}\n{_vtt_escape(c.text)}\n\n"
        )
    return "".join(parts)


def vtt_unescape(text: str) -> str:
    """Cue text as written by `to_vtt` back to plain text."""
    return html.unescape(text)


# --------------------------------------------------------------------------------------
# Plain text
# --------------------------------------------------------------------------------------


def _in_order(entries: Entries) -> list[Sentence | Gap]:
    """Non-empty sentences and gaps by position; a gap goes before a sentence starting at
    the same ms (its audio was lost before that sentence's first frame)."""
    sentences, gaps = split_entries(entries)
    return in_time_order(_ordered(sentences), sorted(gaps, key=lambda g: g.at_ms))


def to_txt(sentences: Entries, *, timestamps: bool = False, speakers: bool = True) -> str:
    """One sentence (or gap marker) per line; optionally `[HH:MM:SS] ` before each, and
    `Speaker N: ` when the recognizer told speakers apart."""
    lines = []
    for s in _in_order(sentences):
        if isinstance(s, Gap):
            text, begin = gap_text(s), s.at_ms
        else:
            text, begin = " ".join(s.text.split()), s.begin_ms
            if speakers and s.speaker_id is not None:
                text = f"Speaker {s.speaker_id}: {text}"
        if timestamps:
            text = f"[{_clock(begin, ',').rsplit(',', 1)[0]}] {text}"
        lines.append(text)
    return "\n".join(lines) + "\n" if lines else ""


# --------------------------------------------------------------------------------------
# JSON (the service's file-transcription shape)
# --------------------------------------------------------------------------------------


def _sentence_json(s: Sentence) -> str:
    """`json.dumps(sentence_to_dict(s), ensure_ascii=False)`, formatted by hand: twice as
    fast on word-heavy transcripts, where the encoder's per-dict cost dominates."""
    esc = _encode_str
    words = ", ".join([
        f'{{"begin_time": {int(w.begin_ms)}, "end_time": {int(w.end_ms)}, "text": {esc(w.text)}, '
        f'"punctuation": {esc(w.punctuation)}}}'
        for w in s.words
    ])
    speaker = "" if s.speaker_id is None else f', "speaker_id": {int(s.speaker_id)}'
    return (
        f'{{"begin_time": {int(s.begin_ms)}, "end_time": {int(s.end_ms)}, "text": {esc(s.text)}, '
        f'"sentence_id": {int(s.sentence_id)}{speaker}, "words": [{words}]}}'
    )


def gap_to_dict(g: Gap) -> dict[str, Any]:
    """A gap among the JSON sentences: typed for our reader, and shaped enough like a
    sentence (times, the marker as text, no words) that the service's tools show it."""
    return {
        "type": "gap",
        "begin_time": g.at_ms,
        "end_time": g.at_ms,
        "duration_ms": g.duration_ms,
        "text": gap_text(g),
        "words": [],
    }


def gap_from_dict(d: Any, where: str = "gap") -> Gap:
    """Read a gap written by `gap_to_dict` (or a journal's gap line)."""
    if not isinstance(d, dict):
        raise ValueError(f"{where}: expected an object (got {type(d).__name__})")
    duration = whole_ms(d, "duration_ms", where)
    if duration < 0:
        raise ValueError(f"{where}: duration_ms must not be negative")
    return Gap(whole_ms(d, "begin_time", where), duration)


def _join_texts(texts: Iterable[str]) -> str:
    """Sentences joined the way they read: CJK sentences run on, others take a space."""
    out = ""
    for t in texts:
        t = t.strip()
        if not t:
            continue
        if out and not _is_cjk_joiner(out[-1], t[0]):
            out += " "
        out += t
    return out


def to_json(sentences: Entries, *, meta: dict[str, Any] | None = None) -> str:
    """The service's result shape, one sentence per line (readable, diffable, and fast:
    the C encoder only runs without `indent`). `meta` (e.g. the session's) goes under
    the `captioner` key, which the service's readers ignore. Gaps go among the sentences
    as `{"type": "gap", ...}` at their position."""
    sentences, gaps = split_entries(sentences)
    ordered = sorted(sentences, key=lambda s: s.begin_ms)
    extra: dict[str, Any] = {"format_version": JSON_FORMAT_VERSION}
    if meta:
        extra["session"] = meta
    head = {
        "channel_id": 0,
        "content_duration_in_milliseconds": sum(max(0, s.end_ms - s.begin_ms) for s in ordered),
        "text": _join_texts(s.text for s in ordered),
    }
    dumps = json.dumps
    lines = [_sentence_json(s) for s in ordered]
    if gaps:
        marked = sorted(
            [*((s.begin_ms, 1, line) for s, line in zip(ordered, lines, strict=False)),
             *((g.at_ms, 0, dumps(gap_to_dict(g), ensure_ascii=False)) for g in gaps)],
            key=lambda t: t[:2],
        )
        lines = [line for _, _, line in marked]
        head["text"] = _join_texts(gap_text(e) if isinstance(e, Gap) else e.text for e in _in_order([*ordered, *gaps]))
    body = ",\n".join(lines)
    head_json = dumps(head, ensure_ascii=False)[:-1]
    return (
        '{"captioner": ' + dumps(extra, ensure_ascii=False) + ',\n"transcripts": [' + head_json
        + ', "sentences": [\n' + body + ("\n" if body else "") + "]}]}\n"
    )


def loads_json(text: str) -> tuple[list[Sentence], dict[str, Any]]:
    """Sentences (in time order, every channel) and our session metadata (empty for the
    service's files) from JSON text. Raises ValueError on anything else. Gap markers are
    left out (`loads_json_with_gaps` returns them)."""
    sentences, _gaps, meta = loads_json_with_gaps(text)
    return sentences, meta


def loads_json_with_gaps(text: str) -> tuple[list[Sentence], list[Gap], dict[str, Any]]:
    """Like `loads_json`, plus the gap markers (in time order)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("transcripts"), list):
        raise ValueError("not a transcript: no transcripts[] list")
    out: list[Sentence] = []
    gaps: list[Gap] = []
    for i, tr in enumerate(data["transcripts"]):
        if not isinstance(tr, dict):
            raise ValueError(f"transcripts[{i}]: expected an object")
        for j, sd in enumerate(tr.get("sentences") or ()):
            where = f"transcripts[{i}].sentences[{j}]"
            if isinstance(sd, dict) and sd.get("type") == "gap":
                gaps.append(gap_from_dict(sd, where))
            else:
                out.append(sentence_from_dict(sd, where))
    out.sort(key=lambda s: s.begin_ms)
    gaps.sort(key=lambda g: g.at_ms)
    extra = data.get("captioner")
    meta = extra.get("session") if isinstance(extra, dict) else None
    return out, gaps, dict(meta) if isinstance(meta, dict) else {}


def read_json(path: str | os.PathLike[str]) -> list[Sentence]:
    """Sentences from a JSON transcript (ours or the service's result file)."""
    return loads_json(Path(path).read_text(encoding="utf-8"))[0]


# --------------------------------------------------------------------------------------
# Atomic writes
# --------------------------------------------------------------------------------------


def _fsync_dir(folder: Path) -> None:
    """Make a rename or a new file durable (POSIX; Windows has no directory handles)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_text(path: str | os.PathLike[str], text: str, *, durable: bool = True) -> Path:
    """Write `text` (UTF-8) so that `path` holds either the old content or all the new.

    The temporary file sits beside the target (same file system, so the rename is
    atomic), is created with the umask's usual permissions (or the old file's), and is
    removed if anything fails. `durable` fsyncs before and after the rename so the new
    content also survives a power cut.
    """
    target = Path(path)
    folder = target.parent
    tmp = folder / f".{target.name}.{secrets.token_hex(4)}.tmp"
    data = text.encode("utf-8")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        try:
            view = memoryview(data)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        with contextlib.suppress(OSError):
            os.chmod(tmp, os.stat(target).st_mode & 0o7777)
        _replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable:
        _fsync_dir(folder)
    return target


def _replace(src: Path, dst: Path) -> None:
    """os.replace, retried briefly on Windows where a reader holding the file open
    (a player tailing the live SRT) makes the rename fail for a moment."""
    attempts = 10 if sys.platform == "win32" else 1
    for attempt in range(attempts):
        try:
            os.replace(src, dst)
            return
        except PermissionError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.05)


# --------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------


def write_srt(path: str | os.PathLike[str], sentences: Entries, layout: CueLayout = DEFAULT_LAYOUT) -> Path:
    return atomic_write_text(path, to_srt(sentences, layout))


def write_vtt(path: str | os.PathLike[str], sentences: Entries, layout: CueLayout = DEFAULT_LAYOUT) -> Path:
    return atomic_write_text(path, to_vtt(sentences, layout))


def write_txt(path: str | os.PathLike[str], sentences: Entries, *, timestamps: bool = False) -> Path:
    return atomic_write_text(path, to_txt(sentences, timestamps=timestamps))


def write_json(
    path: str | os.PathLike[str], sentences: Entries, *, meta: dict[str, Any] | None = None
) -> Path:
    return atomic_write_text(path, to_json(sentences, meta=meta))


def write_exports(
    sentences: Entries,
    *,
    srt: str | os.PathLike[str] | None = None,
    vtt: str | os.PathLike[str] | None = None,
    txt: str | os.PathLike[str] | None = None,
    json: str | os.PathLike[str] | None = None,
    meta: dict[str, Any] | None = None,
    layout: CueLayout = DEFAULT_LAYOUT,
    txt_timestamps: bool = False,
) -> list[Path]:
    """Write each requested format (None = skip); returns the paths written, in order
    srt, vtt, txt, json. Each file is atomic on its own. `sentences` may hold gaps
    (`Transcript.entries`): each format marks them."""
    finals = list(sentences)
    written = []
    if srt is not None:
        written.append(write_srt(srt, finals, layout))
    if vtt is not None:
        written.append(write_vtt(vtt, finals, layout))
    if txt is not None:
        written.append(write_txt(txt, finals, timestamps=txt_timestamps))
    if json is not None:
        written.append(write_json(json, finals, meta=meta))
    return written
