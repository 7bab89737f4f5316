"""Fixtures for the desktop-app tests: a qasync loop, throwaway settings, a memory keyring,
and a real X desktop (Xvfb + openbox + xcompmgr) for end-to-end runs.

Offscreen Qt (tests/conftest.py) covers widgets and logic. What only a real X server shows
— stay-on-top needs a window manager, translucency needs a compositor — runs under
`XDesktop`, in a subprocess so its xcb
QApplication never meets the offscreen one of the other tests.

Use from a test module::

    from xvfb import main_thread_gc, qloop, ui_store, memory_keyring  # noqa: F401  (pytest fixtures)
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import ClassVar

import pytest

TOOLS = ("Xvfb", "openbox", "xcompmgr", "import", "xprop")


# -- Qt + asyncio -----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def main_thread_gc(qapp):
    """Cyclic garbage is collected on the GUI thread only, as the app does (gc_guard.py):
    a test's windows freed by a collection in the engine's thread would crash a later test.
    Autouse in every module that imports it, so it is set up first and torn down last
    (after pytest-qt has closed the test's widgets), collecting what they left."""
    from captioner.ui.gc_guard import MainThreadGarbageCollector

    guard = MainThreadGarbageCollector()
    guard.start()
    yield guard
    guard.stop()


@pytest.fixture
def qloop(qapp):
    """A qasync loop on pytest-qt's QApplication ("Pattern A" of the testing notes): tests
    call qloop.run_until_complete(coro) and Qt events run while the coroutine awaits."""
    import qasync

    # Closing a window in a test must not quit the app (and with it the loop), as the
    # app itself arranges (create_application).
    qapp.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
        asyncio.set_event_loop(None)


class MemoryKeyring:
    """An in-memory keyring backend, so tests never touch (or need) a real one."""

    def __init__(self) -> None:
        import keyring.backend

        store: dict[tuple[str, str], str] = {}

        class Backend(keyring.backend.KeyringBackend):
            priority = 1

            def get_password(self, service, username):
                return store.get((service, username))

            def set_password(self, service, username, password):
                store[(service, username)] = password

            def delete_password(self, service, username):
                from keyring.errors import PasswordDeleteError

                if store.pop((service, username), None) is None:
                    raise PasswordDeleteError(username)

        self.backend = Backend()
        self.store = store


@pytest.fixture
def memory_keyring():
    import keyring

    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring.backend)
    try:
        yield ring
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def ui_store(tmp_path, memory_keyring, monkeypatch):
    """A Store on a temp INI file, a memory keyring, and journals in a temp folder."""
    from PySide6.QtCore import QSettings

    from captioner.ui.store import Store

    monkeypatch.setenv("CAPTIONER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DASHSCOPE_API_KEY", raising=False)
    settings = QSettings(str(tmp_path / "captioner.ini"), QSettings.Format.IniFormat)
    store = Store(settings)
    store.ini_path = Path(settings.fileName())
    return store


# -- A real X desktop ------------------------------------------------------------------------


def missing_tools() -> list[str]:
    return [t for t in TOOLS if shutil.which(t) is None]


