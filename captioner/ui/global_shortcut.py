"""A shortcut that works from any app, where the platform lets an app have one: X11.

Qt's shortcuts reach Captioner only while one of its windows has focus, and a click-through
overlay is exactly the moment the user is working in another app. On X11 a client may grab a
key combination on the root window (XGrabKey): the server then sends that key to it whatever
has focus. This uses its own Xlib connection, watched by a QSocketNotifier, so Qt's xcb
connection is left alone. Elsewhere nothing is grabbed and `active` stays False: Wayland gives
no app another app's keys (only through a desktop portal, not done here), and Windows and
macOS would need their own APIs. Callers say which case holds (the hints name the shortcut
as working "from any app" only when it does).

A grab fails when another client holds the same combination; then it stays inactive too.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

from PySide6.QtCore import QObject, QSocketNotifier, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence

_KEY_PRESS = 2
_GRAB_MODE_ASYNC = 1
_SHIFT, _LOCK, _CONTROL, _MOD1, _MOD2, _MOD4 = 1, 2, 4, 8, 16, 64
#: Caps Lock and Num Lock change the modifier state: grab the key with and without them.
_IGNORED = (0, _LOCK, _MOD2, _LOCK | _MOD2)


class _XKeyEvent(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", ctypes.c_ulong),
        ("root", ctypes.c_ulong),
        ("subwindow", ctypes.c_ulong),
        ("time", ctypes.c_ulong),
        ("x", ctypes.c_int),
        ("y", ctypes.c_int),
        ("x_root", ctypes.c_int),
        ("y_root", ctypes.c_int),
        ("state", ctypes.c_uint),
        ("keycode", ctypes.c_uint),
        ("same_screen", ctypes.c_int),
    ]


class _XEvent(ctypes.Union):
    _fields_ = [("type", ctypes.c_int), ("xkey", _XKeyEvent), ("pad", ctypes.c_long * 24)]


_ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)


def _x11_modifiers(modifiers: Qt.KeyboardModifier) -> int:
    mask = 0
    for qt, x in (
        (Qt.KeyboardModifier.ShiftModifier, _SHIFT),
        (Qt.KeyboardModifier.ControlModifier, _CONTROL),
        (Qt.KeyboardModifier.AltModifier, _MOD1),
        (Qt.KeyboardModifier.MetaModifier, _MOD4),
    ):
        if modifiers & qt:
            mask |= x
    return mask


class GlobalShortcut(QObject):
    """Emits `activated` when `sequence` is pressed anywhere on the X11 desktop."""

    activated = Signal()

    def __init__(self, sequence: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.active = False
        self._x11: ctypes.CDLL | None = None
        self._display: int | None = None
        self._grabs: list[tuple[int, int]] = []
        if QGuiApplication.platformName() != "xcb" or not os.environ.get("DISPLAY"):
            return
        try:
            self._grab(sequence)
        except OSError:
            self.close()

    def _grab(self, sequence: str) -> None:
        # PySide6 indexes a QKeySequence; its stubs do not say so.
        combination = QKeySequence(sequence)[0]  # type: ignore[index]
        key = QKeySequence(combination.key()).toString().lower()
        library = ctypes.util.find_library("X11")
        if not library or not key:
            return
        x11 = self._x11 = ctypes.CDLL(library)
        x11.XOpenDisplay.restype = ctypes.c_void_p
        x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
        x11.XDefaultRootWindow.restype = ctypes.c_ulong
        x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        x11.XStringToKeysym.restype = ctypes.c_ulong
        x11.XStringToKeysym.argtypes = [ctypes.c_char_p]
        x11.XKeysymToKeycode.restype = ctypes.c_ubyte
        x11.XKeysymToKeycode.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
        x11.XGrabKey.argtypes = [
            ctypes.c_void_p,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_ulong,
            ctypes.c_int,
            ctypes.c_int,
            ctypes.c_int,
        ]
        x11.XUngrabKey.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint, ctypes.c_ulong]
        x11.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
        x11.XFlush.argtypes = [ctypes.c_void_p]
        x11.XPending.argtypes = [ctypes.c_void_p]
        x11.XNextEvent.argtypes = [ctypes.c_void_p, ctypes.POINTER(_XEvent)]
        x11.XConnectionNumber.argtypes = [ctypes.c_void_p]
        x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
        x11.XSetErrorHandler.restype = ctypes.c_void_p
        x11.XSetErrorHandler.argtypes = [ctypes.c_void_p]
        display = x11.XOpenDisplay(None)
        if not display:
            return
        self._display = display
        root = x11.XDefaultRootWindow(display)
        self._keycode = int(x11.XKeysymToKeycode(display, x11.XStringToKeysym(key.encode())))
        if not self._keycode:
            self.close()
            return
        modifiers = _x11_modifiers(combination.keyboardModifiers())
        failed: list[int] = []

        def on_error(_display: int, _event: int) -> int:
            failed.append(1)
            return 0

        # Xlib's default error handler ends the process; a taken key is an ordinary outcome.
        handler = _ERROR_HANDLER(on_error)
        previous = x11.XSetErrorHandler(ctypes.cast(handler, ctypes.c_void_p))
        try:
            for extra in _IGNORED:
                x11.XGrabKey(display, self._keycode, modifiers | extra, root, 1, _GRAB_MODE_ASYNC, _GRAB_MODE_ASYNC)
                self._grabs.append((modifiers | extra, root))
            x11.XSync(display, 0)
        finally:
            x11.XSetErrorHandler(previous)
        if failed:
            self.close()
            return
        self._notifier = QSocketNotifier(x11.XConnectionNumber(display), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._read)
        self.active = True

    def _read(self, *_args) -> None:
        x11, display = self._x11, self._display
        if x11 is None or display is None:
            return
        event = _XEvent()
        pressed = False
        while x11.XPending(display):
            x11.XNextEvent(display, ctypes.byref(event))
            pressed |= event.type == _KEY_PRESS and event.xkey.keycode == self._keycode
        if pressed:
            self.activated.emit()

    def close(self) -> None:
        """Release the key and the connection (also when the grab failed half way)."""
        x11, display = self._x11, self._display
        self.active = False
        if x11 is None or display is None:
            return
        if getattr(self, "_notifier", None) is not None:
            self._notifier.setEnabled(False)
        for modifiers, root in self._grabs:
            x11.XUngrabKey(display, self._keycode, modifiers, root)
        self._grabs.clear()
        x11.XCloseDisplay(display)
        self._display = None
