"""Run Python's cyclic garbage collector on the GUI thread only.

The collector runs in whichever thread happens to allocate past its threshold: here, the
speech engine's decode thread, PortAudio's callback thread or an asyncio.to_thread worker.
If a cycle it frees holds a QObject that lives on the GUI thread (a dialog, a window, a
timer), that QObject is destroyed from the wrong thread: Qt cannot unregister its timers
("QObject::~QObject: Timers cannot be stopped from another thread") and the next timer
event dereferences freed memory. Reproduced here as a segfault after a session with the
on-device engine. The cure (the same as pyqtgraph's GarbageCollector): switch automatic
collection off and collect from a timer on the GUI thread, with the same thresholds.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


class MainThreadGarbageCollector(QObject):
    """While alive (and started), cyclic garbage is collected only by this timer."""

    def __init__(self, interval_ms: int = 250, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        self._timer = QTimer(self, interval=interval_ms)
        self._timer.timeout.connect(self.check)

    def start(self) -> None:
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        """Collect what is left (here, on this thread) and give collection back to Python."""
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()

    def check(self) -> None:
        counts = gc.get_count()
        if counts[0] > self._thresholds[0]:
            generation = 0
            if counts[1] > self._thresholds[1]:
                generation = 2 if counts[2] > self._thresholds[2] else 1
            gc.collect(generation)
