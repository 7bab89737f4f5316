"""SubRip (.srt): the subtitle format every player and editor reads.

Only the writing down of cues is SRT's own; the cues come from `cues`, which WebVTT and the
live SRT share, so the three never lay out or time a sentence differently.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from captioner.transcript.export.bilingual import BOTH, bilingual_cues, choose_text, has_translations
from captioner.transcript.export.cues import DEFAULT_LAYOUT, Cue, CueLayout, build_cues
from captioner.transcript.export.entries import Entries, clock
from captioner.transcript.export.files import atomic_write_text

if TYPE_CHECKING:
    from captioner.transcript.export import ExportOptions


def srt_block(cue: Cue) -> str:
    """One SRT cue, with the blank line that ends it."""
    return f"{cue.index}\n{clock(cue.start_ms, ',')} --> {clock(cue.end_ms, ',')}\n{cue.text}\n\n"


def cues_to_srt(cues: Iterable[Cue]) -> str:
    return "".join([srt_block(c) for c in cues])


def to_srt(sentences: Entries, layout: CueLayout = DEFAULT_LAYOUT) -> str:
    """SubRip text (UTF-8 without BOM when written; LF line ends)."""
    return cues_to_srt(build_cues(sentences, layout))


def write_srt(path: str | os.PathLike[str], sentences: Entries, layout: CueLayout = DEFAULT_LAYOUT) -> Path:
    return atomic_write_text(path, to_srt(sentences, layout))


class SrtExporter:
    name = "srt"
    suffix = ".srt"

    def render(self, entries: Entries, options: ExportOptions) -> str:
        entries = list(entries)
        if options.text == BOTH and has_translations(entries):
            return cues_to_srt(bilingual_cues(entries, options.layout))
        return to_srt(choose_text(entries, options.text), options.layout)
