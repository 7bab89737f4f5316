"""End to end on a real X desktop: speech into a (virtual) microphone -> captions on the
overlay -> Stop -> an SRT that parses; plus a screenshot of the overlay over another window.

The desktop is Xvfb + openbox (stay-on-top is a window-manager hint) + xcompmgr
(translucency needs a compositor), the microphone a private PulseAudio server whose
"mic" source hears whatever is played into sink "cap". The app runs in a subprocess
(`driver()` below) so its xcb QApplication never meets the offscreen one of the other
tests; it reports what it saw as JSON. The screenshot is kept in test-artifacts/.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import srt

from captioner.testing.speech import GOFORWARD_RAW, espeak_samples, silence, wer, write_wav
from pulse import start_server  # noqa: F401
from xvfb import main_thread_gc, x_desktop  # noqa: F401  (pytest fixture)

#: Hang guards only. Every wait below is for an event (a state, a paint, a click, a
#: compositor on the X server); a guard ends a wait that would otherwise never end, and is
#: generous because a loaded two-core machine runs the whole scenario (model load and
#: decoding included) several times slower than an idle one (12 s idle).
WAIT_GUARD_S = 60  # one wait inside the app
DRIVER_GUARD_S = 270  # the whole app subprocess
pytestmark = [pytest.mark.slow, pytest.mark.timeout(DRIVER_GUARD_S + 30, method="thread")]

#: Seen about once in five runs: switched to click-through, the overlay vanished for good.
UNMAPPED_BUG = (
    "a known product bug if Qt still calls it visible: CaptionOverlay.set_click_through hides and "
    "re-shows the same X window, which the window manager is still withdrawing, and it stays "
    "unmapped; see test_the_overlay_stays_on_screen_through_click_through_toggles"
)
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
SPOKEN = "go forward ten meters"
SECOND = "Captions stay on top of every window."


@pytest.fixture
def speech_wav(tmp_path) -> Path:
    """Real recorded speech, a pause, then a synthetic sentence: 16 kHz mono."""
    go = np.fromfile(GOFORWARD_RAW, dtype="<i2")
    return write_wav(
        tmp_path / "speech.wav",
        np.concatenate([silence(300), go, silence(1500), espeak_samples(SECOND), silence(1500)]),
    )


def test_microphone_to_overlay_to_srt_on_a_real_desktop(x_desktop, tmp_path, speech_wav):
    pulse = start_server(tmp_path / "pulse")
    try:
        ARTIFACTS.mkdir(exist_ok=True)
        env = {
            **x_desktop.env,
            "PULSE_SERVER": pulse.address,
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "CAPTIONER_DATA_DIR": str(tmp_path / "data"),
            "PYTHONPATH": os.pathsep.join(sys.path),
        }
        args = [
            sys.executable,
            "-c",
            "import test_ui_xvfb_e2e as t, sys; sys.exit(t.driver(*sys.argv[1:]))",
            str(tmp_path),
            str(speech_wav),
            str(tmp_path / "overlay_over_window.png"),  # copied to ARTIFACTS below
        ]
        # A compositor or window manager that dies meanwhile is restarted at once (the
        # app then waits for the compositor before its screenshot).
        with x_desktop.watching():
            proc = subprocess.run(
                args, env=env, cwd=Path(__file__).parent, capture_output=True, text=True, timeout=DRIVER_GUARD_S
            )
        assert proc.returncode == 0, proc.stderr[-4000:]
        result = json.loads(proc.stdout.strip().splitlines()[-1])
    finally:
        pulse.stop()
    if x_desktop.restarts:
        warnings.warn(f"restarted during the test: {x_desktop.restarts}; see {x_desktop.root}", stacklevel=1)

    # The words reached the overlay while it was up ...
    seen = " ".join(result["overlay_seen"]).lower()
    assert "forward" in seen, result
    # ... and the SRT written after Stop parses and holds them.
    subs = list(srt.parse(Path(result["srt"]).read_text(encoding="utf-8")))
    text = " ".join(s.content for s in subs)
    assert wer(SPOKEN, text.split(".")[0]) <= 0.25, text
    assert len(subs) >= 2 and subs[0].start.total_seconds() < subs[1].start.total_seconds()
    # Window-manager facts: the overlay is above, never focused, and translucent.
    assert "_NET_WM_STATE_ABOVE" in result["wm_state"], result["wm_state"]
    assert not result["overlay_focused"]
    assert result["stripes_show_through"], result
    assert result["click_through_reached_below"] == 1 and result["clicks_below_after_off"] == 1, result
    assert "_NET_WM_STATE_ABOVE" in result["wm_state_after_off"]
    assert result["state_after_stop"] == "Stopped"
    shot = Path(result["screenshot"])
    assert shot.exists() and shot.stat().st_size > 10_000
    # Kept for people, written here by one rename so that test runs at once (several
    # checkouts, or a loop beside the suite) never read each other's half-written file.
    for image in (shot, shot.with_name("main_window.png")):
        if image.exists():
            part = ARTIFACTS / f".{image.name}.{os.getpid()}"
            shutil.copyfile(image, part)
            os.replace(part, ARTIFACTS / image.name)


# -- the app side (runs in the subprocess) -----------------------------------------------------


def driver(workdir: str, wav: str, screenshot: str) -> int:
    import asyncio
    import time

    import qasync
    from PySide6.QtCore import QEvent, QObject, QSettings
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtWidgets import QLabel, QWidget

    from captioner.events import Sentence
    from captioner.pipeline import SessionState
    from captioner.ui.app import create_application
    from captioner.ui.main_window import MainWindow
    from captioner.ui.store import Store
    from xvfb import selection_owner, window_under_pointer

    app = create_application([sys.argv[0]])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    class Behind(QWidget):
        """Another app's window: coloured stripes, so translucency can be seen."""

        clicks = 0

        def mousePressEvent(self, event):
            Behind.clicks += 1

        def paintEvent(self, event):
            p = QPainter(self)
            for i, x in enumerate(range(0, self.width(), 40)):
                p.fillRect(x, 0, 40, self.height(), QColor("#e8a33d") if i % 2 else QColor("#3d9be8"))

    behind = Behind()
    behind.setWindowTitle("Another application")
    label = QLabel("A document in another application", behind)
    label.setStyleSheet("font-size: 36px; color: white; background: #333; padding: 12px")
    label.move(300, 300)
    behind.setGeometry(0, 0, 1280, 720)
    behind.show()

    store = Store(QSettings(str(Path(workdir) / "captioner.ini"), QSettings.Format.IniFormat))
    window = MainWindow(store, quit_on_close=False)
    window.setGeometry(40, 40, 760, 360)
    window.show()
    seen: list[str] = []

    class Watch(QObject):
        """Counts the overlay's paints and the mouse presses it receives (events to wait for)."""

        paints = 0
        presses = 0

        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint:
                Watch.paints += 1
            elif event.type() == QEvent.Type.MouseButtonPress:
                Watch.presses += 1
            return False

    watch = Watch()
    window.overlay.installEventFilter(watch)
    window.controller.adapter.partial.connect(lambda s: seen.append(window.overlay.text()))
    window.controller.adapter.final.connect(lambda s: seen.append(window.overlay.text()))
    out: dict = {}

    async def until(condition, what, timeout=WAIT_GUARD_S):
        """Wait for `condition` (an event the app or X reports); `timeout` is a hang guard."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what} (not within the {timeout} s hang guard)")
            await asyncio.sleep(0.05)

    def finals() -> list:
        """The transcript's finals (its rows also hold gap markers when audio was dropped,
        which a loaded machine does)."""
        return [row for row in window.transcript.sentences() if isinstance(row, Sentence)]

    def overlay_state() -> str:
        return subprocess.run(
            ["xprop", "-id", str(int(window.overlay.winId())), "_NET_WM_STATE"], capture_output=True, text=True
        ).stdout

    def viewable() -> bool:
        """The overlay's current native window is mapped on screen, as the X server says
        (Qt's own isExposed() of a just-recreated window has been seen to stay False)."""
        info = subprocess.run(["xwininfo", "-id", str(int(window.overlay.winId()))], capture_output=True, text=True)
        return "IsViewable" in info.stdout

    def compositor_up() -> bool:
        return selection_owner(os.environ["DISPLAY"], "_NET_WM_CM_S0") != 0

    def stripe_colours(image):
        geo = window.overlay.geometry()
        # Two points in the overlay's background (its top padding) over stripes of
        # different colours: a translucent background lets them differ.
        y = geo.top() + 4
        xs = [x for x in range(geo.left() + 20, geo.right() - 20) if (x // 40) % 2 == 0][:1] + [
            x for x in range(geo.left() + 20, geo.right() - 20) if (x // 40) % 2 == 1
        ][:1]
        return [image.pixelColor(x, y) for x in xs] if not image.isNull() else []

    def shows_through(colours) -> bool:
        return len(colours) == 2 and abs(colours[0].blue() - colours[1].blue()) > 20

    async def repainted(what):
        """Wait until the overlay's (possibly new) native window is exposed and painted."""
        before = Watch.paints
        window.overlay.update()
        handle = window.overlay.windowHandle()
        try:
            await until(lambda: Watch.paints > before and handle.isExposed(), what)
        except TimeoutError as exc:
            o = window.overlay
            raise TimeoutError(
                f"{exc}: paints {before}->{Watch.paints}, visible {o.isVisible()}, exposed {handle.isExposed()}"
            ) from None

    async def click_overlay(target, what):
        """Click the overlay's centre once the X server routes the pointer there to `target`'s
        window (a window manager still withdrawing or managing the overlay has a frame there
        for a moment, which would swallow the click), and wait until someone (the overlay or
        the window below) has received the press."""
        centre = window.overlay.geometry().center()
        subprocess.run(["xdotool", "mousemove", str(centre.x()), str(centre.y())], check=True)
        display = os.environ["DISPLAY"]
        await until(lambda: window_under_pointer(display) == int(target.winId()), what)
        before = (Watch.presses, Behind.clicks)
        subprocess.run(["xdotool", "click", "1"], check=True)
        await until(lambda: (Watch.presses, Behind.clicks) != before, "the click arrived")

    async def scenario():
        await window.startup()  # real device listing (PulseAudio), engine preload
        picker = window.source_picker
        assert picker.has_microphone(), picker.inputs
        picker.set_kind("microphone")
        picker.device.setCurrentIndex(max(0, picker.device.findData("mic")))
        await window.engines.preload(window.engine_choice())
        assert await window.start_captions()
        await until(lambda: window.controller.state is SessionState.LISTENING, "listening")
        await until(lambda: window.controller.session.position_ms > 600, "audio flowing")
        behind.raise_()  # another window comes forward: the overlay must stay above it
        behind.activateWindow()
        play = await asyncio.create_subprocess_exec("paplay", "--device=cap", wav)
        await until(lambda: any("forward" in t.lower() for t in seen), "words on the overlay")
        await until(lambda: len(finals()) >= 1, "a final")
        await until(
            lambda: bool(window.overlay.partial_text()) or len(finals()) >= 2,
            "second sentence",
        )
        # The screenshot shows translucency once the compositor is up (it is restarted if it
        # died) and has composited the overlay's latest paint. xcompmgr reports nothing when
        # it has drawn, so take screenshots until the stripes show through (or the guard ends).
        await until(compositor_up, "a compositor on the X server")
        await repainted("the overlay painted")
        deadline = time.monotonic() + WAIT_GUARD_S
        out["screenshots_taken"] = 0
        while True:
            subprocess.run(["import", "-window", "root", screenshot], check=True, timeout=WAIT_GUARD_S)
            out["screenshots_taken"] += 1
            colours = stripe_colours(QImage(screenshot))
            out["stripe_pixels"] = [c.name() for c in colours]
            out["stripes_show_through"] = shows_through(colours)
            if out["stripes_show_through"] or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        out["wm_state"] = overlay_state()
        focus = app.focusWindow()
        out["overlay_focused"] = focus is not None and focus is window.overlay.windowHandle()
        # Click-through: a click on the overlay reaches the window below; switched off
        # (here with the same action the tray menu and the shortcut use), it does not.
        # Each toggle recreates the native window: wait until the X server shows the new one
        # (its input shape is set before it is mapped; when managed again, the window manager
        # maps it in its frame, above) before clicking, then until the click has arrived
        # somewhere before counting.
        window.click_through_action.trigger()
        await until(viewable, f"the click-through overlay mapped ({UNMAPPED_BUG})")
        await click_overlay(behind, "the pointer over the window below, through the overlay")
        out["click_through_reached_below"] = Behind.clicks
        window.click_through_action.trigger()
        await until(viewable, f"the overlay mapped again by the window manager ({UNMAPPED_BUG})")
        await until(lambda: "_NET_WM_STATE_ABOVE" in overlay_state(), "the overlay above again")
        await click_overlay(window.overlay, "the pointer over the overlay again")
        out["clicks_below_after_off"] = Behind.clicks
        out["wm_state_after_off"] = overlay_state()
        await play.wait()
        await until(lambda: len(finals()) >= 2, "the second final")
        window.start_button.click()  # Stop
        await until(lambda: not window.controller.running, "stopped")
        out["state_after_stop"] = window.state_label.text()
        srt_path = Path(workdir) / "live.srt"
        assert await window.export_to(str(srt_path), "srt")
        out["srt"] = str(srt_path)
        window.grab().save(str(Path(screenshot).with_name("main_window.png")))

    try:
        loop.run_until_complete(scenario())
    finally:
        geo = window.overlay.geometry()
        out.setdefault("stripes_show_through", False)  # no screenshot was taken
        out["overlay_seen"] = seen[-12:]
        out["finals"] = [s.text for s in finals()]
        out["overlay_geometry"] = [geo.x(), geo.y(), geo.width(), geo.height()]
        out["screenshot"] = screenshot
        print(json.dumps(out), flush=True)
    window.overlay.hide()
    loop.close()  # joins qasync's executor threads (Qt aborts on running QThreads at exit)
    return 0


def test_a_dead_compositor_or_window_manager_is_restarted(x_desktop):
    assert x_desktop.wm_alive() and x_desktop.compositor_alive()
    for name in ("xcompmgr", "openbox"):
        x_desktop.helpers[name].kill()
        x_desktop.helpers[name].wait(5)
    assert not x_desktop.compositor_alive() and not x_desktop.wm_alive()
    x_desktop.ensure()
    assert x_desktop.wm_alive() and x_desktop.compositor_alive()
    assert sorted(x_desktop.restarts) == ["openbox", "xcompmgr"]


def test_the_overlay_stays_on_screen_through_click_through_toggles(x_desktop):
    """Click-through on and off 20 times: after each toggle the X server shows the overlay
    again (a managed window under openbox, then an override-redirect one, and back). It
    vanished at about the 5th toggle while set_click_through re-mapped the same X window
    that openbox was still withdrawing; each toggle now gets a fresh native window."""
    args = [sys.executable, "-c", "import test_ui_xvfb_e2e as t, sys; sys.exit(t.toggle_driver())"]
    env = {**x_desktop.env, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.run(
        args, env=env, cwd=Path(__file__).parent, capture_output=True, text=True, timeout=DRIVER_GUARD_S
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]


def toggle_driver(toggles: int = 20) -> int:
    """The app side of the toggle test: 0 when the overlay came back on screen every time."""
    import time

    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    from captioner.ui.overlay import CaptionOverlay

    app = QApplication([sys.argv[0]])
    overlay = CaptionOverlay()
    overlay.setGeometry(200, 500, 900, 120)
    overlay.show()

    def map_state() -> str:
        info = subprocess.run(["xwininfo", "-id", str(int(overlay.winId()))], capture_output=True, text=True)
        return next((x.strip() for x in info.stdout.splitlines() if "Map State" in x), info.stderr.strip())

    for i in range(toggles + 1):
        # Wait for the event (mapped, per the X server); the guard only ends a hang.
        deadline = time.monotonic() + WAIT_GUARD_S / 2
        while "IsViewable" not in map_state():
            if time.monotonic() > deadline:
                print(
                    f"toggle {i} (click-through {overlay.click_through()}): {map_state()}, Qt visible {overlay.isVisible()}"
                )
                return 1
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            time.sleep(0.02)
        if i < toggles:
            overlay.set_click_through(not overlay.click_through())
    return 0
