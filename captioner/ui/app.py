"""`captioner` (no subcommand): the desktop app.

Creates the QApplication, installs the translator for the user's language, runs the
window on a qasync event loop (so the CaptionSession, a plain asyncio object, runs on the
GUI thread's loop and its events become signals without any thread hand-off), and shows
the window before anything slow happens: the speech engine is imported and its model
loaded only after the first paint, in the background.

Set CAPTIONER_REPORT_STARTUP=1 to print, on stderr, the seconds from process start to the
window's first paint (measured from the kernel's process start time where available).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import time
import traceback
from typing import cast

from PySide6.QtCore import QEvent, QLibraryInfo, QLocale, QObject, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from captioner import logs
from captioner.resources import resources_dir
from captioner.ui import dialogs
from captioner.ui.qt_check import qt_lines

log = logging.getLogger(__name__)

TRANSLATIONS = "translations"
APP_NAME = "Captioner"


def process_age_s() -> float:
    """Seconds since this process started (Linux: from /proc; elsewhere: since import)."""
    try:
        with open("/proc/self/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        start_ticks = int(fields[19])  # field 22 (starttime), counted after the comm field
        with open("/proc/uptime", "rb") as f:
            uptime = float(f.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - _IMPORTED


_IMPORTED = time.perf_counter()


#: Our own handle on stderr. sounddevice points fd 2 at /dev/null for the whole process
#: while PortAudio initialises (on a worker thread here: preflight, device listing), so a
#: line written to fd 2 at that moment is lost; this copy keeps the startup report intact.
def _own_stderr() -> int | None:
    try:
        return os.dup(2)
    except OSError:  # no console at all (a GUI launch on Windows): nothing to report to
        return None


_STDERR_FD = _own_stderr()


def install_translators(app: QApplication, language: str = "") -> list[QTranslator]:
    """Load Captioner's and Qt's own translations for `language` ("" = the system's).
    English is the source language, so no file is needed (or an empty one loads)."""
    locale = QLocale(language) if language else QLocale.system()
    QLocale.setDefault(locale)
    installed = []
    ours = QTranslator(app)
    if ours.load(locale, "captioner", "_", str(resources_dir() / TRANSLATIONS)):
        app.installTranslator(ours)
        installed.append(ours)
    qt = QTranslator(app)
    if qt.load(locale, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        installed.append(qt)
    return installed


class _FirstPaint(QObject):
    """Reports the time to the window's first paint, once.

    Watches the whole application, not the window object: when its children cover it
    completely, Qt paints only them and the window itself never receives a paint event.
    """

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.seconds: float | None = None
        cast(QApplication, QApplication.instance()).installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        if (
            event.type() == QEvent.Type.Paint
            and self.seconds is None
            and isinstance(obj, QWidget)
            and obj.window() is self.window
        ):
            self.seconds = process_age_s()
            cast(QApplication, QApplication.instance()).removeEventFilter(self)
            if os.environ.get("CAPTIONER_REPORT_STARTUP"):
                engine = "loaded" if "faster_whisper" in sys.modules else "not loaded yet"
                line = f"captioner: window shown {self.seconds:.3f} s after process start (speech engine {engine})\n"
                if _STDERR_FD is not None:
                    os.write(_STDERR_FD, line.encode())
        return False


def _excepthook(window_ref: list):
    """Unexpected errors are logged and shown, never a silent exit or a bare traceback."""

    def hook(exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            QApplication.quit()
            return
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        log.error("unexpected error:\n%s", text)
        print(text, file=sys.stderr)
        parent = window_ref[0] if window_ref else None
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            APP_NAME,
            QApplication.translate("App", "Something went wrong inside Captioner."),
            QMessageBox.StandardButton.Ok,
            parent,
        )
        box.setInformativeText(
            QApplication.translate(
                "App",
                "Captioner keeps running, and the captions so far are kept. If something no longer works, quit and "
                "start Captioner again; to report it, use Help → Copy diagnostics.",
            )
        )
        box.setDetailedText(text)  # the traceback, behind "Show Details…"
        box.open()
        dialogs.place_on_screen(box, parent)

    return hook


def qt_binding_problem() -> str | None:
    """Why the installed PySide6 cannot run the app, or None.

    PySide6 6.12.0 on Python < 3.12 drops a reference to None on every call of a void Qt
    method; after a few thousand calls the interpreter aborts ("deallocating None"). Test
    for the fault itself (cheap, and right for any future release) instead of a version.
    """
    if sys.version_info >= (3, 12):  # None is immortal there
        return None
    from PySide6 import __version__ as version
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(64):
        probe.setObjectName("probe")
    if sys.getrefcount(None) - before < -32:
        return (
            f"PySide6 {version} has a reference-counting fault on Python "
            f"{sys.version_info.major}.{sys.version_info.minor} that would crash Captioner. "
            "Install another version: pip install 'PySide6-Essentials<6.12' (or use Python 3.12+)."
        )
    return None


def display_problem() -> str | None:
    """On Linux without any display Qt aborts the process; say what to do instead."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return (
        "no graphical display found (DISPLAY and WAYLAND_DISPLAY are not set). "
        "Run Captioner from a desktop session, or caption in the terminal: captioner transcribe --help"
    )


