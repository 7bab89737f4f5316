"""Where the overlay goes: remembered per screen setup, always on a visible screen.

A laptop on a desk and the same laptop on the road have different screens, and the
overlay belongs in a different place on each. Positions are therefore stored under a key
made from the set of screen geometries, and whenever screens come or go the overlay moves
to the position remembered for the new setup, or is pulled back onto a screen it can be
seen (and grabbed) on. The geometry maths is plain functions over QRects so tests can
give it any screen layout.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from PySide6.QtCore import QObject, QRect, QTimer
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

from captioner.ui.store import Store


def screen_setup_key(screens: Iterable[QRect]) -> str:
    """A settings key naming this exact set of screens (order-independent)."""
    parts = sorted(f"{r.width()}x{r.height()}{r.x():+d}{r.y():+d}" for r in screens)
    return "screens_" + "_".join(parts) if parts else "screens_none"


def clamp_to_screens(rect: QRect, screens: list[QRect]) -> QRect:
    """`rect` moved (and shrunk if needed) so it lies wholly on one of `screens`.

    A rect already inside a screen is returned as is. Otherwise it goes to the screen it
    overlaps most, or, when it overlaps none (its monitor was unplugged), to the nearest.
    """
    if not screens or not rect.isValid():
        return QRect(rect)
    for screen in screens:
        if screen.contains(rect):
            return QRect(rect)

    def overlap(screen: QRect) -> int:
        inter = screen.intersected(rect)
        return inter.width() * inter.height() if inter.isValid() else 0

    def distance(screen: QRect) -> int:
        c, s = rect.center(), screen.center()
        return (c.x() - s.x()) ** 2 + (c.y() - s.y()) ** 2

    best = max(screens, key=overlap)
    if overlap(best) == 0:
        best = min(screens, key=distance)
    width, height = min(rect.width(), best.width()), min(rect.height(), best.height())
    x = min(max(rect.x(), best.left()), best.left() + best.width() - width)
    y = min(max(rect.y(), best.top()), best.top() + best.height() - height)
    return QRect(x, y, width, height)


def default_overlay_rect(screen: QRect, height: int) -> QRect:
    """Bottom-centre of the screen, like TV subtitles, clear of a taskbar's usual height."""
    width = min(max(480, int(screen.width() * 0.7)), 1400, screen.width())
    height = min(height, screen.height())
    x = screen.left() + (screen.width() - width) // 2
    y = screen.top() + screen.height() - height - min(80, screen.height() // 10)
    return QRect(x, max(screen.top(), y), width, height)


def available_screen_rects() -> list[QRect]:
    return [s.availableGeometry() for s in QGuiApplication.screens()]


def screen_rects() -> list[QRect]:
    return [s.geometry() for s in QGuiApplication.screens()]


class OverlayPlacement(QObject):
    """Restores, remembers and re-clamps the overlay's geometry as screens change."""

    def __init__(self, overlay: QWidget, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.overlay = overlay
        self.store = store
        self._applying = False
        # Screens report changes in bursts (remove + add + geometry): settle once.
        # Qt properties and signals as keywords: PySide6 takes them, its stubs do not list them.
        self._settle = QTimer(self, singleShot=True, interval=250, timeout=self.apply)  # type: ignore[call-arg]
        app = cast(QGuiApplication, QGuiApplication.instance())
        app.screenAdded.connect(self._watch_screen)
        app.screenAdded.connect(self._screens_changed)
        app.screenRemoved.connect(self._screens_changed)
        for screen in QGuiApplication.screens():
            self._watch_screen(screen)

    def _watch_screen(self, screen: QScreen) -> None:
        screen.geometryChanged.connect(self._screens_changed)
        screen.availableGeometryChanged.connect(self._screens_changed)

    def _screens_changed(self, *_args) -> None:
        self._settle.start()

    def key(self) -> str:
        return screen_setup_key(screen_rects())

    def apply(self) -> None:
        """Put the overlay where it was on this screen setup, or keep it and make it visible."""
        saved = self.store.overlay_geometry(self.key())
        screens = available_screen_rects()
        if saved is not None:
            rect = saved
        elif self.overlay.property("placed"):
            rect = self.overlay.geometry()
        else:
            primary = QGuiApplication.primaryScreen()
            area = primary.availableGeometry() if primary else (screens[0] if screens else QRect(0, 0, 800, 600))
            rect = default_overlay_rect(area, self.overlay.sizeHint().height())
        # The height is the overlay's own (its lines at its font): a height saved before the
        # font or the line count changed is refitted, keeping the bottom edge.
        height = self.overlay.sizeHint().height()
        rect = QRect(rect.x(), rect.bottom() + 1 - height, rect.width(), height)
        rect = clamp_to_screens(rect, screens)
        self._applying = True
        try:
            if rect.height() < height:  # a screen too short: the overlay shows fewer lines
                self.overlay.setFixedHeight(rect.height())
            self.overlay.setGeometry(rect)
            self.overlay.setProperty("placed", True)
        finally:
            self._applying = False

    def remember(self, rect: QRect | None = None) -> None:
        """Store the overlay's geometry for the current screen setup."""
        if self._applying:
            return
        self.store.set_overlay_geometry(self.key(), rect if rect is not None else self.overlay.geometry())
