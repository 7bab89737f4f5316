"""Smaller pieces: the level meter and silence warning, the tray menu, the input test,
the status-bar wording."""

import asyncio
import time

import numpy as np
from PySide6.QtWidgets import QSystemTrayIcon

from captioner.audio.frames import AudioFrame, AudioSource
from captioner.pipeline import SessionState
from captioner.ui import sources
from captioner.ui.level_meter import FLOOR_DB, LevelMeter, db_fraction, to_db
from captioner.ui.main_window import MainWindow
from captioner.ui.source_picker import SILENCE_WARN_MS, SourcePicker
from captioner.ui.status_text import metrics_text, state_text
from xvfb import main_thread_gc, memory_keyring, qloop, ui_store  # noqa: F401  (pytest fixtures)


def test_level_meter_maps_decibels_and_decays(qtbot):
    meter = LevelMeter()
    qtbot.addWidget(meter)
    assert db_fraction(FLOOR_DB) == 0 and db_fraction(0) == 1 and 0.4 < db_fraction(to_db(0.05)) < 0.6
    meter.set_level(0.3, 0.6)
    loud = meter.level_db()
    assert loud > -12
    qtbot.waitUntil(lambda: meter.level_db() < loud - 6, timeout=2000)  # falls back like a meter


def test_no_audio_warning_after_seconds_of_silence_on_the_session_clock(qtbot):
    picker = SourcePicker()
    qtbot.addWidget(picker)
    for ms in range(100, SILENCE_WARN_MS, 100):
        picker.show_level(0.0, 0.0, ms)
    assert not picker.no_audio_detected()
    picker.show_level(0.0, 0.0, SILENCE_WARN_MS + 200)
    assert picker.no_audio_detected()
    assert "No audio detected" in picker.warning.text() and "microphone" in picker.warning.text()
    picker.show_level(0.05, 0.2, SILENCE_WARN_MS + 300)  # someone speaks
    assert not picker.no_audio_detected()


def test_picker_lists_devices_and_keeps_the_saved_choice(qtbot):
    from captioner.ui.choices import SourceChoice

    picker = SourcePicker(SourceChoice(kind="both", device="usb-mic", loopback="speakers.monitor"))
    qtbot.addWidget(picker)
    picker.set_inputs(
        sources.InputList(
            microphones=[
                sources.DeviceEntry("builtin", "Built-in microphone", True),
                sources.DeviceEntry("usb-mic", "USB microphone"),
            ],
            loopbacks=[sources.DeviceEntry("speakers.monitor", "Monitor of Speakers", True)],
        )
    )
    assert picker.choice() == SourceChoice(kind="both", device="usb-mic", loopback="speakers.monitor")
    assert picker.device.itemText(1) == "Built-in microphone (default)"
    picker.set_kind("system")
    assert picker.device.isHidden() and not picker.loopback.isHidden()
    picker.set_inputs(sources.InputList(error="PortAudio is not available"))
    assert "PortAudio is not available" in picker.device_error.text()


def test_tray_menu_is_built_from_the_windows_actions(qtbot, qloop, ui_store):
    window = MainWindow(ui_store, use_tray=True, quit_on_close=False)
    qtbot.addWidget(window)
    actions = window.tray.actions()
    assert [a.text() for a in actions] == [
        "Start captions",
        "Show overlay",
        "Click-through overlay",
        "Show Captioner window",
        "Quit",
    ]
    assert window.tray.available == QSystemTrayIcon.isSystemTrayAvailable()
    overlay_action = actions[1]
    overlay_action.trigger()
    assert window.overlay.isVisible() and window.overlay_panel.show_overlay.isChecked()
    overlay_action.trigger()
    assert not window.overlay.isVisible() and not ui_store.overlay_visible()
    actions[2].trigger()  # click-through from the tray ...
    assert window.overlay.click_through()
    actions[2].trigger()  # ... and back: always reachable there
    assert not window.overlay.click_through()
    shortcuts = {a.text(): a.shortcut().toString() for a in window.actions()}
    assert shortcuts["Start captions"] == "Ctrl+Shift+S" and shortcuts["Show overlay"] == "Ctrl+Shift+O"