def create_application(argv: list[str] | None = None) -> QApplication:
    app = cast("QApplication | None", QApplication.instance()) or QApplication(
        argv if argv is not None else sys.argv[:1]
    )
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    from captioner.desktop_entry import APP_ID

    app.setDesktopFileName(APP_ID)  # the Wayland app_id: matches the installed .desktop file
    # The overlay is a window too; quitting is the main window's decision (after saving).
    app.setQuitOnLastWindowClosed(False)
    return app


def main(demo: bool = False) -> int:
    """Run the app until the window is closed; returns the exit code."""
    logs.setup_logging(keep_existing=True)  # console: $CAPTIONER_LOG, else warnings; the file: INFO
    problem = display_problem() or qt_binding_problem()
    if problem:
        print(f"captioner: error: {problem}", file=sys.stderr, flush=True)
        return 1
    app = create_application()
    logs.set_gui_lines(qt_lines())  # on the GUI thread; "Copy diagnostics" runs off it
    import qasync

    from captioner.ui.gc_guard import MainThreadGarbageCollector
    from captioner.ui.icons import app_icon
    from captioner.ui.main_window import MainWindow
    from captioner.ui.store import Store

    store = Store()
    install_translators(app, store.ui_language())
    app.setApplicationDisplayName(QApplication.translate("MainWindow", "Captioner"))  # window titles end with it
    app.setWindowIcon(app_icon())
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    collector = MainThreadGarbageCollector(parent=app)
    collector.start()

    window = MainWindow(store)
    window_ref = [window]
    sys.excepthook = _excepthook(window_ref)
    _FirstPaint(window)
    window.show()

    # Ctrl-C in the terminal closes the window as its close button does; SIGTERM (logout,
    # a service manager) quits without questions, leaving the session's journal for
    # recovery. Qt's loop would otherwise swallow both;
    # the no-op timer gives Python a moment to run its signal handler.
    signal.signal(signal.SIGINT, lambda *_: window.close())
    signal.signal(signal.SIGTERM, lambda *_: window.spawn(window.quit_now()))
    wake = QTimer(interval=250)
    wake.timeout.connect(lambda: None)
    wake.start()

    # After the first paint: load the engine, list devices, offer recovery / the demo.
    QTimer.singleShot(0, lambda: window.spawn(window.startup(demo=demo)))
    # Then say plainly if sound devices or the on-device model cannot work (the app stays
    # usable: files, the demo and the cloud engine do not need them).
    QTimer.singleShot(0, lambda: window.spawn(window.preflight()))
    try:
        loop.run_forever()
        # Whatever still runs (a file job the user walked away from) is cancelled and
        # given a moment to clean up; sessions were already stopped by the window.
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.wait(pending, timeout=5))
    finally:
        sys.excepthook = sys.__excepthook__
        collector.stop()
        loop.close()
        asyncio.set_event_loop(None)
    return 0
