"""Transcript files: one exporter per format (SRT, WebVTT, plain text, JSON), one interface.

Every caller that saves a transcript (Save in the window, a file job, `captioner transcribe`,
`captioner recover`) asks for some set of formats, and each format has its own options (cue
layout, metadata, timestamps). Behind `Exporter` they all look alike: a name, a file
suffix, and `render(entries, options) -> str`, with one `ExportOptions` carrying every
option so that one set of options serves any set of formats. A new format is a module and
one entry in `EXPORTERS`, and `write_export` writes it like the others.

Two promises hold for every format because each is kept in one place, not in each format: gaps
(dropped audio) are marked where they happened (`entries`), and every file is written to a
temporary file beside the target and moved over it, so a reader or a crash never sees half
a file (`files`).

The functions callers used when this was one module are still importable from here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol

from captioner.transcript.export.bilingual import BOTH, TEXT_CHOICES, bilingual_cues, check_choice, choose_text
from captioner.transcript.export.cues import DEFAULT_LAYOUT, GAP_CUE_MS, Cue, CueLayout, CueTimer, build_cues
from captioner.transcript.export.entries import Entries, clock, gap_text, split_entries
from captioner.transcript.export.files import atomic_write_text
from captioner.transcript.export.json_format import (
    JSON_FORMAT_VERSION,
    JsonExporter,
    gap_from_dict,
    gap_to_dict,
    loads_json,
    loads_json_with_gaps,
    read_json,
    to_json,
    write_json,
)
from captioner.transcript.export.lines import char_width, text_width
from captioner.transcript.export.srt import SrtExporter, cues_to_srt, srt_block, to_srt, write_srt
from captioner.transcript.export.txt import TxtExporter, to_txt, write_txt
from captioner.transcript.export.vtt import VttExporter, to_vtt, vtt_unescape, write_vtt

__all__ = [
    "DEFAULT_LAYOUT",
    "DEFAULT_OPTIONS",
    "EXPORTERS",
    "GAP_CUE_MS",
    "JSON_FORMAT_VERSION",
    "TEXT_CHOICES",
    "Cue",
    "CueLayout",
    "CueTimer",
    "Entries",
    "ExportOptions",
    "Exporter",
    "atomic_write_text",
    "bilingual_cues",
    "build_cues",
    "char_width",
    "choose_text",
    "clock",
    "cues_to_srt",
    "gap_from_dict",
    "gap_text",
    "gap_to_dict",
    "loads_json",
    "loads_json_with_gaps",
    "read_json",
    "split_entries",
    "srt_block",
    "text_width",
    "to_json",
    "to_srt",
    "to_txt",
    "to_vtt",
    "vtt_unescape",
    "write_export",
    "write_exports",
    "write_json",
    "write_srt",
    "write_txt",
    "write_vtt",
]

#: The name the clock had when the exporters were one module.
_clock = clock


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """Every format's options in one value; each exporter reads the ones that apply to it."""

    #: SRT and WebVTT: how cues are cut.
    layout: CueLayout = DEFAULT_LAYOUT
    #: JSON: the session's metadata, under the `captioner` key.
    meta: dict[str, Any] | None = None
    #: Plain text: `[HH:MM:SS] ` before each line.
    txt_timestamps: bool = False
    #: Translated sentences: "original", "translation" or "both" (bilingual.TEXT_CHOICES).
    text: str = BOTH

    def __post_init__(self) -> None:
        check_choice(self.text)


DEFAULT_OPTIONS = ExportOptions()


class Exporter(Protocol):
    """One file format. Stateless, so the registered instances serve every caller."""

    @property
    def name(self) -> str:
        """The key in `EXPORTERS`: what a command line or a setting calls the format."""
        ...

    @property
    def suffix(self) -> str:
        """The file name ending, with its dot."""
        ...

    def render(self, entries: Entries, options: ExportOptions) -> str:
        """The whole file's text. `entries` may hold gaps (`Transcript.entries`)."""
        ...


_ALL: tuple[Exporter, ...] = (SrtExporter(), VttExporter(), TxtExporter(), JsonExporter())
#: Every format, by name, in the order `write_exports` writes them.
EXPORTERS: Mapping[str, Exporter] = MappingProxyType({e.name: e for e in _ALL})


def write_export(
    exporter: Exporter, path: str | os.PathLike[str], entries: Entries, options: ExportOptions = DEFAULT_OPTIONS
) -> Path:
    """Render and write one format atomically; returns the path written."""
    return atomic_write_text(path, exporter.render(entries, options))


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
    text: str = BOTH,
) -> list[Path]:
    """Write each requested format (None = skip); returns the paths written, in order
    srt, vtt, txt, json. Each file is atomic on its own. `sentences` may hold gaps
    (`Transcript.entries`): each format marks them. `text`: which text translated
    sentences get (bilingual.py)."""
    finals = list(sentences)  # every format reads them, so an iterator is read once
    options = ExportOptions(layout=layout, meta=meta, txt_timestamps=txt_timestamps, text=text)
    targets = {"srt": srt, "vtt": vtt, "txt": txt, "json": json}
    return [
        write_export(exporter, path, finals, options)
        for name, exporter in EXPORTERS.items()
        if (path := targets[name]) is not None
    ]
