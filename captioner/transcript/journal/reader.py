"""Reading journals back: recovery, the list of past sessions, dismissing and pruning them.

None of this runs on the captioning thread, and all of it may meet a journal that a crash
cut short, so it is as forgiving as that requires: a torn last line is skipped, a damaged
line is skipped with a warning, and the last partial that no final covers becomes the
unfinished sentence a recovery returns.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from captioner.events import Gap, Sentence
from captioner.protocol.sentences import sentence_from_dict
from captioner.transcript.export.json_format import gap_from_dict
from captioner.transcript.journal.lock import is_recording
from captioner.transcript.journal.writer import SUFFIX, JournalError, end_line, local_now, sessions_dir
from captioner.transcript.model import Entry, in_time_order

#: The name the journal logged under when it was one module, kept for log filters.
log = logging.getLogger("captioner.transcript.journal")


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """A journal at a glance (what `captioner recover` lists)."""

    id: str
    path: Path
    started: datetime | None
    finished: bool
    #: Sentences a recovery returns: the finals, plus the unfinished one if any.
    sentence_count: int
    engine: str
    last_text: str
    #: A live process holds the journal: the session is still being recorded.
    recording: bool
    ended: datetime | None = None
    #: The session stopped in the middle of a sentence (its partial is recovered).
    unfinished_sentence: bool = False


@dataclass(slots=True)
class _Parsed:
    meta: dict[str, Any]
    sentences: list[Sentence]
    end: dict[str, Any] | None
    bad_lines: int
    gaps: list[Gap] = dataclasses.field(default_factory=list)
    #: The last partial no final covers, as a final (its text is all there is).
    partial: Sentence | None = None


def _covers(final: Sentence, partial: Sentence) -> bool:
    """Whether `final` is what `partial` became: the same sentence id, or (for engines
    without ids, or ids restarted by a reconnect) overlapping times. Erring towards
    "covered" drops a partial rather than duplicating words in a recovered transcript."""
    if final.sentence_id and final.sentence_id == partial.sentence_id:
        return True
    return final.begin_ms < max(partial.end_ms, partial.begin_ms + 1) and final.end_ms > partial.begin_ms


def _parse(path: Path) -> _Parsed:
    """Read a journal, skipping a torn last line (a crash mid-write) and, with a warning,
    any other line that does not parse."""
    raw = path.read_bytes()
    lines = raw.split(b"\n")
    # Whatever follows the last newline was never completed.
    torn = lines.pop()
    meta: dict[str, Any] = {}
    sentences: list[Sentence] = []
    gaps: list[Gap] = []
    partial: Sentence | None = None
    end = None
    bad = 0
    for no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            kind = obj.get("type")
            if kind == "final":
                sentences.append(sentence_from_dict(obj, f"{path.name}:{no}"))
                if partial is not None and _covers(sentences[-1], partial):
                    partial = None
            elif kind == "partial":
                partial = sentence_from_dict(obj, f"{path.name}:{no}")  # replaces the one before
                partial = partial if partial.text.strip() else None  # withdrawn
            elif kind == "gap":
                gaps.append(gap_from_dict(obj, f"{path.name}:{no}"))
            elif kind == "session" and no == 1:
                meta = obj
            elif kind == "end":
                end = obj
            else:
                raise ValueError(f"unknown line type {kind!r}")
        except (ValueError, AttributeError) as exc:
            bad += 1
            log.warning("%s:%d: skipping a damaged journal line (%s)", path, no, exc)
    if torn.strip():
        log.info("%s: ignoring an incomplete last line (%d bytes)", path, len(torn))
    if not meta.get("id"):
        meta = {**meta, "id": path.name.removesuffix(SUFFIX)}
    if end is not None:
        partial = None  # a finished session's engine finalised (or withdrew) its last words
    return _Parsed(meta, sentences, end, bad, gaps, partial)


@dataclass(frozen=True, slots=True)
class JournalContents:
    """What a journal holds, as a recovery needs it."""

    meta: dict[str, Any]
    #: Finals in arrival order.
    finals: list[Sentence]
    #: Dropped audio, in time order.
    gaps: list[Gap]
    #: The sentence being spoken when the session stopped (no final covers it), as a
    #: final: its last recorded text is all there is.
    unfinished: Sentence | None
    finished: bool

    @property
    def entries(self) -> list[Entry]:
        """The finals and the unfinished sentence in arrival order, gaps merged in by
        position: what an export of the recovered session takes."""
        return in_time_order([*self.finals, *([self.unfinished] if self.unfinished else [])], self.gaps)


def load_journal(path: str | os.PathLike[str]) -> JournalContents:
    p = _parse(Path(path))
    meta = {k: v for k, v in p.meta.items() if k != "type"}
    gaps = sorted(p.gaps, key=lambda g: g.at_ms)
    return JournalContents(meta, p.sentences, gaps, p.partial, p.end is not None)


def load_session(path: str | os.PathLike[str]) -> tuple[dict[str, Any], list[Entry], bool]:
    """(metadata, entries, finished) from a journal file. The entries are the finals in
    arrival order, then the unfinished sentence a crash cut off (if any), with the gaps
    (dropped audio) merged in by position; without gaps or a crash, just the finals."""
    contents = load_journal(path)
    return contents.meta, contents.entries, contents.finished


def _iso(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def session_info(path: str | os.PathLike[str]) -> SessionInfo:
    path = Path(path)
    p = _parse(path)
    started = _iso(p.meta.get("started"))
    if started is None:
        started = datetime.fromtimestamp(path.stat().st_mtime).astimezone()
    return SessionInfo(
        id=str(p.meta["id"]),
        path=path,
        started=started,
        finished=p.end is not None,
        sentence_count=len(p.sentences) + (p.partial is not None),
        engine=str(p.meta.get("engine") or ""),
        last_text=p.partial.text if p.partial else p.sentences[-1].text if p.sentences else "",
        recording=p.end is None and is_recording(path),
        ended=_iso(p.end.get("ended")) if p.end else None,
        unfinished_sentence=p.partial is not None,
    )


def list_sessions(directory: str | os.PathLike[str] | None = None) -> list[SessionInfo]:
    """Every journal in the folder, oldest first. Unreadable files are skipped."""
    folder = sessions_dir(directory)
    if not folder.is_dir():
        return []
    out = []
    for path in folder.glob(f"*{SUFFIX}"):
        try:
            out.append(session_info(path))
        except OSError as exc:
            log.warning("cannot read journal %s: %s", path, exc)
    out.sort(key=lambda s: (_sort_key(s.started), s.id))
    return out


def _sort_key(dt: datetime | None) -> float:
    if dt is None:
        return 0.0
    if dt.tzinfo is None:
        dt = dt.astimezone()
    return dt.timestamp()


def mark_finished(path: str | os.PathLike[str], reason: str = "dismissed") -> None:
    """Close an unfinished session's journal so recovery stops offering it.

    Refuses (JournalError) while the session is still being recorded. A torn last line
    is cut off first, so the end line starts on a line of its own.
    """
    path = Path(path)
    if is_recording(path):
        raise JournalError(f"session {path.name.removesuffix(SUFFIX)} is still being recorded")
    if _parse(path).end is not None:
        return
    with open(path, "r+b") as f:
        data = f.read()
        cut = data.rfind(b"\n") + 1
        if cut < len(data):
            f.truncate(cut)
        f.seek(0, os.SEEK_END)
        f.write(end_line(reason))
        f.flush()
        os.fsync(f.fileno())


def prune(
    *,
    keep_days: float | None = None,
    keep_count: int | None = None,
    directory: str | os.PathLike[str] | None = None,
    now: datetime | None = None,
) -> list[Path]:
    """Delete old finished sessions, per the user's retention setting; returns what went.

    A finished session goes if it started more than `keep_days` ago OR is not among the
    `keep_count` newest finished ones (either limit may be None = no limit). Unfinished
    sessions are kept for recovery, except those with no finals at all (nothing to
    recover) that are older than a day; a session being recorded is never touched.
    """
    if keep_count is not None and keep_count < 0:
        raise ValueError("keep_count must not be negative")
    now = now or local_now()
    cutoff = now - timedelta(days=keep_days) if keep_days is not None else None
    sessions = list_sessions(directory)
    finished = [s for s in sessions if s.finished]
    doomed: list[SessionInfo] = []
    if keep_count is not None:
        doomed += finished[: max(0, len(finished) - keep_count)]
    if cutoff is not None:
        doomed += [s for s in finished if _sort_key(s.started) < cutoff.timestamp()]
    day_ago = (now - timedelta(days=1)).timestamp()
    doomed += [
        s
        for s in sessions
        if not s.finished and s.sentence_count == 0 and not s.recording and _sort_key(s.started) < day_ago
    ]
    removed: list[Path] = []
    seen: set[Path] = set()
    for s in doomed:
        if s.path in seen or s.recording:
            continue
        seen.add(s.path)
        try:
            s.path.unlink()
            removed.append(s.path)
        except FileNotFoundError:
            pass
    return removed
