"""The hot-word vocabulary editor against the REST emulator on loopback, and the Help menu's
diagnostics / log folder actions and the start-up preflight box."""

from __future__ import annotations

import asyncio

import pytest

from captioner.testing.trivial import TrivialRecognizer
from captioner.ui.main_window import MainWindow
from captioner.ui.recognition_panel import RecognitionPanel
from captioner.ui.vocabulary_dialog import VocabularyDialog, http_base_for
from rest_support import rest_emulator
from xvfb import main_thread_gc, memory_keyring, qloop, ui_store  # noqa: F401  (pytest fixtures)

pytestmark = pytest.mark.timeout(60)

TOKEN = "sk-vocab-ui-0123456789"


@pytest.fixture(scope="module")
def served():
    with rest_emulator(TrivialRecognizer(), token=TOKEN) as srv:
        yield srv


@pytest.fixture(autouse=True)
def key(monkeypatch):
    monkeypatch.setenv("DASHSCOPE_API_KEY", TOKEN)


def run(qloop, coro_or_task):
    return qloop.run_until_complete(asyncio.wait_for(asyncio.ensure_future(coro_or_task), 30))


def test_create_list_update_delete_and_use(qtbot, qloop, served):
    panel = RecognitionPanel()
    qtbot.addWidget(panel)
    dialog = VocabularyDialog(base_url=served.url, target_model="fun-asr-realtime")
    qtbot.addWidget(dialog)
    dialog.vocabulary_chosen.connect(panel.use_vocabulary)
    dialog.show()

    assert run(qloop, dialog.refresh()) is True
    before = set(dialog.ids())
    dialog.prefix.setText("ui")
    dialog.add_word("Quillbyte", 5)
    dialog.add_word("Dr. Okonkwo", 3)
    vid = run(qloop, dialog.create_vocabulary())
    assert vid.startswith("vocab-ui-")
    assert set(dialog.ids()) == before | {vid} and dialog.selected_id() == vid
    assert [(w.text, w.weight) for w in dialog.hot_words()] == [("Quillbyte", 5), ("Dr. Okonkwo", 3)]
    assert served.vocabularies.hot_words(vid) == ("Quillbyte", "Dr. Okonkwo")

    dialog.words.removeRow(1)
    dialog.words.cellWidget(0, 1).setValue(2)
    dialog.add_word("Zarvox", 4)
    assert run(qloop, dialog.update_vocabulary()) is True
    assert set(served.vocabularies.hot_words(vid)) == {"Quillbyte", "Zarvox"}
    assert run(qloop, dialog.load_selected()) is True
    assert sorted((w.text, w.weight) for w in dialog.hot_words()) == [("Quillbyte", 2), ("Zarvox", 4)]

    with qtbot.waitSignal(panel.changed):
        dialog.use_button.click()
    assert panel.vocabulary.text() == vid and panel.settings().vocabulary_id == vid

    assert run(qloop, dialog.delete_vocabulary()) is True
    assert vid not in dialog.ids() and served.vocabularies.hot_words(vid) is None
    assert "Deleted" in dialog.status.text()


def test_service_errors_are_shown_with_the_services_explanation(qtbot, qloop, served, monkeypatch):
    dialog = VocabularyDialog(base_url=served.url)
    qtbot.addWidget(dialog)
    dialog.prefix.setText("BAD")  # refused before sending, with the service's code
    dialog.add_word("x")
    assert run(qloop, dialog.create_vocabulary()) == ""
    # a sentence says what to do; the service's code and explanation are behind Details
    assert "InvalidParameter" not in dialog.status.text() and "setting was not accepted" in dialog.status.text()
    assert dialog.details_button.isVisibleTo(dialog)
    assert "InvalidParameter" in dialog.details.toPlainText() and "prefix" in dialog.details.toPlainText()
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-wrong-key-000000")
    assert run(qloop, dialog.refresh()) is False
    assert "failed" in dialog.status.text() and dialog.refresh_button.isEnabled()


def test_the_prefix_field_shows_its_whole_placeholder(qtbot):
    dialog = VocabularyDialog(base_url="http://127.0.0.1:1/api/v1")
    qtbot.addWidget(dialog)
    dialog.show()
    hint = dialog.prefix.placeholderText()
    assert dialog.prefix.width() >= dialog.prefix.fontMetrics().horizontalAdvance(hint)


def test_the_gui_keeps_running_during_a_call(qtbot, qloop, served):
    dialog = VocabularyDialog(base_url=served.url)
    qtbot.addWidget(dialog)
    ticks = []

    async def go():
        task = dialog.refresh()
        await asyncio.sleep(0)
        assert not dialog.refresh_button.isEnabled()  # busy while the call runs
        while not task.done():
            ticks.append(1)
            await asyncio.sleep(0)
        return task.result()

    assert run(qloop, go()) is True and ticks


