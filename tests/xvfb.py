"""Fixtures for the desktop-app tests: a qasync loop, throwaway settings, a memory keyring,
and a real X desktop (Xvfb + openbox + xcompmgr) for end-to-end runs.

Offscreen Qt (tests/conftest.py) covers widgets and logic. What only a real X server shows
— stay-on-top needs a window manager, translucency needs a compositor
(shared/notes/headless-testing.md §3) — runs under `XDesktop`, in a subprocess so its xcb
QApplication never meets the offscreen one of the other tests.

Use from a test module::

    from xvfb import main_thread_gc, qloop, ui_store, memory_keyring  # noqa: F401  (pytest fixtures)
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
from pathlib import Path

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
        self.display = ""

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY",)}
        env.update(DISPLAY=self.display, QT_QPA_PLATFORM="xcb", XAUTHORITY="")
        return env

    def start(self) -> XDesktop:
        read_fd, write_fd = os.pipe()
        xvfb = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", self.size, "-nolisten", "tcp", "+extension", "Composite"],
            pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=(self.root / "xvfb.log").open("wb"),
            start_new_session=True,
        )
        os.close(write_fd)
        self.procs.append(xvfb)
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
        for cmd in (["openbox", "--sm-disable"], ["xcompmgr"]):
            log = (self.root / f"{cmd[0]}.log").open("wb")
            self.procs.append(subprocess.Popen(cmd, env=self.env, stdout=log, stderr=log, start_new_session=True))
        # The WM announces itself on the root window; wait for it before mapping windows.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            out = subprocess.run(["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"], env=self.env, capture_output=True, text=True)
            if "window id" in out.stdout:
                break
            time.sleep(0.05)
        else:
            self.stop()
            raise RuntimeError("openbox did not start")
        time.sleep(0.2)  # xcompmgr redirects windows once it is up
        return self

    def screenshot(self, path: Path) -> Path:
        subprocess.run(["import", "-window", "root", str(path)], env=self.env, check=True, timeout=20)
        return path

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(5)
        self.procs.clear()


@pytest.fixture
def x_desktop(tmp_path):
    missing = missing_tools()
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (apt install xvfb openbox xcompmgr imagemagick x11-utils)")
    desktop = XDesktop(tmp_path).start()
    try:
        yield desktop
    finally:
        desktop.stop()
