"""The way back from click-through where there is no tray icon.

A click-through overlay ignores the mouse, and Qt cannot grab a key while another app has
focus, so the shortcut only works while a Captioner window is active. The tray menu is the
way back that always works, but many desktops (GNOME without an extension, some tiling
window managers, Wayland compositors without StatusNotifier) have no tray. There this small
tab sits at the overlay's top right corner while click-through is on: it is a window of its
own (a child of the overlay would let clicks through too) that takes clicks, never focus,
and one click turns click-through off.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QPushButton, QWidget

from captioner.ui.floating import float_without_focus


class ClickThroughBadge(QPushButton):
    """A small always-on-top button: "Click-through on — click here to turn it off"."""

    def __init__(self, shortcut: str) -> None:
        super().__init__(None)
        float_without_focus(self)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        keys = QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)
        self.setText(self.tr("Click-through on — click here to turn it off"))
        self.setToolTip(self.tr("Or press %1 while a Captioner window is active.").replace("%1", keys))
        self.setAccessibleName(self.text())
        self.setStyleSheet(
            "QPushButton { background: #202020; color: #ffd866; border: 1px solid #ffd866;"
            " border-radius: 6px; padding: 3px 10px; }"
            "QPushButton:hover { background: #333333; }"
        )

    def place_at(self, overlay: QWidget) -> None:
        """Just above the overlay's top right corner, or inside it when the screen ends
        there; always on the overlay's screen."""
        self.adjustSize()
        frame = overlay.geometry()
        size = self.sizeHint()
        x = frame.right() + 1 - size.width() - 12
        y = frame.top() - size.height() - 2
        screen = overlay.screen() or QGuiApplication.primaryScreen()
        area = screen.availableGeometry() if screen is not None else QRect(frame)
        if y < area.top():
            y = frame.top() + 2
        x = max(area.left(), min(x, area.right() + 1 - size.width()))
        self.setGeometry(QRect(x, y, size.width(), size.height()))
