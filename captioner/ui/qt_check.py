"""Whether Qt can run here, and what it is: the start-up check and the diagnostics lines.

Only `captioner.ui` imports Qt, so these live here; nothing at module level, so the CLI can
import this module to find out *why* the window cannot open (a missing libGL makes
`import PySide6.QtGui` fail) and print that instead of a traceback.
"""

from __future__ import annotations

from captioner.preflight import qt_import_problem


def check_qt() -> str | None:
    """None when Qt's GUI libraries load, else a message for a person (what to install)."""
    try:
        import PySide6.QtGui
        import PySide6.QtWidgets  # noqa: F401
    except ImportError as exc:
        return qt_import_problem(exc)
    return None


def qt_lines() -> list[str]:
    """The Qt lines of the diagnostics report (logs.set_gui_lines). Call it on the GUI
    thread: it asks the running QGuiApplication, if there is one, for its platform."""
    try:
        from PySide6 import __version__ as pyside
        from PySide6.QtCore import qVersion
    except Exception as exc:
        return [f"Qt: not loadable ({type(exc).__name__}: {exc})"]
    line = f"Qt: {qVersion()} (PySide6 {pyside})"
    problem = check_qt()
    if problem:
        return [line, f"Qt GUI: {problem}"]
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    if isinstance(app, QGuiApplication):
        line += f", platform {QGuiApplication.platformName()}"
    return [line]
