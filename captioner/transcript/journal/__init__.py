"""The crash-safe session journal: every final on disk the moment it arrives.

One JSON-lines file per session in `<data dir>/sessions/`:

    {"type": "session", "version": 1, "id": ..., "started": ISO, "engine": ..., "settings": {...}, ...}
    {"type": "final", "begin_time": ..., "end_time": ..., "text": ..., "words": [...], ...}
    {"type": "partial", "partial": true, "begin_time": ..., "end_time": ..., "text": ..., ...}
    {"type": "gap", "begin_time": ..., "duration_ms": ..., "text": "[not captioned: ...]", ...}
    ...
    {"type": "end", "ended": ISO, "reason": "finished" | "dismissed"}

Each line is written with one `write` on an O_APPEND descriptor and then fsynced (finals
come every few seconds, so one fsync each costs nothing noticeable), and the folder is
fsynced once when the file is created. So after SIGKILL or a power cut the file holds every
final whose `append` returned, plus at most one torn line, which the reader skips. A
session without its end line did not finish: `captioner recover` offers it.

The sentence being spoken is kept too: one sentence can run for half a minute (a reading
without pauses), and a crash then would lose all of it. At most one partial line is
written per second of session clock (`PARTIAL_INTERVAL_MS`), and the final that follows
supersedes it. Partial lines are not fsynced: a `write` that returned is in the kernel's
cache, so a process crash or SIGKILL (the failures that matter here) cannot lose it; only
a power cut can, costing at most the unfinished sentence, and the next final's fdatasync
makes it durable along with everything before it. An fsync per partial would put a disk
flush on the captioning thread every second, which is 0.1 ms on a cached SSD but tens of
milliseconds on a spinning or USB disk (measured here: write 1 µs, write+fdatasync 0.1 ms).
On reading, the last partial that no later final covers (same sentence id, or overlapping
times) is returned as the unfinished last sentence; older partials are ignored.

Gap lines mark audio that was dropped (the engine could not keep up) and are fsynced
like finals: they are history too. Journals written before partials and gaps existed
read as before.

While a session is being recorded its journal is locked (flock / msvcrt), so a second
process can tell "still recording" from "crashed" without trusting pids.

The sentence lines have the same shape as the JSON export's sentences, so one reader
serves both. The metadata never holds secrets: keys that look like credentials are
dropped (and checked for) before anything is written, whatever the caller passes.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import secrets
import sys
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

from captioner.events import Gap, Sentence
from captioner.protocol.sentences import sentence_from_dict, sentence_to_dict
from captioner.transcript.export.files import fsync_dir
from captioner.transcript.export.json_format import gap_from_dict, gap_to_dict
from captioner.transcript.model import Entry, in_time_order

log = logging.getLogger(__name__)

JOURNAL_VERSION = 1
#: Session clock between two partial lines: a crash loses at most about this much speech.
PARTIAL_INTERVAL_MS = 1000
SUFFIX = ".jsonl"
#: Environment variable that moves all of Captioner's data (tests, portable installs).
DATA_DIR_ENV = "CAPTIONER_DATA_DIR"

_SECRET_KEY = re.compile(
    r"(api[_-]?key|apikey|(^|[^a-z])token($|[^a-z])|secret|passw(or)?d|passphrase|credential|authori[sz]ation"
    r"|cookie|private[_-]?key|^auth$)",
    re.IGNORECASE,
)


def _is_secret_key(key: str) -> bool:
    """Named like a credential: api_key, apiKey, access_token, client_secret, password..."""
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key)
    return bool(_SECRET_KEY.search(snake))


#: Values shaped like a DashScope key or a bearer credential are dropped too.
_SECRET_VALUE = re.compile(r"^(sk-[A-Za-z0-9_-]{12,}|Bearer\s+\S+)$")


class JournalError(OSError):
    """A journal cannot be written: closed, or (for mark_finished) still being recorded.

    An OSError, so a sink guard that keeps captions running through a full disk also
    keeps them running through a final that arrives after Stop closed the journal."""


def sessions_dir(directory: str | os.PathLike[str] | None = None) -> Path:
    """Where journals live: `directory` if given, else `$CAPTIONER_DATA_DIR/sessions`,
    else the platform's user data folder (`platformdirs.user_data_dir("captioner")`)."""
    if directory is not None:
        return Path(directory)
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env) / "sessions"
    from platformdirs import user_data_dir

    return Path(user_data_dir("captioner", appauthor=False)) / "sessions"