def test_http_base_for_custom_url():
    assert http_base_for("ws://127.0.0.1:8765/api-ws/v1/inference") == "http://127.0.0.1:8765/api/v1"
    assert http_base_for("wss://example.org/x") == "https://example.org/api/v1"


@pytest.fixture
def window(qtbot, ui_store, monkeypatch):
    monkeypatch.setenv("DASHSCOPE_API_KEY", TOKEN)  # ui_store removes it
    window = MainWindow(ui_store, use_tray=False, quit_on_close=False)
    qtbot.addWidget(window)
    return window


def test_vocabulary_button_opens_the_editor_and_use_fills_the_field(qtbot, qloop, window, served):
    window.engine_panel.cloud_radio.setChecked(True)
    window.engine_panel.url.setText(f"ws://127.0.0.1:{served.port}/api-ws/v1/inference")
    with qtbot.waitSignal(window.recognition_panel.edit_vocabularies):
        window.recognition_panel.vocabulary_button.click()
    dialog = window.vocabulary_dialog
    assert dialog.isVisible() and dialog.server.text() == served.url
    assert dialog.target_model == window.engine_panel.model_name()
    assert run(qloop, dialog.loading) is True  # the list was fetched on opening
    dialog.prefix.setText("win")
    dialog.add_word("Quillbyte")
    vid = run(qloop, dialog.create_vocabulary())
    dialog.use_button.click()
    assert window.recognition_panel.settings().vocabulary_id == vid
    run(qloop, dialog.delete_vocabulary())
    dialog.close()


def test_copy_diagnostics_puts_text_on_the_clipboard_without_the_key(qtbot, qloop, window, monkeypatch):
    from PySide6.QtWidgets import QApplication

    secret = "sk-diagnostics-secret-4242424242"
    monkeypatch.setenv("DASHSCOPE_API_KEY", secret)
    QApplication.clipboard().clear()
    text = run(qloop, window.copy_diagnostics())
    clip = QApplication.clipboard().text()
    assert clip == text and "Captioner" in clip and "Python" in clip
    assert secret not in clip


def test_open_log_folder_opens_the_log_dir(qtbot, window, monkeypatch, tmp_path):
    from PySide6.QtGui import QDesktopServices

    monkeypatch.setenv("CAPTIONER_LOG_DIR", str(tmp_path / "logs"))
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    window.log_folder_action.trigger()
    from captioner import logs

    assert opened == [str(logs.log_dir())]
    assert window.menuBar().actions()[-1].menu() is not None
    titles = [a.text() for m in window.menuBar().actions() if m.menu() for a in m.menu().actions()]
    assert "Copy diagnostics" in titles and "Open log folder" in titles


def test_preflight_problems_are_shown_without_blocking(qtbot, qloop, window, monkeypatch):
    from captioner import preflight

    monkeypatch.setattr(preflight, "check_portaudio", lambda: "no PortAudio here")
    monkeypatch.setattr(preflight, "check_model", lambda model_dir=None: "no model here")
    window.engine_panel.local_radio.setChecked(True)
    problems = run(qloop, window.preflight())
    assert problems == ["no PortAudio here", "no model here"]
    box = window.preflight_box
    assert box.isVisible() and "no model here" in box.detailedText() and "PortAudio here" in box.detailedText()
    assert "no model here" not in box.informativeText()  # a sentence saying what to do instead
    assert "PortAudio" in box.informativeText() and "Engine tab" in box.informativeText()
    box.close()
    monkeypatch.setattr(preflight, "check_portaudio", lambda: None)
    monkeypatch.setattr(preflight, "check_model", lambda model_dir=None: None)
    assert run(qloop, window.preflight()) == []


def test_api_keys_loaded_by_the_ui_are_registered_as_secrets(qtbot, ui_store):
    from captioner import logs

    ui_store.set_api_key("cn", "keyring-secret-abcdefghijkl")
    assert "keyring-secret-abcdefghijkl" not in logs.redact("key=keyring-secret-abcdefghijkl")


def test_the_app_identifies_itself_with_the_desktop_entry_id(qapp):
    from PySide6.QtGui import QGuiApplication

    from captioner.desktop_entry import APP_ID
    from captioner.ui.app import create_application

    saved = (
        qapp.applicationName(),
        qapp.organizationName(),
        qapp.applicationDisplayName(),
        QGuiApplication.desktopFileName(),
        qapp.quitOnLastWindowClosed(),
    )
    try:
        assert create_application() is qapp
        assert QGuiApplication.desktopFileName() == APP_ID
    finally:
        qapp.setApplicationName(saved[0])
        qapp.setOrganizationName(saved[1])
        qapp.setApplicationDisplayName(saved[2])
        QGuiApplication.setDesktopFileName(saved[3])
        qapp.setQuitOnLastWindowClosed(saved[4])
