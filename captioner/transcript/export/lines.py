"""Where a sentence may break, and where it breaks best, measured in display columns.

A recognizer's sentence can run for half a minute, far more than a reader takes in at once,
so subtitles cut it into lines of about 42 columns, two lines to a cue. Columns, not
characters: a CJK character is twice as wide as a Latin one, so it counts two, and CJK text
without spaces breaks between characters (never before closing punctuation or after an
opening bracket, and preferably after a clause ends) where Latin text breaks between words.
Subtitles are the only place this matters, so `cues` is its only user; the JSON export
borrows `is_cjk_joiner` to join sentences the way they read.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from itertools import accumulate

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


def is_cjk_joiner(a: str, b: str) -> bool:
    """Whether `a` followed by `b` (no space) reads as CJK, i.e. joins with no space."""
    return char_width(a) == 2 and char_width(b) == 2


# --------------------------------------------------------------------------------------
# Tokens: the pieces a line may break between
# --------------------------------------------------------------------------------------


@dataclass(slots=True)
class Tokens:
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


def tokenize(text: str, max_width: int) -> Tokens:
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
            if (
                texts
                and not pending_space
                and not prefix
                and (cls == _ATTACH or after_zwj or (cls == _LATIN and in_word))
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
    return Tokens(texts, widths, spaced, all(spaced[1:]))


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


class SentenceLayout:
    """Line and cue breaking over one sentence's tokens, using prefix sums so the width of
    any run of tokens on one line is O(1)."""

    def __init__(self, tokens: Tokens, max_line_width: int, max_lines: int) -> None:
        self.t = tokens
        self.max_w = max_line_width
        self.max_lines = max_lines
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
