"""Writing a journal: on the captioning thread's path, so every line costs one `write` (and
for history, one fdatasync) and nothing else.

The line format and why finals are synced and partials are not are in the package
docstring; here is the code that keeps those promises, apart from the reader so that what
runs during a session stays small. Where journals live (`sessions_dir`) and how one ends
(`end_line`) are here too, because `mark_finished` must end a journal exactly as `close`
does.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from captioner.events import Gap, Sentence
from captioner.protocol.sentences import sentence_to_dict
from captioner.transcript.export.files import fsync_dir
from captioner.transcript.export.json_format import gap_to_dict
from captioner.transcript.journal.lock import take_lock
from captioner.transcript.journal.privacy import sanitize, secret_keys

JOURNAL_VERSION = 1
#: Session clock between two partial lines: a crash loses at most about this much speech.
PARTIAL_INTERVAL_MS = 1000
SUFFIX = ".jsonl"
#: Environment variable that moves all of Captioner's data (tests, portable installs).
DATA_DIR_ENV = "CAPTIONER_DATA_DIR"


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


def local_now() -> datetime:
    """The local time with its UTC offset, as journals record it."""
    return datetime.now().astimezone()


def encode_line(obj: dict[str, Any]) -> bytes:
    # No raw newlines can appear inside: json.dumps escapes them.
    return (json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def end_line(reason: str) -> bytes:
    """The last line of a journal; a session without it did not finish."""
    return encode_line({"type": "end", "ended": local_now().isoformat(timespec="seconds"), "reason": reason})


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
        leaked = secret_keys(clean)
        if leaked:  # cannot happen after sanitize(); checked anyway, and not with assert (-O)
            raise ValueError(f"journal metadata would hold secrets: {leaked}")
        started = local_now()
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
            take_lock(fd)
            _write_all(fd, encode_line(head))
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
        self._write(encode_line({"type": "final", **sentence_to_dict(sentence)}), sync=True)
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
        self._write(encode_line({"type": "partial", "partial": True, **sentence_to_dict(sentence)}), sync=False)
        with self._lock:
            self._partial = sentence
            self._partial_at = sentence.end_ms

    def append_gap(self, gap: Gap) -> None:
        """Record dropped audio. Returns once it is on disk; JournalError after close()."""
        self._write(encode_line(gap_to_dict(gap)), sync=True)

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
                    _write_all(fd, end_line("finished"))
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
