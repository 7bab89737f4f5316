"""The recording lock: tells a session that is still being recorded from one that crashed.

A journal without its end line is either being written right now or was cut off by a
crash, and only the second may be offered for recovery, dismissed or pruned. A pid file
cannot tell them apart (pids are reused, and a frozen process is still alive); an OS lock
can, because the kernel drops it the moment its process dies however it dies.
"""

from __future__ import annotations

import os
import sys

# Windows locks are mandatory, so lock one byte far beyond any journal's end, which no
# reader ever touches.
_WIN_LOCK_OFFSET = 0x7FFFFFFF


def take_lock(fd: int) -> bool:
    """Hold the lock for as long as `fd` is open; False where locking is unavailable."""
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
