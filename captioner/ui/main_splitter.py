"""The window's body: the controls, the settings tabs and a note on the left; the
transcript on the right, taking the extra width."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget


class MainSplitter(QSplitter):
    def __init__(
        self, controls: QWidget, tabs: QWidget, note: QWidget, transcript: QWidget, parent: QWidget | None = None
    ) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(8, 8, 4, 4)
        left_layout.addWidget(controls)
        left_layout.addWidget(tabs, 1)
        left_layout.addWidget(note)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(4, 8, 8, 4)
        right_layout.addWidget(transcript)
        self.addWidget(left)
        self.addWidget(right)
        self.setStretchFactor(0, 0)
        self.setStretchFactor(1, 1)
        self.setSizes([440, 540])
