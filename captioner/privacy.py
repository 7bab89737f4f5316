"""Keep what happens on this device on this device: onnxruntime's telemetry off (issue #20).

onnxruntime ran faster-whisper's Silero voice detector; the app now runs that network in
numpy (recognition/local/silero.py) and never imports onnxruntime, and the bundle leaves it
out. It is still installed beside the app (faster-whisper requires it) and a program that
embeds captioner, or a future code path, may load it: the switch below stays, because a
stray import would otherwise be enough. Its official wheels (Linux, macOS,
Windows; 1.32 measured) have Microsoft's 1DS telemetry on by default: merely importing it
writes a persistent device id and an SQLite event queue to
`$XDG_CACHE_HOME/Microsoft/DeveloperTools/.onnxruntime/` (`~/.cache/...`), queues a first
event there, and the library carries an uploader for
https://mobile.events.data.microsoft.com/OneCollector/1.0/. onnxruntime's Privacy.md names
the switch: `ORT_DISABLE_TELEMETRY=1` set before ONNX Runtime initializes "prevents the
uploader, events, and persistent device identifier from being created for the process
lifetime". The Python call `onnxruntime.disable_telemetry_events()` comes too late: the
import has already written the device id and queued an event.

So the variable is set here, when `captioner` is imported, and `captioner/__init__.py`
imports this module before anything else. Every way in imports that package before any of
its submodules, so before faster_whisper or onnxruntime can load: the `captioner` and
`captioner-gui` scripts, `python -m captioner`, the bundled app (packaging/captioner_entry.py
imports captioner.cli) and any `import captioner.something`. Processes the app starts
inherit the environment. The value is forced, not defaulted: an inherited
`ORT_DISABLE_TELEMETRY=0` would otherwise turn the collection back on.
tests/test_privacy.py checks it with a real `captioner transcribe` and a throwaway HOME.
"""

from __future__ import annotations

import contextlib
import os
import sys

#: Environment variables that switch off a library's data collection, and their values.
TELEMETRY_OFF = {"ORT_DISABLE_TELEMETRY": "1"}


def keep_telemetry_off() -> None:
    """Set the switches; idempotent. If onnxruntime was imported before captioner (a program
    embedding it), the variable is too late for this process: suppress what still can be."""
    os.environ.update(TELEMETRY_OFF)
    ort = sys.modules.get("onnxruntime")
    disable = getattr(ort, "disable_telemetry_events", None)
    if disable is not None:
        with contextlib.suppress(Exception):  # best effort only: never stop the app over it
            disable()


keep_telemetry_off()
