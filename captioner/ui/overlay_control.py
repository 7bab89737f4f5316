"""The caption overlay as the window sees it: shown or hidden, click-through or not, its
style and its place, kept in step with the shared actions (menu, tray, shortcut) and the
Overlay tab, and remembered in the store.

The overlay itself (`overlay.CaptionOverlay`) only draws captions; where it goes per screen
setup is `overlay_placement`. Click-through needs a way back that does not depend on the
mouse reaching the overlay: the tray menu where the desktop has a tray, otherwise a small
"click here to turn it off" tab beside the overlay (`click_through_badge`). The shortcut
works from any app where the platform allows (X11: `global_shortcut`); elsewhere Qt cannot
take a key from another app's window, and the hints say it works while Captioner is active. The words keep the "MainWindow" translation context they had
when the window did this itself.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QSystemTrayIcon

from captioner.ui.click_through_badge import ClickThroughBadge
from captioner.ui.global_shortcut import GlobalShortcut
from captioner.ui.overlay import CaptionOverlay
from captioner.ui.overlay_panel import OverlayPanel
from captioner.ui.overlay_placement import OverlayPlacement
from captioner.ui.store import Store
from captioner.ui.window_actions import SHORTCUT_CLICK_THROUGH

translate = QCoreApplication.translate


class OverlayControl(QObject):
    """`click_through_on` carries the hint to show when click-through was switched on
    (the overlay then ignores the mouse: say how to turn it off)."""

    click_through_on = Signal(str)

    def __init__(
        self,
        store: Store,
        panel: OverlayPanel,
        show_action: QAction,
        click_through_action: QAction,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.panel = panel
        self.show_action = show_action
        self.click_through_action = click_through_action
        # A separate top-level window, placed per screen setup.
        self.overlay = CaptionOverlay(store.overlay_style())
        self.placement = OverlayPlacement(self.overlay, store, self)
        show_action.toggled.connect(self.set_visible)
        click_through_action.toggled.connect(self.overlay.set_click_through)
        panel.style_changed.connect(self._style_changed)
        panel.reset_position.connect(self._reset_position)
        panel.show_overlay.toggled.connect(show_action.setChecked)
        panel.click_through.toggled.connect(click_through_action.setChecked)
        self.overlay.geometry_committed.connect(self.placement.remember)
        self.overlay.click_through_changed.connect(self._click_through_changed)
        #: Whether a tray icon (and so its menu) can be the way back from click-through.
        self.tray_available = QSystemTrayIcon.isSystemTrayAvailable()
        self.badge = ClickThroughBadge(SHORTCUT_CLICK_THROUGH)
        self.badge.clicked.connect(lambda: click_through_action.setChecked(False))
        self.overlay.geometry_committed.connect(lambda _rect: self._show_badge())
        #: Ctrl+Shift+T from any app, where the platform lets an app take a key (X11).
        self.global_shortcut = GlobalShortcut(SHORTCUT_CLICK_THROUGH, self)
        self.global_shortcut.activated.connect(click_through_action.toggle)
        panel.click_through.setToolTip(self._way_back())

    def _way_back(self) -> str:
        shortcut = QKeySequence(SHORTCUT_CLICK_THROUGH).toString(QKeySequence.SequenceFormat.NativeText)
        anywhere = self.global_shortcut.active
        if self.tray_available and anywhere:
            text = translate("MainWindow", "Turn this off from the tray menu, or with %1 from any app.")
        elif self.tray_available:
            text = translate(
                "MainWindow", "Turn this off from the tray menu, or with %1 while a Captioner window is active."
            )
        elif anywhere:
            text = translate(
                "MainWindow",
                "Turn this off with the “Click-through on” tab above the overlay, or with %1 from any app.",
            )
        else:
            text = translate(
                "MainWindow",
                "Turn this off with the “Click-through on” tab above the overlay, or with %1 while a Captioner "
                "window is active.",
            )
        return text.replace("%1", shortcut)

    def _show_badge(self) -> None:
        """The tab is there exactly while a visible overlay lets clicks through and no tray
        menu can turn that off."""
        if self.overlay.click_through() and self.overlay.isVisible() and not self.tray_available:
            self.badge.place_at(self.overlay)
            self.badge.show()
            self.badge.raise_()
            # Switching click-through gives the overlay a new native window, which the
            # window server may place a moment later: follow it once it has settled.
            QTimer.singleShot(300, self._follow_overlay)
        else:
            self.badge.hide()

    def set_visible(self, visible: bool) -> None:
        if visible:
            if not self.overlay.property("placed"):
                self.placement.apply()
            self.overlay.show()
        else:
            self.overlay.hide()
        self._show_badge()
        self.store.set_overlay_visible(visible)
        self.show_action.setText(translate("MainWindow", "Show overlay"))
        self.panel.show_overlay.blockSignals(True)
        self.panel.show_overlay.setChecked(visible)
        self.panel.show_overlay.blockSignals(False)

    def _follow_overlay(self) -> None:
        if self.badge.isVisible():
            self.badge.place_at(self.overlay)

    def _click_through_changed(self, on: bool) -> None:
        self.store.set_click_through_last(on)
        for widget in (self.click_through_action, self.panel.click_through):
            widget.blockSignals(True)
            widget.setChecked(on)
            widget.blockSignals(False)
        self._show_badge()
        if on:
            self.click_through_on.emit(
                translate("MainWindow", "The overlay now lets clicks through.") + " " + self._way_back()
            )

    def _style_changed(self, style) -> None:
        self.overlay.set_caption_style(style)
        self.store.set_overlay_style(style)

    def _reset_position(self) -> None:
        self.store.qsettings.remove(f"overlay/geometry/{self.placement.key()}")
        self.overlay.setProperty("placed", False)
        self.placement.apply()
        self.placement.remember()

    def restore(self) -> str:
        """At start-up: show the overlay if it was shown, and never start click-through (a
        window that ignores the mouse, unasked). Returns a notice to show, or ""."""
        notice = ""
        if self.store.click_through_last():
            notice = translate(
                "MainWindow",
                "Click-through was on when Captioner closed; it starts off. Turn it on from the Captions menu or the tray.",
            )
            self.store.set_click_through_last(False)
        if self.store.overlay_visible():
            self.show_action.setChecked(True)
        return notice

    def close(self) -> None:
        """The window is closing: remember where the overlay is and whether it lets clicks
        through, then hide it."""
        if self.overlay.isVisible():
            self.placement.remember()
        self.store.set_click_through_last(self.overlay.click_through())
        self.overlay.hide()
        self.badge.hide()
