"""An input level meter: a bar on a dB scale with a falling peak marker.

A linear bar sits near zero for normal speech (RMS ~0.05), so the bar maps -60..0 dBFS.
It decays smoothly between updates (a 30 Hz timer runs only while the level is moving) so
it reads like a hardware meter rather than jumping with each 100 ms frame.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QLinearGradient, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

FLOOR_DB = -60.0
DECAY_DB_PER_TICK = 1.5
PEAK_HOLD_TICKS = 30


def to_db(value: float) -> float:
    return 20 * math.log10(value) if value > 1e-6 else FLOOR_DB


def db_fraction(db: float) -> float:
    """Position on the bar, 0..1, for a level in dBFS."""
    return min(1.0, max(0.0, (db - FLOOR_DB) / -FLOOR_DB))


class LevelMeter(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(120)
        self.setAccessibleName(self.tr("Input level"))
        self._level_db = FLOOR_DB
        self._peak_db = FLOOR_DB
        self._hold = 0
        self._timer = QTimer(self, interval=33)
        self._timer.timeout.connect(self._tick)

    def sizeHint(self) -> QSize:
        return QSize(200, 12)

    def level_db(self) -> float:
        return self._level_db

    def set_level(self, rms: float, peak: float) -> None:
        """New measurement (full-scale units 0..1)."""
        db = to_db(rms * 1.41)  # RMS of a sine is peak/sqrt(2): read like a peak meter
        self._level_db = max(db, self._level_db - DECAY_DB_PER_TICK)
        pdb = to_db(peak)
        if pdb >= self._peak_db:
            self._peak_db, self._hold = pdb, PEAK_HOLD_TICKS
        self.setToolTip(self.tr("%1 dBFS").replace("%1", f"{to_db(rms):.0f}"))
        if not self._timer.isActive():
            self._timer.start()
        self.update()

    def reset(self) -> None:
        self._level_db = self._peak_db = FLOOR_DB
        self._timer.stop()
        self.update()

    def _tick(self) -> None:
        self._level_db = max(FLOOR_DB, self._level_db - DECAY_DB_PER_TICK)
        if self._hold > 0:
            self._hold -= 1
        else:
            self._peak_db = max(FLOOR_DB, self._peak_db - DECAY_DB_PER_TICK)
        if self._level_db <= FLOOR_DB and self._peak_db <= FLOOR_DB:
            self._timer.stop()
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.setPen(self.palette().mid().color())
        painter.setBrush(self.palette().base())
        painter.drawRoundedRect(rect, 3, 3)
        inner = rect.adjusted(2, 2, -2, -2)
        gradient = QLinearGradient(inner.topLeft(), inner.topRight())
        gradient.setColorAt(0.0, QColor("#3fb950"))
        gradient.setColorAt(0.75, QColor("#d29922"))
        gradient.setColorAt(1.0, QColor("#f85149"))
        fill = QRectF(inner)
        fill.setWidth(inner.width() * db_fraction(self._level_db))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(gradient)
        painter.drawRect(fill)
        if self._peak_db > FLOOR_DB:
            x = inner.left() + inner.width() * db_fraction(self._peak_db)
            painter.setBrush(self.palette().text())
            painter.drawRect(QRectF(x - 1, inner.top(), 2, inner.height()))
