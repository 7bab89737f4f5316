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
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import srt

from captioner.testing.speech import GOFORWARD_RAW, espeak_samples, silence, wer, write_wav
from pulse import start_server  # noqa: F401
from xvfb import main_thread_gc, x_desktop  # noqa: F401  (pytest fixture)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180, method="thread")]

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
            str(ARTIFACTS / "overlay_over_window.png"),
        ]
        proc = subprocess.run(args, env=env, cwd=Path(__file__).parent, capture_output=True, text=True, timeout=150)
        assert proc.returncode == 0, proc.stderr[-4000:]
        result = json.loads(proc.stdout.strip().splitlines()[-1])
    finally:
        pulse.stop()

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


# -- the app side (runs in the subprocess) -----------------------------------------------------


def driver(workdir: str, wav: str, screenshot: str) -> int:
    import asyncio
    import time

    import qasync
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtWidgets import QLabel, QWidget

    from captioner.pipeline import SessionState
    from captioner.ui.app import create_application
    from captioner.ui.main_window import MainWindow
    from captioner.ui.store import Store

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
    window.controller.adapter.partial.connect(lambda s: seen.append(window.overlay.text()))
    window.controller.adapter.final.connect(lambda s: seen.append(window.overlay.text()))
    out: dict = {}

    async def until(condition, timeout, what):
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(what)
            await asyncio.sleep(0.05)

    async def scenario():
        await window.startup()  # real device listing (PulseAudio), engine preload
        picker = window.source_picker
        assert picker.has_microphone(), picker.inputs
        picker.set_kind("microphone")
        picker.device.setCurrentIndex(max(0, picker.device.findData("mic")))
        await window.engines.preload(window.engine_choice())
        assert await window.start_captions()
        await until(lambda: window.controller.state is SessionState.LISTENING, 30, "listening")
        await until(lambda: window.controller.session.position_ms > 600, 15, "audio flowing")
        behind.raise_()  # another window comes forward: the overlay must stay above it
        behind.activateWindow()
        play = await asyncio.create_subprocess_exec("paplay", "--device=cap", wav)
        await until(lambda: any("forward" in t.lower() for t in seen), 30, "words on the overlay")
        await until(lambda: len(window.transcript.sentences()) >= 1, 30, "a final")
        await until(
            lambda: bool(window.overlay.partial_text()) or len(window.transcript.sentences()) >= 2,
            30,
            "second sentence",
        )
        await asyncio.sleep(0.3)
        subprocess.run(["import", "-window", "root", screenshot], check=True, timeout=20)
        out["wm_state"] = subprocess.run(
            ["xprop", "-id", str(int(window.overlay.winId())), "_NET_WM_STATE"], capture_output=True, text=True
        ).stdout
        focus = app.focusWindow()
        out["overlay_focused"] = focus is not None and focus is window.overlay.windowHandle()
        # Click-through: a click on the overlay reaches the window below; switched off
        # (here with the same action the tray menu and the shortcut use), it does not.
        centre = window.overlay.geometry().center()
        click = ["xdotool", "mousemove", str(centre.x()), str(centre.y()), "click", "1"]
        window.click_through_action.trigger()
        await asyncio.sleep(0.5)
        subprocess.run(click, check=True)
        await asyncio.sleep(0.5)
        out["click_through_reached_below"] = Behind.clicks
        window.click_through_action.trigger()
        await asyncio.sleep(0.5)
        subprocess.run(click, check=True)
        await asyncio.sleep(0.5)
        out["clicks_below_after_off"] = Behind.clicks
        out["wm_state_after_off"] = subprocess.run(
            ["xprop", "-id", str(int(window.overlay.winId())), "_NET_WM_STATE"], capture_output=True, text=True
        ).stdout
        await play.wait()
        await until(lambda: len(window.transcript.sentences()) >= 2, 30, "the second final")
        window.start_button.click()  # Stop
        await until(lambda: not window.controller.running, 30, "stopped")
        out["state_after_stop"] = window.state_label.text()
        srt_path = Path(workdir) / "live.srt"
        assert await window.export_to(str(srt_path), "srt")
        out["srt"] = str(srt_path)
        window.grab().save(str(Path(screenshot).with_name("main_window.png")))

    try:
        loop.run_until_complete(scenario())
    finally:
        image = QImage(screenshot)
        geo = window.overlay.geometry()
        # Two points in the overlay's background (its top padding) over stripes of
        # different colours: a translucent background lets them differ.
        y = geo.top() + 4
        xs = [x for x in range(geo.left() + 20, geo.right() - 20) if (x // 40) % 2 == 0][:1] + [
            x for x in range(geo.left() + 20, geo.right() - 20) if (x // 40) % 2 == 1
        ][:1]
        colours = [image.pixelColor(x, y) for x in xs] if not image.isNull() else []
        out["stripe_pixels"] = [c.name() for c in colours]
        out["stripes_show_through"] = len(colours) == 2 and abs(colours[0].blue() - colours[1].blue()) > 20
        out["overlay_seen"] = seen[-12:]
        out["finals"] = [s.text for s in window.transcript.sentences()]
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
