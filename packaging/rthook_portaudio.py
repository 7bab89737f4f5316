"""PyInstaller runtime hook: make sounddevice load the PortAudio bundled with the app.

On Linux sounddevice's wheel carries no PortAudio; it asks ctypes.util.find_library("portaudio"),
which only searches the system (ldconfig, gcc), never the bundle. Without this hook the
bundled libportaudio.so.2 is ignored and a machine without libportaudio2 reports
"PortAudio library not found". Runs before any app code, so it is in place when
sounddevice is first imported. Windows and macOS wheels bundle PortAudio in
_sounddevice_data, which sounddevice finds by itself; there the bundled .so is absent
and this hook does nothing.
"""

import ctypes.util
import os
import sys


def _install() -> None:
    bundled = os.path.join(getattr(sys, "_MEIPASS", ""), "libportaudio.so.2")
    if not os.path.isfile(bundled):
        return
    system_find_library = ctypes.util.find_library

    def find_library(name: str):
        if name == "portaudio":
            return bundled
        return system_find_library(name)

    ctypes.util.find_library = find_library


_install()