class XDesktop:
    """Xvfb with openbox (stay-on-top) and xcompmgr (translucency), each a child process."""

    def __init__(self, root: Path, size: str = "1280x720x24") -> None:
        self.root = root
        self.size = size
        self.procs: list[subprocess.Popen] = []
        self.helpers: dict[str, subprocess.Popen] = {}  # "openbox", "xcompmgr"
        self.restarts: list[str] = []  # helpers found dead by ensure() and restarted
        self.xvfb: subprocess.Popen | None = None
        self.display = ""
        self._lock = threading.RLock()  # ensure() from the test and from watching()'s thread

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY",)}
        env.update(DISPLAY=self.display, QT_QPA_PLATFORM="xcb", XAUTHORITY="")
        return env

    def start(self) -> XDesktop:
        read_fd, write_fd = os.pipe()
        # -noreset: without it the server resets (dropping the compositor's redirection) each
        # time its last client disconnects, e.g. an xprop probe before openbox has connected.
        xvfb = subprocess.Popen(
            [
                "Xvfb",
                "-displayfd",
                str(write_fd),
                "-noreset",
                "-screen",
                "0",
                self.size,
                "-nolisten",
                "tcp",
                "+extension",
                "Composite",
            ],
            pass_fds=(write_fd,),
            stdout=subprocess.DEVNULL,
            stderr=(self.root / "xvfb.log").open("wb"),
            start_new_session=True,
        )
        os.close(write_fd)
        self.procs.append(xvfb)
        self.xvfb = xvfb
        number = b""
        with os.fdopen(read_fd, "rb") as pipe:
            while not number.endswith(b"\n"):
                chunk = pipe.read(1)
                if not chunk:
                    break
                number += chunk
        if not number.strip():
            self.stop()
            raise RuntimeError("Xvfb did not report a display number")
        self.display = f":{number.decode().strip()}"
        try:
            self.ensure()
        except Exception:
            self.stop()
            raise
        return self

    # Each helper is checked by what it announces on the X server, not by a sleep: openbox
    # owns the WM_S0 selection and sets _NET_SUPPORTING_WM_CHECK on the root window,
    # xcompmgr owns the _NET_WM_CM_S0 selection once it has redirected the windows.
    #
    # A selection is freed only when the X server has noticed that its owner's connection
    # closed, which comes a moment after the process is reaped; until then the root's
    # _NET_SUPPORTING_WM_CHECK (never removed) and the old owner would make a fresh helper
    # look alive at once, and the helper itself would refuse to start ("another window
    # manager / composite manager is already running"). So ensure() waits for the old
    # selection to be freed before starting the new helper.
    SELECTIONS: ClassVar[dict[str, str]] = {"openbox": "WM_S0", "xcompmgr": "_NET_WM_CM_S0"}

    def wm_alive(self) -> bool:
        proc = self.helpers.get("openbox")
        if proc is None or proc.poll() is not None or selection_owner(self.display, "WM_S0") == 0:
            return False
        out = subprocess.run(
            ["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"], env=self.env, capture_output=True, text=True, timeout=30
        )
        return "window id" in out.stdout

    def compositor_alive(self) -> bool:
        proc = self.helpers.get("xcompmgr")
        return proc is not None and proc.poll() is None and selection_owner(self.display, "_NET_WM_CM_S0") != 0

    def ensure(self, guard_s: float = 60) -> XDesktop:
        """Make sure the window manager and the compositor are up, (re)starting whichever is
        not, and wait until each has announced itself. `guard_s` is only a hang guard."""
        with self._lock:
            self._ensure(guard_s)
        return self

    def _ensure(self, guard_s: float) -> None:
        if self.xvfb is None or self.xvfb.poll() is not None:
            raise RuntimeError(f"Xvfb is not running; see {self.root / 'xvfb.log'}")
        for name, cmd, alive in (
            ("openbox", ["openbox", "--sm-disable"], self.wm_alive),
            ("xcompmgr", ["xcompmgr"], self.compositor_alive),
        ):
            if alive():
                continue
            old = self.helpers.pop(name, None)
            if old is not None:
                self.restarts.append(name)
                self._end(old)
            deadline = time.monotonic() + guard_s
            while selection_owner(self.display, self.SELECTIONS[name]) != 0:  # see SELECTIONS
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{self.SELECTIONS[name]} still owned {guard_s:.0f} s after {name} ended")
                time.sleep(0.05)
            log = (self.root / f"{name}.log").open("ab")
            proc = subprocess.Popen(cmd, env=self.env, stdout=log, stderr=log, start_new_session=True)
            self.helpers[name] = proc
            self.procs.append(proc)
            deadline = time.monotonic() + guard_s
            while not alive():
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited ({proc.returncode}); see {self.root / (name + '.log')}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not come up within {guard_s:.0f} s")
                time.sleep(0.05)

    @contextlib.contextmanager
    def watching(self, poll_s: float = 0.1):
        """While the block runs, a helper that exits (xcompmgr has been seen to die about
        once in fifty runs) is restarted at once by a watcher thread, through ensure(); its
        name goes to `restarts`. A restart that fails is raised when the block ends.
        Waiting on the processes' exit is the event; `poll_s` is only how often we look."""
        stop = threading.Event()
        errors: list[BaseException] = []

        def watch() -> None:
            while not stop.wait(poll_s):
                with self._lock:
                    died = any(p.poll() is not None for p in self.helpers.values())
                if died:
                    try:
                        self.ensure()
                    except BaseException as exc:  # reported when the block ends
                        errors.append(exc)
                        return

        thread = threading.Thread(target=watch, name="x-desktop-watch", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            stop.set()
            thread.join(120)
        if errors:
            raise errors[0]

    def screenshot(self, path: Path) -> Path:
        subprocess.run(["import", "-window", "root", str(path)], env=self.env, check=True, timeout=20)
        return path

    @staticmethod
    def _end(proc: subprocess.Popen) -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)

    def stop(self) -> None:
        for proc in reversed(self.procs):
            self._end(proc)
        self.procs.clear()
        self.helpers.clear()


def selection_owner(display: str, selection: str) -> int:
    """The window owning an X selection (0: none), asked through libX11 with ctypes."""
    import ctypes
    import ctypes.util

    x11 = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XInternAtom.restype = ctypes.c_ulong
    x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x11.XGetSelectionOwner.restype = ctypes.c_ulong
    x11.XGetSelectionOwner.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    dpy = x11.XOpenDisplay(display.encode())
    if not dpy:
        return 0
    try:
        return int(x11.XGetSelectionOwner(dpy, x11.XInternAtom(dpy, selection.encode(), 0)))
    finally:
        x11.XCloseDisplay(dpy)


def window_under_pointer(display: str) -> int:
    """The deepest window under the mouse pointer (0: none), as the X server routes a click
    there: input shapes count (a click-through window is not under the pointer), and so do
    a window manager's frames."""
    import ctypes
    import ctypes.util

    x11 = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XDefaultRootWindow.restype = ctypes.c_ulong
    x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    ulong, c_int, uint = ctypes.c_ulong, ctypes.c_int, ctypes.c_uint
    x11.XQueryPointer.argtypes = [ctypes.c_void_p, ulong, *[ctypes.POINTER(ulong)] * 2, *[ctypes.POINTER(c_int)] * 4]
    x11.XQueryPointer.argtypes += [ctypes.POINTER(uint)]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    dpy = x11.XOpenDisplay(display.encode())
    if not dpy:
        return 0
    try:
        window, root, child = x11.XDefaultRootWindow(dpy), ulong(), ulong()
        ints, mask = [c_int() for _ in range(4)], uint()
        while True:
            x11.XQueryPointer(
                dpy, window, ctypes.byref(root), ctypes.byref(child), *map(ctypes.byref, ints), ctypes.byref(mask)
            )
            if not child.value:
                return int(window)
            window = child.value
    finally:
        x11.XCloseDisplay(dpy)


@pytest.fixture
def x_desktop(tmp_path):
    missing = missing_tools()
    if missing:
        pytest.fail(f"needs {', '.join(missing)}: run packaging/setup.sh --test")
    desktop = XDesktop(tmp_path).start()
    try:
        desktop.ensure()  # the compositor and the window manager are alive for the test
        yield desktop
    finally:
        desktop.stop()
