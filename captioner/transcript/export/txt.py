"""Plain text (.txt): the transcript to read, quote or paste, one sentence per line.

No cue layout here: a reader of text wants whole sentences, so each keeps its line however
long it is, and times are only shown when asked for.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from captioner.events import Gap, Sentence
from captioner.transcript.export.bilingual import choose_text
from captioner.transcript.export.entries import Entries, clock, gap_text, in_order, speaker_label
from captioner.transcript.export.files import atomic_write_text

if TYPE_CHECKING:
    from captioner.transcript.export import ExportOptions


def to_txt(sentences: Entries, *, timestamps: bool = False, speakers: bool = True) -> str:
    """One sentence (or gap marker) per line; optionally `[HH:MM:SS] ` before each, and
    `[Speaker N] ` when the recognizer told speakers apart. A sentence's translation, when
    it carries one, goes on the line under it (indented like its text)."""
    lines = []
    for s in in_order(sentences):
        if isinstance(s, Gap):
            text, begin = gap_text(s), s.at_ms
        else:
            text, begin = " ".join(s.text.split()), s.begin_ms
            if speakers:
                text = speaker_label(s) + text
        stamp = f"[{clock(begin, ',').rsplit(',', 1)[0]}] " if timestamps else ""
        lines.append(stamp + text)
        t = s.translation if isinstance(s, Sentence) else None
        if t is not None and t.text.strip():
            lines.append(" " * len(stamp) + " ".join(t.text.split()))
    return "\n".join(lines) + "\n" if lines else ""


def write_txt(path: str | os.PathLike[str], sentences: Entries, *, timestamps: bool = False) -> Path:
    return atomic_write_text(path, to_txt(sentences, timestamps=timestamps))


class TxtExporter:
    name = "txt"
    suffix = ".txt"

    def render(self, entries: Entries, options: ExportOptions) -> str:
        return to_txt(choose_text(entries, options.text), timestamps=options.txt_timestamps)