def sanitize(value: Any) -> Any:
    """A JSON-able copy of `value` without anything that looks like a credential:
    dict keys named like api_key/token/secret/password, and string values shaped like
    an API key. Objects with `to_dict()` (RecognitionSettings) and dataclasses become
    dicts, tuples become lists, other unknown objects their str()."""
    if hasattr(value, "to_dict") and callable(value.to_dict):
        value = value.to_dict()
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            key = str(k)
            if _is_secret_key(key):
                continue
            if isinstance(v, str) and _SECRET_VALUE.match(v.strip()):
                continue
            out[key] = sanitize(v)
        return out
    if isinstance(value, (list, tuple)):
        return [sanitize(v) for v in value if not (isinstance(v, str) and _SECRET_VALUE.match(v.strip()))]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _secret_keys(value: Any, path: str = "") -> list[str]:
    """Every key path in `value` that is named like a credential (should be none)."""
    found = []
    if isinstance(value, dict):
        for k, v in value.items():
            here = f"{path}.{k}" if path else str(k)
            if _is_secret_key(str(k)):
                found.append(here)
            found += _secret_keys(v, here)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _secret_keys(v, f"{path}[{i}]")
    return found


def _now() -> datetime:
    return datetime.now().astimezone()


def _line(obj: dict[str, Any]) -> bytes:
    # No raw newlines can appear inside: json.dumps escapes them.
    return (json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


# --------------------------------------------------------------------------------------
# Locking: "is this session still being recorded?"
# --------------------------------------------------------------------------------------

# Windows locks are mandatory, so lock one byte far beyond any journal's end, which no
# reader ever touches.
_WIN_LOCK_OFFSET = 0x7FFFFFFF


def _lock(fd: int) -> bool:
    try:
        if sys.platform == "win32":
            import msvcrt

            pos = os.lseek(fd, 0, os.SEEK_CUR)
            os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            finally:
                os.lseek(fd, pos, os.SEEK_SET)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except (OSError, ImportError):
        return False


def is_recording(path: str | os.PathLike[str]) -> bool:
    """Whether a live process (this one included) holds the session's journal open."""
    try:
        fd = os.open(path, os.O_RDWR if sys.platform == "win32" else os.O_RDONLY)
    except OSError:
        return False
    try:
        if sys.platform == "win32":
            import msvcrt

            os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            except OSError:
                return True
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
            return False
        import fcntl

        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        except OSError:
            return False
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------


class Journal:
    """An open session journal. Thread-safe; `append` returns once the final is durable.

    Use `Journal.create(meta)`; it is also a context manager (a normal exit closes it as
    finished, an exception closes it unfinished).
    """

    def __init__(self, path: Path, fd: int, meta: dict[str, Any]) -> None:
        self.path = path
        self.meta = meta
        self.id: str = meta["id"]
        self.count = 0
        self._fd: int | None = fd
        self._lock = threading.Lock()
        #: The last partial line written (None: none since the last final).
        self._partial: Sentence | None = None
        self._partial_at = -PARTIAL_INTERVAL_MS

    @classmethod
    def create(cls, meta: dict[str, Any] | None = None, directory: str | os.PathLike[str] | None = None) -> Journal:
        """Start a journal: writes and fsyncs the head line (and the folder entry).

        `meta` is what to remember about the session (engine, settings dict, source...);
        credentials are dropped from it. `id` and `started` are filled in unless given.
        """
        folder = sessions_dir(directory)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        clean = sanitize(dict(meta or {}))
        leaked = _secret_keys(clean)
        if leaked:  # cannot happen after sanitize(); checked anyway, and not with assert (-O)
            raise ValueError(f"journal metadata would hold secrets: {leaked}")
        started = _now()
        head: dict[str, Any] = {"type": "session", "version": JOURNAL_VERSION}
        head["id"] = str(clean.pop("id", "") or f"{started:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}")
        head["started"] = str(clean.pop("started", "") or started.isoformat(timespec="microseconds"))
        head["engine"] = clean.pop("engine", "")
        clean.pop("type", None), clean.pop("version", None)
        head.update(clean)
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", head["id"]):
            raise ValueError(f"session id {head['id']!r} is not usable as a file name")
        path = folder / f"{head['id']}{SUFFIX}"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags, 0o600)
        try:
            _lock(fd)
            _write_all(fd, _line(head))
            _sync(fd)
        except BaseException:
            os.close(fd)
            raise
        fsync_dir(folder)
        return cls(path, fd, head)

    @property
    def closed(self) -> bool:
        return self._fd is None

    def append(self, sentence: Sentence) -> None:
        """Record a final. Returns once it is on disk. Raises ValueError for a partial
        (partials are not history) and JournalError after close()."""
        if not sentence.final:
            raise ValueError("only final sentences go into the journal (partials: append_partial)")
        self._write(_line({"type": "final", **sentence_to_dict(sentence)}), sync=True)
        with self._lock:
            self.count += 1
            self._partial = None

    def append_partial(self, sentence: Sentence) -> None:
        """Keep the sentence being spoken, at most once per PARTIAL_INTERVAL_MS of session
        clock (by the partial's end) and without fsync (see the module docstring). A
        withdrawn partial (empty text) is written at once, so a recovery never brings back
        words the engine took back. JournalError after close()."""
        if sentence.final:
            raise ValueError("a final goes through append()")
        with self._lock:
            last = self._partial
        if not sentence.text.strip():
            if last is None or not last.text.strip():
                return
        elif last is not None and (
            sentence.text == last.text or sentence.end_ms - self._partial_at < PARTIAL_INTERVAL_MS
        ):
            return
        self._write(_line({"type": "partial", "partial": True, **sentence_to_dict(sentence)}), sync=False)
        with self._lock:
            self._partial = sentence
            self._partial_at = sentence.end_ms

    def append_gap(self, gap: Gap) -> None:
        """Record dropped audio. Returns once it is on disk; JournalError after close()."""
        self._write(_line(gap_to_dict(gap)), sync=True)

    def _write(self, data: bytes, *, sync: bool) -> None:
        with self._lock:
            if self._fd is None:
                raise JournalError(f"journal {self.id} is closed")
            _write_all(self._fd, data)
            if sync:
                _sync(self._fd)

    def close(self, finished: bool = True) -> None:
        """End the journal. `finished=True` (Stop, a normal end) writes the end line, so
        recovery no longer offers the session; False leaves it recoverable. Idempotent."""
        with self._lock:
            if self._fd is None:
                return
            fd, self._fd = self._fd, None
            try:
                if finished:
                    _write_all(fd, _line({"type": "end", "ended": _now().isoformat(timespec="seconds"), "reason": "finished"}))
                    _sync(fd)
            finally:
                os.close(fd)

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close(finished=exc_type is None)

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r}, count={self.count}, closed={self.closed})"


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _sync(fd: int) -> None:
    # fdatasync skips inode times but still persists the new length, which is all a
    # reader needs; where it does not exist fsync does the same job.
    (getattr(os, "fdatasync", None) or os.fsync)(fd)


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------


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
        f.write(_line({"type": "end", "ended": _now().isoformat(timespec="seconds"), "reason": reason}))
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
    now = now or _now()
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
        s for s in sessions if not s.finished and s.sentence_count == 0 and not s.recording and _sort_key(s.started) < day_ago
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
