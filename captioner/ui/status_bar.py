"""The status bar: passing messages, the engine's latency figures while a session runs,
and the speech engine's state (loading, ready, failed) at the right.

The words keep the "MainWindow" translation context they had when the window filled the
status bar itself.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from captioner.ui.status_text import metrics_text

translate = QCoreApplication.translate


class StatusBar(QStatusBar):
    """`metrics` returns the running session's metrics (None when there is none)."""

    def __init__(self, metrics: Callable[[], dict | None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._metrics = metrics
        self.metrics_label = QLabel(self)
        self.engine_label = QLabel(self)
        self.addPermanentWidget(self.metrics_label)
        self.addPermanentWidget(self.engine_label)
        self.metrics_timer = QTimer(self, interval=1000)
        self.metrics_timer.timeout.connect(self.show_metrics)

    def say(self, message: str, ms: int = 0) -> None:
        """A passing message (0: until the next one)."""
        self.showMessage(message, ms)

    def show_metrics(self) -> None:
        metrics = self._metrics()
        self.metrics_label.setText(metrics_text(metrics) if metrics is not None else "")

    def show_engine_host_status(self, state: str, message: str) -> None:
        """The engine host's state: loading, ready or error (in red)."""
        self.engine_label.setText(message)
        self.engine_label.setStyleSheet("color: #c62828" if state == "error" else "")

    def show_engine_status(self, state: str, detail: str) -> None:
        """What the running engine says about itself: falling behind, or ready."""
        if state == "lagging":
            self.showMessage(translate("MainWindow", "Captions are falling behind: %1").replace("%1", detail), 8000)
        elif state == "ready" and detail:
            self.showMessage(detail, 4000)
