"""A thin QObject that turns CaptionSession events into Qt signals.

The pipeline knows nothing of Qt; widgets know nothing of the pipeline. This adapter is the
only bridge: it subscribes one listener to a session and re-emits each event as a typed
signal. Level events arrive once per 100 ms frame, and far faster when a file is read as
fast as possible, so they are thinned to what a meter can show (about 30 a second).
Listeners cannot be unsubscribed from a session, so a detached session's events are
dropped here by identity.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Signal

from captioner.events import EngineStatus, Gap, Sentence, Usage
from captioner.pipeline import AudioLevel, CaptionSession, SessionEvent, SessionState, SourceFailed, StateChanged

#: Minimum wall-clock gap between two level signals (a meter cannot show more).
LEVEL_INTERVAL_S = 1 / 30


class SessionAdapter(QObject):
    partial = Signal(object)  # Sentence (not final): replaces the previous partial
    final = Signal(object)  # Sentence (final)
    gap = Signal(object)  # Gap: audio dropped because recognition could not keep up
    state_changed = Signal(object, str)  # SessionState, detail (an error's reason)
    level = Signal(float, float, int)  # rms, peak (0..1), position on the session clock (ms)
    position = Signal(int)  # ms of audio consumed (every frame, for progress bars)
    source_failed = Signal(str)
    engine_status = Signal(str, str)  # EngineStatus.state, detail
    usage = Signal(int)  # billed seconds

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session: CaptionSession | None = None
        self._last_level = 0.0
        self._peak_since = 0.0
        self._rms_since = 0.0

    @property
    def session(self) -> CaptionSession | None:
        return self._session

    def attach(self, session: CaptionSession) -> None:
        """Follow `session` from now on (and stop following any previous one)."""
        self._session = session
        session.subscribe(lambda event: self._on_event(session, event))

    def detach(self) -> None:
        self._session = None

    def _on_event(self, session: CaptionSession, event: SessionEvent) -> None:
        if session is not self._session:
            return
        if isinstance(event, AudioLevel):
            self._on_level(event)
        elif isinstance(event, Sentence):
            (self.final if event.final else self.partial).emit(event)
        elif isinstance(event, Gap):
            self.gap.emit(event)
        elif isinstance(event, StateChanged):
            self.state_changed.emit(event.state, event.detail)
        elif isinstance(event, SourceFailed):
            self.source_failed.emit(event.message)
        elif isinstance(event, EngineStatus):
            self.engine_status.emit(event.state, event.detail)
        elif isinstance(event, Usage):
            self.usage.emit(event.duration_s)

    def _on_level(self, event: AudioLevel) -> None:
        # Keep the loudest value between two emissions so short sounds still show.
        self._peak_since = max(self._peak_since, event.peak)
        self._rms_since = max(self._rms_since, event.rms)
        self.position.emit(event.position_ms)
        now = time.monotonic()
        if now - self._last_level >= LEVEL_INTERVAL_S:
            self._last_level = now
            self.level.emit(self._rms_since, self._peak_since, event.position_ms)
            self._peak_since = self._rms_since = 0.0


__all__ = ["SessionAdapter", "SessionState"]
