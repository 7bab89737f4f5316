"""The app's icons (SVG in resources/icons), with a painted fallback if a file is missing.

A missing icon must not make a tray icon invisible or crash a frozen build, so when the
file cannot be found a simple caption-bubble pixmap is painted instead.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from captioner.resources import resources_dir


@cache
def app_icon(live: bool = False) -> QIcon:
    path = resources_dir() / "icons" / ("captioner-live.svg" if live else "captioner.svg")
    icon = QIcon(str(path)) if path.exists() else QIcon()
    if icon.isNull() or (not icon.availableSizes() and icon.pixmap(32, 32).isNull()):
        icon = QIcon(_painted(live))
    return icon


def _painted(live: bool) -> QPixmap:
    pixmap = QPixmap(64, 64)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#1f6feb"))
    p.drawRoundedRect(4, 10, 56, 40, 9, 9)
    p.setBrush(QColor("#ffffff"))
    p.drawRoundedRect(13, 22, 38, 5, 2, 2)
    p.setBrush(QColor("#ffd866"))
    p.drawRoundedRect(13, 33, 38, 5, 2, 2)
    if live:
        p.setBrush(QColor("#e5534b"))
        p.drawEllipse(42, 2, 20, 20)
    p.end()
    return pixmap
