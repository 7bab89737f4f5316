"""JSON (.json) in the shape of DashScope's file-transcription result, for other programs.

`transcripts[0].sentences[]` with `begin_time`/`end_time`/`text`/`sentence_id`/
`speaker_id`/`words[]`: tools written for the service read our files, and `read_json` reads
both ours and the service's. What the service has no place for (the session's metadata,
gaps) goes where its readers do not look or do not mind: under a `captioner` key, and as
`{"type": "gap", ...}` entries shaped enough like sentences that the service's tools show
them. The journal writes its gap lines with `gap_to_dict` too, so one reader serves both.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from json.encoder import encode_basestring as _encode_str
from pathlib import Path
from typing import TYPE_CHECKING, Any

from captioner.events import Gap, Sentence
from captioner.protocol.sentences import sentence_from_dict, translation_to_dict, whole_ms
from captioner.transcript.export.bilingual import choose_text
from captioner.transcript.export.entries import Entries, gap_text, in_order, split_entries
from captioner.transcript.export.files import atomic_write_text
from captioner.transcript.export.lines import is_cjk_joiner

if TYPE_CHECKING:
    from captioner.transcript.export import ExportOptions

#: Version of our JSON additions (the `captioner` key); the service's shape is unversioned.
#: 2: gap markers (`{"type": "gap"}`) may appear among the sentences.
JSON_FORMAT_VERSION = 2


def _sentence_json(s: Sentence) -> str:
    """`json.dumps(sentence_to_dict(s), ensure_ascii=False)`, formatted by hand: twice as
    fast on word-heavy transcripts, where the encoder's per-dict cost dominates."""
    esc = _encode_str
    words = ", ".join(
        [
            f'{{"begin_time": {int(w.begin_ms)}, "end_time": {int(w.end_ms)}, "text": {esc(w.text)}, '
            f'"punctuation": {esc(w.punctuation)}}}'
            for w in s.words
        ]
    )
    speaker = "" if s.speaker_id is None else f', "speaker_id": {int(s.speaker_id)}'
    t = s.translation
    translation = (
        "" if t is None else ", " + json.dumps({"translation": translation_to_dict(t)}, ensure_ascii=False)[1:-1]
    )
    return (
        f'{{"begin_time": {int(s.begin_ms)}, "end_time": {int(s.end_ms)}, "text": {esc(s.text)}, '
        f'"sentence_id": {int(s.sentence_id)}{speaker}, "words": [{words}]{translation}}}'
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
        if out and not is_cjk_joiner(out[-1], t[0]):
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
            [
                *((s.begin_ms, 1, line) for s, line in zip(ordered, lines, strict=False)),
                *((g.at_ms, 0, dumps(gap_to_dict(g), ensure_ascii=False)) for g in gaps),
            ],
            key=lambda t: t[:2],
        )
        lines = [line for _, _, line in marked]
        head["text"] = _join_texts(gap_text(e) if isinstance(e, Gap) else e.text for e in in_order([*ordered, *gaps]))
    body = ",\n".join(lines)
    head_json = dumps(head, ensure_ascii=False)[:-1]
    return (
        '{"captioner": '
        + dumps(extra, ensure_ascii=False)
        + ',\n"transcripts": ['
        + head_json
        + ', "sentences": [\n'
        + body
        + ("\n" if body else "")
        + "]}]}\n"
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


def write_json(path: str | os.PathLike[str], sentences: Entries, *, meta: dict[str, Any] | None = None) -> Path:
    return atomic_write_text(path, to_json(sentences, meta=meta))


class JsonExporter:
    name = "json"
    suffix = ".json"

    def render(self, entries: Entries, options: ExportOptions) -> str:
        return to_json(choose_text(entries, options.text), meta=options.meta)
