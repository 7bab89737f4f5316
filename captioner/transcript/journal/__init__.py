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

The writer (`writer`, with `lock` and `privacy`) runs on the captioning thread and the
reader (`reader`) in recovery, the session list and retention; they share only the line
format above, so each can be read without the other. Everything is importable from here.
"""

from __future__ import annotations

from captioner.transcript.journal.lock import is_recording
from captioner.transcript.journal.privacy import sanitize, secret_keys
from captioner.transcript.journal.reader import (
    JournalContents,
    SessionInfo,
    list_sessions,
    load_journal,
    load_session,
    mark_finished,
    prune,
    session_info,
)
from captioner.transcript.journal.writer import (
    DATA_DIR_ENV,
    JOURNAL_VERSION,
    PARTIAL_INTERVAL_MS,
    SUFFIX,
    Journal,
    JournalError,
    sessions_dir,
)

__all__ = [
    "DATA_DIR_ENV",
    "JOURNAL_VERSION",
    "PARTIAL_INTERVAL_MS",
    "SUFFIX",
    "Journal",
    "JournalContents",
    "JournalError",
    "SessionInfo",
    "is_recording",
    "list_sessions",
    "load_journal",
    "load_session",
    "mark_finished",
    "prune",
    "sanitize",
    "secret_keys",
    "session_info",
    "sessions_dir",
]

#: The name the check had when the journal was one module.
_secret_keys = secret_keys
