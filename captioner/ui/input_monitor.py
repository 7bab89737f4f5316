"""Listen to an input without captioning it, to drive the level meter ("Test input").

Choosing the right microphone is easier when the meter moves before a session starts. The
input is opened only while the user has "Test input" on (never silently in the
background: a microphone in use shows in the OS's privacy indicator), and it is released
before a session opens the device itself.
"""

from __future__ import annotations

import asyncio
import logging
import time

from PySide6.QtCore import QObject, Signal

from captioner.audio.frames import AudioSource, AudioSourceError
from captioner.ui import sources
from captioner.ui.choices import SourceChoice
from captioner.ui.session_adapter import LEVEL_INTERVAL_S

log = logging.getLogger(__name__)


class InputMonitor(QObject):
    level = Signal(float, float, int)  # rms, peak, ms of audio heard
    failed = Signal(str)
    running_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._task: asyncio.Task | None = None
        self._source: AudioSource | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self, choice: SourceChoice) -> None:
        self.stop()
        self._task = asyncio.ensure_future(self._run(choice))
        self.running_changed.emit(True)

    def stop(self) -> None:
        if self._source is not None:
            self._source.close()
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def stop_and_wait(self) -> None:
        """Release the device (a session is about to open it)."""
        task = self._task
        self.stop()
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)

    async def _run(self, choice: SourceChoice) -> None:
        try:
            source = await asyncio.to_thread(sources.open_source, choice)
        except AudioSourceError as exc:
            self.failed.emit(str(exc))
            self._ended()
            return
        if self._task is not asyncio.current_task():  # replaced while the device opened
            source.close()
            return
        self._source = source
        heard_ms, last, peak_since, rms_since = 0, 0.0, 0.0, 0.0
        try:
            async for frame in source.frames():
                heard_ms += frame.duration_ms
                rms, peak = frame.level()
                rms_since, peak_since = max(rms_since, rms), max(peak_since, peak)
                now = time.monotonic()
                if now - last >= LEVEL_INTERVAL_S:
                    self.level.emit(rms_since, peak_since, heard_ms)
                    last, rms_since, peak_since = now, 0.0, 0.0
        except AudioSourceError as exc:
            self.failed.emit(str(exc))
        finally:
            source.close()
            if self._task is asyncio.current_task():
                self._source = None
                self._ended()

    def _ended(self) -> None:
        if self._task is asyncio.current_task():
            self.running_changed.emit(False)
