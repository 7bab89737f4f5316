"""The settings as tabs (Input, Engine, Recognition, Overlay), each panel in a scroll area
so a small screen can still reach every field.

The Input tab holds only three rows, so below them it says what each input is for and
where the other ways in are (a media file, the demo): the space explains instead of
sitting empty.

The tab titles keep the "MainWindow" translation context they had when the window built
the tabs itself.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel, QScrollArea, QTabWidget, QVBoxLayout, QWidget

translate = QCoreApplication.translate

#: The tabs, in order.
INPUT_TAB, ENGINE_TAB, RECOGNITION_TAB, OVERLAY_TAB = range(4)


class SettingsTabs(QTabWidget):
    def __init__(
        self, source: QWidget, engine: QWidget, recognition: QWidget, overlay: QWidget, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.input_hint = QLabel(
            translate(
                "MainWindow",
                "Microphone: what is said in the room. System audio: what this computer plays (a video call, a "
                "film, a stream). Microphone and system audio: both, mixed. Demo recording: a sample that shows "
                "how captioning works. To caption a recording instead, use File → Caption a file… or drop the file "
                "on this window.",
            )
        )
        self.input_hint.setObjectName("input-hint")
        self.input_hint.setWordWrap(True)
        self.input_hint.setEnabled(False)  # drawn as secondary text
        self.input_hint.setContentsMargins(9, 0, 9, 0)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(source)
        layout.addSpacing(12)
        layout.addWidget(self.input_hint)
        layout.addStretch(1)
        for widget, title in (
            (page, translate("MainWindow", "Input")),
            (engine, translate("MainWindow", "Engine")),
            (recognition, translate("MainWindow", "Recognition")),
            (overlay, translate("MainWindow", "Overlay")),
        ):
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QScrollArea.Shape.NoFrame)
            scroll.setWidget(widget)
            self.addTab(scroll, title)
