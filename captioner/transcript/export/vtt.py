"""WebVTT (.vtt): the subtitle format browsers play (HTML `<track>`).

The cues are the SRT's, numbered alike, so the two files of one session can be compared
cue by cue; what differs is the clock's separator and that cue text is markup here.
"""

from __future__ import annotations

import html
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


def _vtt_escape(text: str) -> str:
    # WebVTT cue text is markup: &, < and > must be escaped, and escaping > also keeps
    # the forbidden "-->" out of cue text.
    if "&" in text or "<" in text or ">" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def to_vtt(sentences: Entries, layout: CueLayout = DEFAULT_LAYOUT) -> str:
    """WebVTT text, cues numbered like the SRT so the two can be compared."""
    return cues_to_vtt(build_cues(sentences, layout))


def cues_to_vtt(cues: Iterable[Cue]) -> str:
    parts = ["WEBVTT\n\n"]
    for c in cues:
        parts.append(f"{c.index}\n{clock(c.start_ms, '.')} --> {clock(c.end_ms, '.')}\n{_vtt_escape(c.text)}\n\n")
    return "".join(parts)


def vtt_unescape(text: str) -> str:
    """Cue text as written by `to_vtt` back to plain text."""
    return html.unescape(text)


def write_vtt(path: str | os.PathLike[str], sentences: Entries, layout: CueLayout = DEFAULT_LAYOUT) -> Path:
    return atomic_write_text(path, to_vtt(sentences, layout))


class VttExporter:
    name = "vtt"
    suffix = ".vtt"

    def render(self, entries: Entries, options: ExportOptions) -> str:
        entries = list(entries)
        if options.text == BOTH and has_translations(entries):
            return cues_to_vtt(bilingual_cues(entries, options.layout))
        return to_vtt(choose_text(entries, options.text), options.layout)