class Tone(AudioSource):
    def __init__(self):
        self.closed = False

    def close(self):
        self.closed = True

    async def frames(self):
        i = 0
        while not self.closed:
            await asyncio.sleep(0.01)
            yield AudioFrame((np.sin(np.arange(1600) / 3) * 12000).astype("<i2").tobytes(), i * 100)
            i += 1


def test_test_input_moves_the_meter_and_releases_the_device(qtbot, qloop, ui_store, monkeypatch):
    opened = []
    monkeypatch.setattr(sources, "open_source", lambda choice: opened.append(Tone()) or opened[-1])
    window = MainWindow(ui_store, use_tray=False, quit_on_close=False)
    qtbot.addWidget(window)
    levels = []
    window.monitor.level.connect(lambda rms, peak, ms: levels.append(peak))

    async def scenario():
        window.source_picker.test_button.setChecked(True)
        deadline = time.monotonic() + 5
        while not levels and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert levels and max(levels) > 0.3
        assert window.source_picker.meter.level_db() > -20
        window.source_picker.test_button.setChecked(False)
        await asyncio.sleep(0.1)

    qloop.run_until_complete(scenario())
    assert opened[0].closed and not window.monitor.running


def test_status_wording():
    assert state_text(SessionState.LISTENING) == "Listening"
    assert state_text(SessionState.ERROR, "the API key was rejected") == "Error — the API key was rejected"
    local = metrics_text({"rtf": 0.35, "decode_ms_last": 300, "backlog_ms": 4000, "final_delay_ms_last": 850})
    assert local == "final after 0.8 s · RTF 0.35 · 4.0 s behind"
    cloud = metrics_text({"first_package_delay_ms": 420, "last_package_delay_ms": 610, "reconnects": 2, "task_id": "x"})
    assert cloud == "first result after 0.4 s · final after 0.6 s · reconnected 2×"
    assert metrics_text({}) == ""


def test_dropping_a_media_file_on_the_window_captions_it(qtbot, qloop, ui_store, tmp_path, monkeypatch):
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    media = tmp_path / "talk.mp4"
    media.write_bytes(b"\0")
    window = MainWindow(ui_store, use_tray=False, quit_on_close=False)
    qtbot.addWidget(window)
    asked, started = [], []

    async def choose(parent, title, path, filters):
        asked.append(path)
        return path, filters[0]

    monkeypatch.setattr("captioner.ui.dialogs.choose_save_path", choose)
    monkeypatch.setattr(window, "caption_file_to", lambda m, s, flash=None: started.append((m, s, flash)))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(media))])
    window.dropEvent(
        QDropEvent(
            QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
        )
    )
    qloop.run_until_complete(asyncio.sleep(0.1))
    assert asked == [str(tmp_path / "talk.srt")]  # next to the file, unless the user moves it
    assert started == [(str(media), str(tmp_path / "talk.srt"), None)]  # on the device: no synchronous call
    assert window.acceptDrops()


def test_dialogs_are_placed_whole_on_their_windows_screen(qtbot):
    """Every dialog the window opens goes through dialogs.place_on_screen: one wider than
    the screen shrinks to it, one beside a window at the screen's edge stays on it."""
    from PySide6.QtWidgets import QDialog, QWidget

    from captioner.ui.dialogs import place_on_screen

    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    area = window.screen().availableGeometry()
    window.move(area.right() - 50, area.bottom() - 50)
    dialog = QDialog(window)
    dialog.resize(area.width() + 400, 200)
    dialog.show()
    place_on_screen(dialog)
    assert area.contains(dialog.frameGeometry()), (area, dialog.frameGeometry())
