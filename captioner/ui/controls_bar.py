"""The row above the settings: the Start/Stop button and what the session is doing.

The words keep the "MainWindow" translation context they had when the window built this
row itself.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from captioner.pipeline import SessionState
from captioner.ui.status_text import state_text

translate = QCoreApplication.translate

#: States in which the button stops the session.
ACTIVE_STATES = (SessionState.STARTING, SessionState.LISTENING, SessionState.RECONNECTING)
#: The label's colour per state (the others use the palette's).
STATE_COLOURS = {SessionState.LISTENING: "#2e7d32", SessionState.ERROR: "#c62828", SessionState.RECONNECTING: "#b35c00"}


def is_active(state: SessionState, running: bool) -> bool:
    """Whether Start/Stop means Stop: a session is under way (or waits for another input)."""
    return state in ACTIVE_STATES or (running and state is SessionState.ERROR)


class ControlsBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.start_button = QPushButton(translate("MainWindow", "Start captions"), self)
        self.start_button.setMinimumHeight(36)
        self.start_button.setMinimumWidth(150)
        self.state_label = QLabel(self)
        self.state_label.setWordWrap(True)
        self.state_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.start_button)
        row.addWidget(self.state_label, 1)

    def show_state(self, state: SessionState, detail: str, running: bool) -> str:
        """Show the session's state; returns the text shown (the tray's tooltip uses it)."""
        active = is_active(state, running)
        stopping = state is SessionState.STOPPING
        if active:
            label = translate("MainWindow", "Stop")
        else:
            label = translate("MainWindow", "Stopping…") if stopping else translate("MainWindow", "Start captions")
        self.start_button.setText(label)
        self.start_button.setEnabled(not stopping)
        text = state_text(state, detail)
        if state is SessionState.ERROR and running:  # a live input failed: the session waits
            text = translate(
                "MainWindow", "The input stopped (%1). Choose another input to carry on, or Stop."
            ).replace("%1", detail)
        if state is SessionState.LISTENING:
            text = "● " + text
        colour = STATE_COLOURS.get(state)
        self.state_label.setText(text)
        self.state_label.setStyleSheet(f"color: {colour}" if colour else "")
        self.state_label.setAccessibleDescription(text)
        return text
