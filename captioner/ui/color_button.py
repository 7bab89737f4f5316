"""A button that shows a colour and lets the user pick another (QColorDialog, opened
window-modal and awaited: no nested event loop in the click's slot)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QPushButton, QWidget
from qasync import asyncSlot

from captioner.ui import dialogs


class ColorButton(QPushButton):
    """A button showing a colour swatch; clicking picks a new colour."""

    color_changed = Signal(str)

    def __init__(self, color: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = title
        self.setAccessibleName(title)
        self.set_color(color)
        self.clicked.connect(self._pick)

    def color(self) -> str:
        return self._color

    def set_color(self, color: str) -> None:
        self._color = QColor(color).name()
        self.setText(self._color)
        self.setStyleSheet(
            f"QPushButton {{ background: {self._color}; color: {'#000' if QColor(color).lightness() > 128 else '#fff'}; }}"
        )

    @asyncSlot()
    async def _pick(self) -> None:
        chosen = await dialogs.choose_color(self, self._title, QColor(self._color))
        if chosen.isValid():
            self.set_color(chosen.name())
            self.color_changed.emit(self._color)
