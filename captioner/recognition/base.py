"""The interface every engine implements: start with settings, push audio, finish, read events.

An engine is a `Recognizer` (configuration, loaded models, connections it may share) that
starts `RecognitionSession`s (one recognition task each). The session is driven from an
asyncio loop; heavy work belongs in an executor, never on the loop.
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import AsyncIterator
from typing import Any

from captioner.audio.frames import AudioFrame
from captioner.audio.packets import EncodedFrame, Encoding
from captioner.events import RecognitionError, RecognitionEvent
from captioner.settings import RecognitionSettings

_END = object()


class RecognitionSession(abc.ABC):
    """One recognition task.

    Usage::

        session = await recognizer.start(settings)
        ...  await session.push(frame)  (frames in clock order, ~100 ms each)
        await session.finish()           # no more audio; the last sentence gets finalised
        async for event in session.events(): ...   # ends after the last final

    `events()` raises `RecognitionError` if the task fails. `push` may wait when the engine
    is behind: that back-pressure is what lets the bounded bridge upstream count drops
    instead of letting memory grow.
    """

    def __init__(self) -> None:
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._ended = False
        #: Figures for the status bar: engine-specific, JSON-able values.
        self.metrics: dict[str, Any] = {}

    @abc.abstractmethod
    async def push(self, frame: AudioFrame) -> None: ...

    async def push_encoded(self, frame: EncodedFrame) -> None:
        """Queue a chunk of a file's own compressed audio: only on a session started with
        the settings `Recognizer.encoded_settings` gave (engines that take PCM only never
        get one)."""
        raise RecognitionError("InvalidParameter", f"{type(self).__name__} takes PCM audio only")

    @abc.abstractmethod
    async def finish(self) -> None:
        """No more audio will come; events() ends once everything pushed is recognised."""

    async def aclose(self) -> None:
        """Abandon the task now (no flushing); events() ends."""
        self._end()

    async def events(self) -> AsyncIterator[RecognitionEvent]:
        while True:
            item = await self._queue.get()
            if item is _END:
                return
            if isinstance(item, RecognitionError):
                raise item
            yield item

    # For implementations -------------------------------------------------------------

    def _emit(self, event: RecognitionEvent) -> None:
        if not self._ended:
            self._queue.put_nowait(event)

    def _fail(self, error: RecognitionError) -> None:
        if not self._ended:
            self._ended = True
            self._queue.put_nowait(error)

    def _end(self) -> None:
        if not self._ended:
            self._ended = True
            self._queue.put_nowait(_END)

    @property
    def ended(self) -> bool:
        return self._ended


class Recognizer(abc.ABC):
    """An engine. Cheap to construct; `prepare()` does slow set-up (model load, DNS...)."""

    #: Short name shown to users and written to journals ("local", "dashscope").
    name: str = "engine"

    async def prepare(self) -> None:  # noqa: B027  (an optional hook: doing nothing is right)
        """Load what start() needs, so the first session starts fast. Optional."""

    @abc.abstractmethod
    async def start(self, settings: RecognitionSettings) -> RecognitionSession: ...

    def check(self, settings: RecognitionSettings) -> None:  # noqa: B027  (accepting is right)
        """Refuse, before a task starts, settings this engine cannot serve (a language it
        does not know), with the error start() would raise. Default: accept (the cloud
        judges its own)."""

    def encoded_settings(self, encoding: Encoding, settings: RecognitionSettings) -> RecognitionSettings | None:
        """The settings to start a session with that takes `encoding`'s packets as they are
        (format and sample_rate set for it), or None: decode to PCM. Default: PCM only."""
        return None

    def describe(self) -> dict[str, Any]:
        """What to record about this engine in a journal (never secrets)."""
        return {"engine": self.name}
