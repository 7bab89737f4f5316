"""The settings as tabs (Input, Engine, Recognition, Overlay), each panel in a scroll area
so a small screen can still reach every field.

The tab titles keep the "MainWindow" translation context they had when the window built
the tabs itself.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QScrollArea, QTabWidget, QWidget

translate = QCoreApplication.translate

#: The tabs, in order.
INPUT_TAB, ENGINE_TAB, RECOGNITION_TAB, OVERLAY_TAB = range(4)


class SettingsTabs(QTabWidget):
    def __init__(
        self, source: QWidget, engine: QWidget, recognition: QWidget, overlay: QWidget, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        for widget, title in (
            (source, translate("MainWindow", "Input")),
            (engine, translate("MainWindow", "Engine")),
            (recognition, translate("MainWindow", "Recognition")),
            (overlay, translate("MainWindow", "Overlay")),
        ):
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QScrollArea.Shape.NoFrame)
            scroll.setWidget(widget)
            self.addTab(scroll, title)
