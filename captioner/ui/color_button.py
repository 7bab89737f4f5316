"""A button that shows a colour and lets the user pick another (QColorDialog, opened
window-modal and awaited: no nested event loop in the click's slot).

It shows a swatch and the colour's everyday name ("Warm yellow", not "#ffd866"): the
nearest of a few named colours, so the words say roughly what the swatch shows exactly.
The code stays in the tooltip for whoever wants it.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QSize, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QPushButton, QWidget
from qasync import asyncSlot

from captioner.ui import dialogs

translate = QCoreApplication.translate

#: (r, g, b) -> name; the nearest one names a colour.
NAMED: tuple[tuple[tuple[int, int, int], str], ...] = (
    ((255, 255, 255), "White"),
    ((0, 0, 0), "Black"),
    ((16, 16, 16), "Near black"),
    ((128, 128, 128), "Grey"),
    ((192, 192, 192), "Light grey"),
    ((64, 64, 64), "Dark grey"),
    ((255, 216, 102), "Warm yellow"),
    ((255, 255, 0), "Yellow"),
    ((255, 165, 0), "Orange"),
    ((255, 0, 0), "Red"),
    ((139, 0, 0), "Dark red"),
    ((255, 192, 203), "Pink"),
    ((128, 0, 128), "Purple"),
    ((0, 0, 255), "Blue"),
    ((0, 0, 128), "Navy"),
    ((135, 206, 235), "Sky blue"),
    ((0, 255, 255), "Cyan"),
    ((0, 128, 0), "Green"),
    ((144, 238, 144), "Light green"),
    ((0, 100, 0), "Dark green"),
    ((165, 42, 42), "Brown"),
    ((245, 222, 179), "Beige"),
)


def color_name(color: str) -> str:
    """The everyday (translated) name nearest to `color`."""
    c = QColor(color)
    rgb = (c.red(), c.green(), c.blue())
    _, name = min(NAMED, key=lambda entry: sum((a - b) ** 2 for a, b in zip(entry[0], rgb, strict=True)))
    return translate("ColorButton", name)


def _names_for_translation() -> None:  # pragma: no cover - only read by pyside6-lupdate
    """Each name as a literal tr() call, so lupdate collects them for the translators."""
    for _ in (
        translate("ColorButton", "White"),
        translate("ColorButton", "Black"),
        translate("ColorButton", "Near black"),
        translate("ColorButton", "Grey"),
        translate("ColorButton", "Light grey"),
        translate("ColorButton", "Dark grey"),
        translate("ColorButton", "Warm yellow"),
        translate("ColorButton", "Yellow"),
        translate("ColorButton", "Orange"),
        translate("ColorButton", "Red"),
        translate("ColorButton", "Dark red"),
        translate("ColorButton", "Pink"),
        translate("ColorButton", "Purple"),
        translate("ColorButton", "Blue"),
        translate("ColorButton", "Navy"),
        translate("ColorButton", "Sky blue"),
        translate("ColorButton", "Cyan"),
        translate("ColorButton", "Green"),
        translate("ColorButton", "Light green"),
        translate("ColorButton", "Dark green"),
        translate("ColorButton", "Brown"),
        translate("ColorButton", "Beige"),
    ):
        pass


def swatch(color: str, size: int = 16) -> QIcon:
    """A filled square with a thin outline (so white and black show on any theme)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color))
    painter = QPainter(pixmap)
    painter.setPen(QColor(128, 128, 128))
    painter.drawRect(0, 0, size - 1, size - 1)
    painter.end()
    return QIcon(pixmap)


class ColorButton(QPushButton):
    """A button showing a colour swatch and its name; clicking picks a new colour."""

    color_changed = Signal(str)

    def __init__(self, color: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = title
        self.setAccessibleName(title)
        self.setIconSize(QSize(16, 16))
        self.set_color(color)
        self.clicked.connect(self._pick)

    def color(self) -> str:
        return self._color

    def set_color(self, color: str) -> None:
        self._color = QColor(color).name()
        name = color_name(self._color)
        self.setText(name)
        self.setIcon(swatch(self._color))
        self.setToolTip(f"{name} ({self._color})")
        self.setAccessibleDescription(name)

    @asyncSlot()
    async def _pick(self) -> None:
        chosen = await dialogs.choose_color(self, self._title, QColor(self._color))
        if chosen.isValid():
            self.set_color(chosen.name())
            self.color_changed.emit(self._color)
