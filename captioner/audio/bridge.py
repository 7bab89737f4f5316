"""Thread -> asyncio hand-off for captured audio: bounded, lossy on purpose, and honest about it.

PortAudio calls us on its own real-time thread; the rest of the app lives on an asyncio loop
(qasync in the GUI). The callback must never wait for the loop, so the hand-off is a ring
buffer of samples allocated once: `push()` copies the block in under a lock that is only ever
held for a memcpy, and wakes the loop with `call_soon_threadsafe` only when a reader is
actually waiting. When the reader falls behind, the *oldest* audio is overwritten (live
captions care about now, not about a backlog) and every dropped sample is counted, so memory
is bounded by construction and the loss is visible in `stats()`.

`close()` takes no lock and may be called from any thread or from a signal handler.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class BridgeStats:
    """A consistent snapshot of what went through the bridge (counts are sample frames)."""

    samplerate: float
    capacity_samples: int
    pushed_samples: int
    delivered_samples: int
    dropped_samples: int
    drop_events: int
    lag_samples: int
    max_lag_samples: int

    def _ms(self, samples: int) -> float:
        return 1000.0 * samples / self.samplerate

    @property
    def lag_ms(self) -> float:
        """Audio waiting for the reader right now."""
        return self._ms(self.lag_samples)

    @property
    def max_lag_ms(self) -> float:
        return self._ms(self.max_lag_samples)

    @property
    def dropped_ms(self) -> float:
        return self._ms(self.dropped_samples)

    @property
    def capacity_ms(self) -> float:
        return self._ms(self.capacity_samples)


def _wake(waiter: asyncio.Future, timed_out: bool = False) -> None:
    if not waiter.done():
        waiter.set_result(timed_out)


class AudioBridge:
    """Bounded single-producer / single-reader queue of audio sample frames.

    `push()` is for the producer thread (PortAudio's callback); `read()` for one coroutine.
    Blocks are 2-D `(frames, channels)` arrays of `dtype`; a read returns everything waiting,
    concatenated, so block boundaries are not preserved (audio is a stream).
    """

    def __init__(
        self,
        channels: int,
        samplerate: float,
        capacity_ms: float = 2000.0,
        dtype: str | np.dtype = "float32",
    ) -> None:
        if channels < 1 or samplerate <= 0 or capacity_ms <= 0:
            raise ValueError("channels, samplerate and capacity_ms must be positive")
        self.channels = channels
        self.samplerate = float(samplerate)
        self.capacity = max(1, int(round(samplerate * capacity_ms / 1000.0)))
        self._ring = np.zeros((self.capacity, channels), dtype=dtype)
        self._wake_samples = 1  # set by the waiting reader: wake it once this much is waiting
        self._lock = threading.Lock()
        # Monotonic totals: ring position = total % capacity. `_read` also advances on drops.
        self._written = 0
        self._read = 0
        self._delivered = 0
        self._dropped = 0
        self._drop_events = 0
        self._max_lag = 0
        self._waiter: asyncio.Future | None = None
        self._closed = False
        self._error: BaseException | None = None

    # -- producer side (any thread) -------------------------------------------------------

    def push(self, block: np.ndarray) -> None:
        """Copy `block` in; never waits for the reader. Oldest audio is dropped when full."""
        n = len(block)
        if n == 0 or self._closed:
            return
        cap = self.capacity
        ring = self._ring
        with self._lock:
            written = self._written
            if n > cap:  # a block larger than the whole buffer: only its newest part fits
                skipped = n - cap
                self._dropped += (written - self._read) + skipped
                self._drop_events += 1
                written += skipped
                self._read = written
                block = block[skipped:]
                n = cap
            overflow = written + n - self._read - cap
            if overflow > 0:
                self._read += overflow
                self._dropped += overflow
                self._drop_events += 1
            pos = written % cap
            if pos + n <= cap:
                ring[pos : pos + n] = block
            else:
                first = cap - pos
                ring[pos:] = block[:first]
                ring[: n - first] = block[first:]
            self._written = written = written + n
            lag = written - self._read
            if lag > self._max_lag:
                self._max_lag = lag
            waiter = self._waiter
            if waiter is None or lag < self._wake_samples:
                return
            self._waiter = None
        self._wake_soon(waiter)

    def close(self, error: BaseException | None = None) -> None:
        """End the stream: the reader gets what is left, then `error` (if any) or the end.

        Lock-free so that it is safe from a signal handler that interrupted the reader.
        """
        if error is not None and self._error is None:
            self._error = error
        self._closed = True
        waiter = self._waiter
        if waiter is not None:
            self._wake_soon(waiter)

    @staticmethod
    def _wake_soon(waiter: asyncio.Future) -> None:
        try:
            waiter.get_loop().call_soon_threadsafe(_wake, waiter)
        except RuntimeError:  # the reader's loop is already closed: nobody left to wake
            pass

    # -- reader side (one coroutine) ------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._closed

    def read_nowait(self, max_samples: int | None = None) -> np.ndarray:
        """Whatever is waiting (possibly nothing), as a new `(frames, channels)` array."""
        with self._lock:
            avail = self._written - self._read
            if max_samples is not None:
                avail = min(avail, max_samples)
            if avail <= 0:
                return self._ring[:0].copy()
            cap = self.capacity
            pos = self._read % cap
            first = min(avail, cap - pos)
            if first == avail:
                out = self._ring[pos : pos + avail].copy()
            else:
                out = np.concatenate((self._ring[pos:], self._ring[: avail - first]))
            self._read += avail
            self._delivered += avail
            return out

    async def read(
        self, timeout: float | None = None, max_samples: int | None = None, min_samples: int = 1
    ) -> np.ndarray | None:
        """Wait for audio and return all of it (or up to `max_samples`).

        Returns an empty array once closed and drained (or raises the error given to
        `close()`), and None if `timeout` seconds passed with no audio: the caller's watchdog.
        Audio already waiting is returned at once; otherwise the producer wakes the loop only
        once `min_samples` have arrived (or at the timeout, with whatever came), so a reader
        that cannot use less than a frame's worth is not woken for every device block.
        """
        loop = asyncio.get_running_loop()
        while True:
            block = self.read_nowait(max_samples)
            if len(block):
                return block
            if self._closed:
                break
            waiter = loop.create_future()
            with self._lock:
                if self._written > self._read:
                    continue  # audio arrived between the read and now
                self._waiter = waiter
                self._wake_samples = max(1, min(min_samples, self.capacity))
            if self._closed:  # close() ran before it could see our waiter
                self._waiter = None
                continue
            timer = loop.call_later(timeout, _wake, waiter, True) if timeout is not None else None
            try:
                timed_out = await waiter
            finally:
                if timer is not None:
                    timer.cancel()
                if not waiter.done():
                    waiter.cancel()
                with self._lock:
                    if self._waiter is waiter:
                        self._waiter = None
            if timed_out and self._written == self._read and not self._closed:
                return None
        # Drained and closed.
        if self._written > self._read:  # a push raced with close(): hand it over
            return self.read_nowait(max_samples)
        if self._error is not None:
            raise self._error
        return self._ring[:0].copy()

    @property
    def lag_samples(self) -> int:
        """Audio waiting now (a lock-free, possibly momentarily stale reading)."""
        return self._written - self._read

    def stats(self) -> BridgeStats:
        with self._lock:
            return BridgeStats(
                samplerate=self.samplerate,
                capacity_samples=self.capacity,
                pushed_samples=self._written,
                delivered_samples=self._delivered,
                dropped_samples=self._dropped,
                drop_events=self._drop_events,
                lag_samples=self._written - self._read,
                max_lag_samples=self._max_lag,
            )
