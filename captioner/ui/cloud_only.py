"""Recognition options only Alibaba Cloud reads, greyed out while the on-device engine is
chosen, each with a tooltip saying why (an option that is silently ignored looks broken).

The recognition panel builds the options; this module only says which of them the
on-device engine ignores and follows the engine choice, so the panel need not know about
engines. (The on-device engine does read the pause length, multi-threshold mode, the
noise threshold and the hot words, so those stay.)
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import QWidget

translate = QCoreApplication.translate

#: The recognition panel's widgets that only the cloud engine reads.
CLOUD_ONLY = ("semantic_radio", "disfluency", "heartbeat", "vocabulary", "vocabulary_button")


class CloudOnlyOptions(QObject):
    def __init__(self, panel: QWidget, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.widgets: list[QWidget] = [w for name in CLOUD_ONLY if isinstance(w := getattr(panel, name, None), QWidget)]
        self._tips = {w: w.toolTip() for w in self.widgets}

    def follow(self, cloud: bool) -> None:
        """Enable the options for the cloud engine; grey them out, saying why, otherwise."""
        why = translate(
            "MainWindow",
            "Only Alibaba Cloud uses this option; the on-device engine ignores it. Choose Alibaba Cloud on the "
            "Engine tab to use it.",
        )
        for widget in self.widgets:
            widget.setEnabled(cloud)
            tip = self._tips[widget]
            widget.setToolTip(tip if cloud else f"{why}\n{tip}" if tip else why)
