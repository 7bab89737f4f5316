"""Every command of the window as one QAction, and the menu bar built from them.

The menus, the tray, the overlay's context menu and the shortcuts all share these actions,
so they always agree (a checked "Show overlay" is checked everywhere). The actions only
say what they are; the window connects each one to what it does.

The words keep the "MainWindow" translation context they had when the window made these
actions itself.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from captioner.ui.store import Store

translate = QCoreApplication.translate

#: Shortcuts. Qt cannot grab keys while another app has focus, so these work whenever a
#: Captioner window is active (ApplicationShortcut); the tray menu works at any time.
SHORTCUT_START_STOP = "Ctrl+Shift+S"
SHORTCUT_OVERLAY = "Ctrl+Shift+O"
SHORTCUT_CLICK_THROUGH = "Ctrl+Shift+T"

#: The interface languages offered (QLocale names; "" follows the system).
LANGUAGES = (("", None), ("en", "English"), ("zh_CN", "简体中文"))
#: How long finished sessions' journals are kept (days; 0 is forever).
RETENTION_DAYS = (0, 90, 30, 7, 1)


class WindowActions(QObject):
    """The window's actions; `language_chosen` says the user picked an interface language."""

    language_chosen = Signal(str)

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.start = self._action(translate("MainWindow", "Start captions"), SHORTCUT_START_STOP)
        self.overlay = self._action(translate("MainWindow", "Show overlay"), SHORTCUT_OVERLAY, checkable=True)
        self.click_through = self._action(
            translate("MainWindow", "Click-through overlay"), SHORTCUT_CLICK_THROUGH, checkable=True
        )
        self.show_window = self._action(translate("MainWindow", "Show Captioner window"))
        self.quit = self._action(translate("MainWindow", "Quit"), QKeySequence.StandardKey.Quit)
        self.quit.setMenuRole(QAction.MenuRole.QuitRole)
        self.export = self._action(translate("MainWindow", "Export transcript…"), "Ctrl+E")
        self.caption_file = self._action(translate("MainWindow", "Caption a file…"), QKeySequence.StandardKey.Open)
        self.recover = self._action(translate("MainWindow", "Recover an unfinished session…"))
        self.recover_earlier = self._action(translate("MainWindow", "Recover earlier session…"))
        self.recover_earlier.setToolTip(
            translate("MainWindow", "Open any session still kept, including dismissed ones.")
        )
        self.clear = self._action(translate("MainWindow", "Clear transcript"))
        self.search = self._action(translate("MainWindow", "Search transcript"), QKeySequence.StandardKey.Find)
        self.demo = self._action(translate("MainWindow", "Play the demo recording"))
        self.diagnostics = self._action(translate("MainWindow", "Copy diagnostics"))
        self.diagnostics.setToolTip(
            translate("MainWindow", "Copy versions, devices and settings (never the API key) for a bug report.")
        )
        self.log_folder = self._action(translate("MainWindow", "Open log folder"))
        self.about = self._action(translate("MainWindow", "About Captioner"))
        self.about.setMenuRole(QAction.MenuRole.AboutRole)

    def _action(
        self, text: str, shortcut: str | QKeySequence.StandardKey | None = None, *, checkable: bool = False
    ) -> QAction:
        action = QAction(text, self.window)
        action.setCheckable(checkable)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.window.addAction(action)  # shortcuts work even with the menu bar hidden
        return action

    def make_menus(self, store: Store) -> None:
        """File, Captions (the edit menu of a transcript), View and Help on the window's
        menu bar, in the order desktop guidelines give them (Help last)."""
        bar = self.window.menuBar()
        file_menu = bar.addMenu(translate("MainWindow", "&File"))
        file_menu.addActions([self.caption_file, self.export, self.recover, self.recover_earlier])
        self._retention_menu(file_menu.addMenu(translate("MainWindow", "Keep finished sessions")), store)
        file_menu.addSeparator()
        file_menu.addAction(self.quit)
        captions = bar.addMenu(translate("MainWindow", "&Captions"))
        captions.addActions([self.start, self.demo])
        captions.addSeparator()
        captions.addActions([self.overlay, self.click_through])
        captions.addSeparator()
        captions.addActions([self.search, self.clear])
        view = bar.addMenu(translate("MainWindow", "&View"))
        self._language_menu(view.addMenu(translate("MainWindow", "Language")), store)
        help_menu = bar.addMenu(translate("MainWindow", "&Help"))
        help_menu.addActions([self.diagnostics, self.log_folder])
        help_menu.addSeparator()
        help_menu.addAction(self.about)

    def _language_menu(self, menu: QMenu, store: Store) -> None:
        group = QActionGroup(self.window)
        for name, label in LANGUAGES:
            action = QAction(label or translate("MainWindow", "System language"), self.window, checkable=True)
            action.setChecked(store.ui_language() == name)
            action.triggered.connect(lambda _=False, n=name: self.language_chosen.emit(n))
            group.addAction(action)
            menu.addAction(action)

    def _retention_menu(self, menu: QMenu, store: Store) -> None:
        """Finished sessions' journals are deleted after this long; unfinished ones stay."""
        labels = {
            0: translate("MainWindow", "Forever"),
            90: translate("MainWindow", "90 days"),
            30: translate("MainWindow", "30 days"),
            7: translate("MainWindow", "7 days"),
            1: translate("MainWindow", "1 day"),
        }
        group = QActionGroup(self.window)
        current = store.keep_sessions_days()
        for days in RETENTION_DAYS:
            action = QAction(labels[days], self.window, checkable=True)
            action.setChecked(days == current)
            action.triggered.connect(lambda _=False, d=days: store.set_keep_sessions_days(d))
            group.addAction(action)
            menu.addAction(action)
