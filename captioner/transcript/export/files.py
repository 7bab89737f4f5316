"""The one way an export reaches the disk: atomically, and durably unless told otherwise.

A player tails the live SRT, a user opens the TXT while a file job rewrites it, the power
can go at any moment: so a transcript file must only ever hold the old content or all of
the new, never half. Every format goes through `atomic_write_text` so none can get this
wrong on its own.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
import time
from pathlib import Path


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new file durable (POSIX; Windows has no directory handles)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_text(path: str | os.PathLike[str], text: str, *, durable: bool = True) -> Path:
    """Write `text` (UTF-8) so that `path` holds either the old content or all the new.

    The temporary file sits beside the target (same file system, so the rename is
    atomic), is created with the umask's usual permissions (or the old file's), and is
    removed if anything fails. `durable` fsyncs before and after the rename so the new
    content also survives a power cut.
    """
    target = Path(path)
    folder = target.parent
    tmp = folder / f".{target.name}.{secrets.token_hex(4)}.tmp"
    data = text.encode("utf-8")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        try:
            view = memoryview(data)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        with contextlib.suppress(OSError):
            os.chmod(tmp, os.stat(target).st_mode & 0o7777)
        _replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable:
        fsync_dir(folder)
    return target


def _replace(src: Path, dst: Path) -> None:
    """os.replace, retried briefly on Windows where a reader holding the file open
    (a player tailing the live SRT) makes the rename fail for a moment."""
    attempts = 10 if sys.platform == "win32" else 1
    for attempt in range(attempts):
        try:
            os.replace(src, dst)
            return
        except PermissionError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.05)
