"""The Qt half of `captioner --self-test`: the offscreen platform starts, a widget and the
SVG app icon render, and the window's own modules import.

`captioner.selftest` runs the checks that need no Qt and asks this module for the last
one, so Qt stays inside `captioner.ui`. The answer is a plain (status, detail) pair:
the self-test owns the report's shape, and this package never imports it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import cast

from PySide6.QtCore import QLibraryInfo, qVersion
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QLabel

#: Kept referenced: a QApplication whose wrapper is collected is destroyed.
_qt_app: QApplication | None = None


def check_window() -> tuple[str, str]:
    """("ok" or "fail", what was found)."""
    global _qt_app
    plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
    app = cast("QApplication | None", QApplication.instance())
    if app is None:
        offscreen = list((plugins / "platforms").glob("*qoffscreen*"))
        if not offscreen:
            return "fail", f"the offscreen platform plugin is missing from {plugins / 'platforms'}"
        # -platform beats QT_QPA_PLATFORM: this checks offscreen whatever the session is.
        app = _qt_app = QApplication([sys.argv[0] or "captioner", "-platform", "offscreen"])
    platform_name = app.platformName()
    label = QLabel("Captioner")
    label.resize(200, 40)
    if label.grab().isNull():
        return "fail", f"Qt {qVersion()} ({platform_name}) cannot render a widget"
    from captioner.resources import resources_dir

    svg = resources_dir() / "icons" / "captioner.svg"
    pixmap = QIcon(str(svg)).pixmap(64, 64)
    if pixmap.isNull() or pixmap.toImage().pixelColor(32, 30).alpha() == 0:
        return (
            "fail",
            f"Qt {qVersion()} ({platform_name}) cannot render {svg} (SVG image/icon plugins missing from {plugins}?)",
        )
    try:
        import captioner.ui.app as gui
        import captioner.ui.main_window  # noqa: F401  (the window and everything it pulls in)
    except Exception as exc:
        return "fail", f"the window's modules do not import: {type(exc).__name__}: {exc}"
    binding = getattr(gui, "qt_binding_problem", None)
    problem = binding() if binding else None
    if problem:
        return "fail", problem
    return "ok", f"Qt {qVersion()}: {platform_name} platform, widgets and SVG icons render, window modules load"
