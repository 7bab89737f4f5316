"""The tray icon and its menu: start/stop, overlay, click-through, show window, quit.

Where there is a tray, it is the one place that can always reach the overlay: when the
overlay is click-through it cannot be clicked, so "Click-through" here is the way back (the
shortcut works only while a Captioner window is active). The menu is built from the main
window's own QActions, so the tray, the window's menus and the shortcuts can never disagree
about state. Where the desktop has no system tray, the menu still exists (the window's
menus show the same actions), the icon is simply not shown, and the overlay's own "click
here to turn it off" tab (`click_through_badge`) is the way back instead.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from captioner.ui.icons import app_icon


class TrayIcon(QObject):
    def __init__(
        self,
        *,
        start_stop: QAction,
        show_overlay: QAction,
        click_through: QAction,
        show_window: QAction,
        quit_action: QAction,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.menu = QMenu()
        self.menu.addAction(start_stop)
        self.menu.addSeparator()
        self.menu.addAction(show_overlay)
        self.menu.addAction(click_through)
        self.menu.addSeparator()
        self.menu.addAction(show_window)
        self.menu.addAction(quit_action)
        self._show_window = show_window
        self.icon: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.icon = QSystemTrayIcon(app_icon(), self)
            self.icon.setContextMenu(self.menu)
            self.icon.setToolTip(self.tr("Captioner"))
            self.icon.activated.connect(self._activated)
            self.icon.show()

    @property
    def available(self) -> bool:
        return self.icon is not None

    def actions(self) -> list[QAction]:
        return [a for a in self.menu.actions() if not a.isSeparator()]

    def set_live(self, live: bool, tooltip: str) -> None:
        if self.icon is not None:
            self.icon.setIcon(app_icon(live))
            self.icon.setToolTip(tooltip)

    def notify(self, title: str, message: str) -> None:
        if self.icon is not None and QSystemTrayIcon.supportsMessages():
            self.icon.showMessage(title, message, QSystemTrayIcon.MessageIcon.Information, 6000)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self._show_window.trigger()

    def hide(self) -> None:
        if self.icon is not None:
            self.icon.hide()
