"""The ways back from click-through on a real desktop (issue #19, item 12): Ctrl+Shift+T from
any app where the platform allows it (X11), not claimed elsewhere; and, with no tray, the
"click here" tab beside the overlay, clicked with a real pointer."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from captioner.ui.global_shortcut import GlobalShortcut
from xvfb import XDesktop, main_thread_gc, memory_keyring, missing_tools, qloop, ui_store  # noqa: F401  (fixtures)

PROBE = textwrap.dedent(
    """
    import subprocess
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QApplication, QLineEdit

    from captioner.ui.global_shortcut import GlobalShortcut

    app = QApplication([])
    other = QLineEdit()  # another window has the keyboard focus
    other.setWindowTitle("another app")
    other.show()
    other.activateWindow()
    action = QAction("Click-through")
    action.setCheckable(True)
    action.setChecked(True)
    shortcut = GlobalShortcut("Ctrl+Shift+T")
    shortcut.activated.connect(action.toggle)
    second = GlobalShortcut("Ctrl+Shift+T")  # the key is taken: inactive, and no crash
    QTimer.singleShot(600, lambda: subprocess.run(["xdotool", "key", "ctrl+shift+t"], check=True))
    QTimer.singleShot(3000, app.quit)
    app.exec()
    print(f"active={shortcut.active} second={second.active} checked={action.isChecked()} typed={other.text()!r}")
    shortcut.close()
    """
)

BADGE_PROBE = textwrap.dedent(
    """
    import subprocess, tempfile
    from pathlib import Path
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QApplication, QSystemTrayIcon
    from captioner.ui.overlay_control import OverlayControl
    from captioner.ui.overlay_panel import OverlayPanel
    from captioner.ui.store import Store

    app = QApplication([])
    store = Store(QSettings(str(Path(tempfile.mkdtemp()) / "c.ini"), QSettings.Format.IniFormat))
    panel = OverlayPanel(store.overlay_style())
    show, through = QAction("show"), QAction("through")
    show.setCheckable(True)
    through.setCheckable(True)
    control = OverlayControl(store, panel, show, through)
    show.setChecked(True)
    out = {"tray": QSystemTrayIcon.isSystemTrayAvailable()}

    def click():
        out["tab_shown"] = control.badge.isVisible()
        tab, overlay = control.badge.geometry(), control.overlay.geometry()
        out["tab_above_overlay"] = tab.bottom() < overlay.top() and tab.right() <= overlay.right()
        out["geometry"] = (tab.getRect(), overlay.getRect())
        centre = control.badge.geometry().center()
        subprocess.run(["xdotool", "mousemove", str(centre.x()), str(centre.y()), "click", "1"], check=True)

    def done():
        out["click_through"] = control.overlay.click_through()
        out["tab_shown_after"] = control.badge.isVisible()
        print(out, flush=True)
        app.quit()

    QTimer.singleShot(500, lambda: through.setChecked(True))
    QTimer.singleShot(2000, click)
    QTimer.singleShot(3500, done)
    app.exec()
    """
)


def test_offscreen_there_is_no_global_shortcut_and_the_hint_says_so(qtbot, ui_store):
    from PySide6.QtGui import QAction

    from captioner.ui.overlay_control import OverlayControl
    from captioner.ui.overlay_panel import OverlayPanel

    assert not GlobalShortcut("Ctrl+Shift+T").active  # the offscreen platform has no other apps
    panel = OverlayPanel(ui_store.overlay_style())
    qtbot.addWidget(panel)
    control = OverlayControl(ui_store, panel, QAction("show"), QAction("through"))
    qtbot.addWidget(control.overlay)
    assert not control.global_shortcut.active
    assert "while a Captioner window is active" in panel.click_through.toolTip()


@pytest.mark.slow
def test_on_x11_the_shortcut_works_while_another_window_has_focus(tmp_path):
    desktop = XDesktop(tmp_path).start()
    try:
        run = subprocess.run(
            [sys.executable, "-c", PROBE], env=desktop.env, capture_output=True, text=True, timeout=120
        )
    finally:
        desktop.stop()
    assert run.returncode == 0, run.stderr[-3000:]
    assert "active=True second=False checked=False typed=''" in run.stdout, (run.stdout, run.stderr[-2000:])


@pytest.mark.slow
def test_on_x11_without_a_tray_a_click_on_the_tab_turns_click_through_off(tmp_path):
    desktop = XDesktop(tmp_path).start()  # openbox: no system tray
    try:
        run = subprocess.run(
            [sys.executable, "-c", BADGE_PROBE], env=desktop.env, capture_output=True, text=True, timeout=120
        )
    finally:
        desktop.stop()
    assert run.returncode == 0, run.stderr[-3000:]
    expected = "'tab_shown': True, 'tab_above_overlay': True"
    assert expected in run.stdout, (run.stdout, run.stderr[-2000:])
    assert "'click_through': False, 'tab_shown_after': False" in run.stdout, run.stdout
