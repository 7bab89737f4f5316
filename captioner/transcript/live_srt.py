"""A live SRT file: rewritten as each final arrives, so another program can follow it.

Each rewrite goes to a temporary file that is renamed over the target, so a reader opening
the file at any moment gets a complete, valid SRT (never a half-written one), and after the
session the file is exactly what `export.to_srt` would write for the same finals.

Only the last sentence's cues can still change when a new final arrives (its end is
clipped to the next sentence's start and its minimum duration depends on the gap), so the
cues before it are laid out once and kept as text: a rewrite costs one sentence's layout
plus the file write, however long the session.

A translated session (sentences carrying a `translation`) gets the two-line cues of the SRT
export's "both" (bilingual.py), laid out the same way, one sentence at a time.

Gaps (audio dropped because the engine could not keep up) are marked as in `to_srt`. A
marker's place depends on the sentence being spoken around it, whose final comes later,
so once a session has a gap each rewrite lays the whole file out again (as an export
would): simple and exact, at a cost that only sessions that already lost audio pay.
"""

from __future__ import annotations

import os
from pathlib import Path

from captioner.events import Gap, Sentence
from captioner.transcript.export.bilingual import add_cues, bilingual_cues, bilingual_timer, with_text
from captioner.transcript.export.cues import DEFAULT_LAYOUT, Cue, CueLayout, CueTimer, build_cues
from captioner.transcript.export.entries import spoken_in_order
from captioner.transcript.export.files import atomic_write_text
from captioner.transcript.export.srt import cues_to_srt


class LiveSrtWriter:
    """Feed it finals with `append`; the SRT at `path` follows.

    It is a pipeline sink (the same `append(sentence)` as the journal). Partials are
    ignored. `durable=False` skips the fsyncs: a live file is a convenience copy, the
    journal is what survives a crash.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        layout: CueLayout = DEFAULT_LAYOUT,
        durable: bool = False,
        create: bool = True,
    ) -> None:
        self.path = Path(path)
        self.layout = layout
        self.durable = durable
        self.sentences: list[Sentence] = []
        self.gaps: list[Gap] = []
        self._frozen: list[str] = []  # SRT text of every sentence but the last
        self._timer = CueTimer(layout)  # state after the frozen sentences
        self._last: Sentence | None = None
        #: Decided by the first final: a translated session's cues carry the translation.
        self._bilingual: bool | None = None
        if create:
            atomic_write_text(self.path, "", durable=durable)

    def append(self, sentence: Sentence) -> None:
        """Take a final (partials are ignored) and rewrite the file."""
        if sentence.final and self._bilingual is None:
            self._bilingual = sentence.translation is not None
            if self._bilingual:
                self._timer = bilingual_timer(self.layout)
        if self._bilingual:
            sentence = with_text(sentence)
        if not sentence.final or not sentence.text.strip():
            if sentence.final:
                self.sentences.append(sentence)
            return
        self.sentences.append(sentence)
        last = self._last
        if last is not None and sentence.begin_ms < last.begin_ms:
            self._rebuild()  # out of order: lay everything out again, as an export would
        else:
            if last is not None:
                cues: list[Cue] = []
                self._add(self._timer, last, sentence.begin_ms, cues)
                self._frozen.append(cues_to_srt(cues))
            self._last = sentence
        self._write()

    def _add(self, timer: CueTimer, s: Sentence, next_begin: int | None, out: list[Cue]) -> None:
        if self._bilingual:
            add_cues(timer, s, next_begin, out)
        else:
            timer.add(s, next_begin, out)

    def append_gap(self, gap: Gap) -> None:
        """Take a gap (dropped audio) and rewrite the file with its marker."""
        self.gaps.append(gap)
        self._write()

    def _rebuild(self) -> None:
        ordered = spoken_in_order(self.sentences)
        self._frozen = []
        self._timer = bilingual_timer(self.layout) if self._bilingual else CueTimer(self.layout)
        for i, s in enumerate(ordered[:-1]):
            cues: list[Cue] = []
            self._add(self._timer, s, ordered[i + 1].begin_ms, cues)
            self._frozen.append(cues_to_srt(cues))
        self._last = ordered[-1] if ordered else None

    def text(self) -> str:
        """What the file holds now."""
        if self.gaps:
            build = bilingual_cues if self._bilingual else build_cues
            return cues_to_srt(build([*self.sentences, *self.gaps], self.layout))
        tail: list[Cue] = []
        if self._last is not None:
            self._add(self._timer.copy(), self._last, None, tail)
        return "".join(self._frozen) + cues_to_srt(tail)

    def _write(self) -> None:
        atomic_write_text(self.path, self.text(), durable=self.durable)

    def close(self) -> None:
        """Write the final version once more, durably (the live rewrites may skip fsync)."""
        atomic_write_text(self.path, self.text(), durable=True)
