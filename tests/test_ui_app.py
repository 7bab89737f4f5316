"""The app as users start it: `captioner` and `captioner --demo`, in a subprocess.

The window must be up fast (the speech engine loads after it is shown), demo mode must
caption the bundled sample with no microphone, and SIGTERM must end it cleanly with the
session's finals safe in the journal.
"""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(120, method="thread")

STARTUP_LIMIT_S = 1.5
#: The test machine is shared; allow slack over the product target before failing.
STARTUP_TEST_LIMIT_S = 3.0


#: Hang guards only: the tests wait for events (a stderr line, a journal entry, the exit),
#: and these bound a wait that would otherwise never end, however slow the machine.
HANG_GUARD_S = 90  # under the module timeout, so a failure reports the app's stderr


class App:
    """`captioner` in a subprocess, its stderr read line by line on a thread (so the pipe
    never fills and blocks the app) and handed to the test as events."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self.shown = threading.Event()
        #: Seconds the app's main thread had waited for a CPU (runnable, but other processes
        #: were running) when its window was shown; None where Linux schedstats are missing.
        self.cpu_wait_at_show: float | None = None
        self.eof = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line)
            if "window shown" in line:
                self.cpu_wait_at_show = runqueue_wait_s(self.proc.pid)
                self.shown.set()
        self.eof.set()

    def startup_line(self) -> str:
        """Wait until the app says its window is shown (or exits, or the hang guard ends)."""
        deadline = time.monotonic() + HANG_GUARD_S
        while not self.shown.wait(0.1):
            if self.eof.is_set() or time.monotonic() > deadline:
                self.proc.kill()
                tail = "".join(self.lines[-30:])
                # A known cause: sounddevice's PortAudio initialisation (a worker thread) points
                # fd 2 at /dev/null process-wide for a moment, so a line printed then is lost.
                raise AssertionError(f"the window was never shown (exit {self.proc.poll()}):\n{tail}")
        return next(x for x in self.lines if "window shown" in x)

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=HANG_GUARD_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        self.eof.wait(30)
        rest = "".join(self.lines)
        assert "Traceback" not in rest, rest
        return self.proc.returncode


def runqueue_wait_s(pid: int) -> float | None:
    """How long the main thread of `pid` has been runnable but not running (waiting for a CPU
    other processes held), from Linux's /proc/<pid>/schedstat (nanoseconds)."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[1]) / 1e9
    except (OSError, ValueError, IndexError):
        return None


def launch(tmp_path: Path, *args: str) -> App:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "CAPTIONER_REPORT_STARTUP": "1",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "CAPTIONER_DATA_DIR": str(tmp_path / "data"),
        "PULSE_SERVER": "unix:/nonexistent",
    }
    env.pop("DASHSCOPE_API_KEY", None)
    return App(subprocess.Popen([sys.executable, "-m", "captioner", *args], env=env, stderr=subprocess.PIPE, text=True))


def test_window_is_shown_fast_before_the_engine_loads(tmp_path):
    app = launch(tmp_path)
    line = app.startup_line()
    seconds = float(re.search(r"shown ([0-9.]+) s", line).group(1))
    # On a busy machine (a parallel build, `stress-ng --cpu 2`) the wall clock also counts
    # the time other processes held the CPUs while the app was ready to run (seen: 4.6 s).
    # That time is taken off; the app's own work and its own waits (I/O, sleeps) still count.
    # It is read just after the line arrives, so it can only be a little larger than at the
    # moment the window was shown.
    waited = app.cpu_wait_at_show or 0.0
    print(f"startup: {seconds:.3f} s, of which {waited:.3f} s waiting for a busy CPU (target {STARTUP_LIMIT_S} s)")
    assert "speech engine not loaded yet" in line  # the model is never on the critical path
    assert seconds - waited < STARTUP_TEST_LIMIT_S, f"{seconds:.3f} s, {waited:.3f} s of it waiting for a CPU"
    assert app.stop() == 0


def first_finals(sessions: Path) -> list[dict]:
    for journal in sessions.glob("*.jsonl"):
        finals = [json.loads(x) for x in journal.read_text().splitlines() if '"type":"final"' in x]
        if finals:
            return finals
    return []


@pytest.mark.slow
@pytest.mark.timeout(3 * HANG_GUARD_S, method="thread")
def test_demo_mode_captions_the_sample_with_no_microphone(tmp_path):
    app = launch(tmp_path, "--demo")
    app.startup_line()
    sessions = tmp_path / "data" / "sessions"
    # Wait for the event (the first final in the journal) while the app runs; the guard
    # only ends a hang.
    deadline = time.monotonic() + HANG_GUARD_S
    finals: list[dict] = []
    while not finals and app.proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.3)
        finals = first_finals(sessions)
    alive = app.proc.poll() is None
    assert app.stop() == 0
    assert alive, "the app exited before captioning:\n" + "".join(app.lines[-30:])
    assert finals, f"no caption within the {HANG_GUARD_S} s hang guard"
    assert "dashwood" in finals[0]["text"].lower()  # the sample's first sentence
    head = json.loads(next(sessions.glob("*.jsonl")).read_text().splitlines()[0])
    assert head["source"] == "demo sample"
    # SIGTERM mid-session: the journal stays unfinished, so the next start offers recovery
    from captioner.transcript.journal import list_sessions

    infos = list_sessions(sessions)
    assert len(infos) == 1 and not infos[0].finished and infos[0].sentence_count >= 1


def test_the_installed_qt_binding_passes_the_refcount_check():
    from captioner.ui import app

    assert app.qt_binding_problem() is None  # the installed PySide6 is healthy


def test_no_display_is_explained_instead_of_aborting(monkeypatch):
    from captioner.ui import app

    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(app.sys, "platform", "linux")
    assert "captioner transcribe" in app.display_problem()
    monkeypatch.setenv("DISPLAY", ":0")
    assert app.display_problem() is None
